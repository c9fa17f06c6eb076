"""What a supporter learns of the seeker: on the introduction, then after saying yes.

Before accepting: what the seeker would like support with and where they are with it, their
topics to avoid, and why this supporter was suggested, said to the supporter. After accepting:
the same, plus the seeker's own words only if the seeker chose to share them (off by default,
and they can change their mind at any time).
"""

from tests.matching.people import ready_supporter, set_up
from tests.personas import peer, staff

GOING, FURTHER = "going_through", "further_along"
SAMS_WORDS = "Since Mum died the evenings are the hardest part"


async def _introduced(client, db, settings, *, share: bool | None = None):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], topics_to_avoid=["politics"])
    sam = await peer(client, "sam")
    await set_up(client, sam, [(1, GOING)], topics_to_avoid=["my ex"])
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": GOING, "description": SAMS_WORDS}],
        headers=sam.headers,
    )
    assert saved.status_code == 200, saved.text
    body = {"tag_ids": [1], **({} if share is None else {"share_own_words": share})}
    request = await client.post("/api/v1/support-requests", json=body, headers=sam.headers)
    assert request.status_code == 201, request.text
    assert request.json()["share_own_words"] is bool(share)
    chosen = await client.post(
        f"/api/v1/support-requests/{request.json()['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 201, chosen.text
    return bob, sam, request.json(), chosen.json()


async def test_the_introduction_speaks_to_the_supporter_and_says_what_sam_is_going_through(
    client, db, settings
):
    bob, _sam, _, chosen = await _introduced(client, db, settings)
    # Sam sees Bob's topics on her introduction.
    assert chosen["supporter_topics_to_avoid"] == ["politics"]
    [intro] = (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"]
    assert [(e["tag_id"], e["stage"]) for e in intro["seeker_experiences"]] == [(1, GOING)]
    assert all(e["own_words"] is None for e in intro["seeker_experiences"])
    assert intro["seeker_topics_to_avoid"] == ["my ex"]
    # Said to Bob: "you", never "they" for Bob, and nothing that was only Sam's.
    assert any(r.startswith("You have been through") for r in intro["reasons"]), intro
    assert not any(r.startswith("They ") for r in intro["reasons"]), intro
    assert not any("free on" in r for r in intro["reasons"]), intro  # Sam's clock, not Bob's
    assert SAMS_WORDS not in str(intro)


async def test_after_saying_yes_own_words_only_if_the_seeker_shares_them(client, db, settings):
    bob, sam, request, chosen = await _introduced(client, db, settings)
    url = f"/api/v1/relationships/{chosen['id']}/support-asked"
    assert (await client.get(url, headers=bob.headers)).status_code == 404  # not accepted yet
    accepted = await client.post(
        f"/api/v1/introductions/{chosen['id']}/accept", headers=bob.headers
    )
    assert accepted.status_code == 200
    asked = (await client.get(url, headers=bob.headers)).json()
    assert asked["share_own_words"] is False
    assert [(e["label"], e["stage"], e["own_words"]) for e in asked["experiences"]] == [
        (asked["experiences"][0]["label"], GOING, None)
    ]
    # Sam chooses to share; Bob can read her words. She can stop again at any time.
    sharing = f"/api/v1/support-requests/{request['id']}/share-own-words"
    shared = await client.put(sharing, json={"share_own_words": True}, headers=sam.headers)
    assert shared.status_code == 200 and shared.json()["share_own_words"] is True
    asked = (await client.get(url, headers=bob.headers)).json()
    assert asked["experiences"][0]["own_words"] == SAMS_WORDS
    # Only Sam decides: Bob can't switch it, and nobody else can read it.
    refused = await client.put(sharing, json={"share_own_words": False}, headers=bob.headers)
    assert refused.status_code == 404
    stranger = await peer(client, "uma")
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    await client.put(sharing, json={"share_own_words": False}, headers=sam.headers)
    asked = (await client.get(url, headers=bob.headers)).json()
    assert asked["experiences"][0]["own_words"] is None
