"""After saying yes, the supporter's page shows what the seeker asked support with; the
seeker's own words only once she chooses to share them, and only she can choose."""

from tests.web.test_matching_pages import (
    SEEKERS_WORDS,
    _ask,
    _choose,
    _introduction_id,
    _supporter_and_seeker,
    log_in,
    post,
)


async def test_the_supporter_learns_what_sam_is_going_through_and_her_words_only_if_shared(
    client, other_client, db, settings
):
    bob, sam = await _supporter_and_seeker(client, db, settings)
    await log_in(client, sam)
    await _ask(client)
    await _choose(client)
    await log_in(other_client, bob)
    intro = await _introduction_id(other_client)
    accepted = await post(other_client, f"/introductions/{intro}/accept", {}, "/introductions")
    assert accepted.status_code == 303
    done = (await other_client.get(accepted.headers["location"])).text
    assert "Your page with Sam also shows what they'd like support with." in done

    page = (await other_client.get(f"/relationships/{intro}")).text
    assert "What Sam would like support with" in page and "Sam is going through it now" in page
    assert SEEKERS_WORDS not in page and "stays private to them" in page
    mine = await client.get(f"/relationships/{intro}")
    assert (
        "What you asked for support with" in mine.text and "Let Bob read my own words" in mine.text
    )
    share = f"/relationships/{intro}/share-own-words"
    shared = await post(client, share, {"share": "true"}, f"/relationships/{intro}")
    assert shared.status_code == 303
    assert SEEKERS_WORDS in (await other_client.get(f"/relationships/{intro}")).text
    # Only Sam decides: Bob can't switch it off (or on) for her.
    refused = await post(other_client, share, {"share": "false"}, f"/relationships/{intro}")
    assert refused.status_code == 404
    assert SEEKERS_WORDS in (await other_client.get(f"/relationships/{intro}")).text
    stopped = await post(client, share, {"share": "false"}, f"/relationships/{intro}")
    assert stopped.status_code == 303
    assert SEEKERS_WORDS not in (await other_client.get(f"/relationships/{intro}")).text
