"""The agreement in the PWA, driven like a browser without JavaScript: two people, two jars."""

import html

import httpx
from sqlalchemy import select, update

from api.relationships import lifecycle
from api.relationships.models import AgreementVersion, Relationship, State
from tests.factories import agreeable_terms, agreeing_pair, as_of
from tests.personas import peer
from tests.relationships.forms import change, csrf_token, error_by, form_fields, web_login


def text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.text)


def _data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


async def _browsers(client, other_browser, db, settings, **profiles):
    """Bob in `client`, Sam in `other_browser`, both logged in to the PWA."""
    pair = await agreeing_pair(client, db, settings, **profiles)
    await web_login(client, pair.supporter.email)
    await web_login(other_browser, pair.seeker.email)
    return pair, f"/relationships/{pair.relationship_id}"


async def _propose_page(browser, page_url, **changes):
    builder = await browser.get(f"{page_url}/agreement/propose")
    assert builder.status_code == 200, builder.text
    fields = change(form_fields(builder.text, f"{page_url}/agreement/propose"), **changes)
    return await browser.post(f"{page_url}/agreement/propose", data=_data(fields))


def time_rows(fields: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """The builder's contact times as (day, start, end), in the form's order."""
    days, starts, ends = ([v for n, v in fields if n == name] for name in ("day", "start", "end"))
    return list(zip(days, starts, ends, strict=True))


def with_rows(fields, rows) -> list[tuple[str, str]]:
    kept = [(n, v) for n, v in fields if n not in ("day", "start", "end")]
    for day, start, end in rows:
        kept += [("day", day), ("start", start), ("end", end)]
    return kept


TICKED = {"ack_confidentiality_and_exception": "yes", "ack_not_a_crisis_service": "yes"}


async def test_two_people_agree_terms_in_the_pwa_and_change_them_later(
    client, other_browser, db, settings
):
    pair, url = await _browsers(
        client,
        other_browser,
        db,
        settings,
        supporter_profile={"timezone": "America/New_York"},
    )
    bob, sam = client, other_browser
    listing = await bob.get("/relationships")
    assert "Sam" in listing.text and "Agreeing terms" in listing.text
    overview = await bob.get(url)
    assert "Propose terms" in overview.text and "accepted the introduction" in overview.text

    # The builder starts from the template, in Bob's zone, with their shared channels.
    builder = await bob.get(f"{url}/agreement/propose")
    assert "New York (US, Eastern): your time" in text(builder)
    fields = form_fields(builder.text, f"{url}/agreement/propose")
    assert ("timezone", "America/New_York") in fields
    assert time_rows(fields) == [("1", "19:00", "20:30"), ("3", "19:00", "20:30")]
    assert [v for n, v in fields if n == "channel"] == ["chat", "video"]
    assert not [n for n, _ in fields if n.startswith("ack_")]  # each person ticks them

    # Mistakes come back next to their fields, and what was typed is kept.
    refused = await bob.post(
        f"{url}/agreement/propose", data=_data(change(fields, sessions_total="0"))
    )
    assert refused.status_code == 422
    assert error_by(refused.text, "sessions_total") == "Use 1 or more."
    kept = form_fields(refused.text, f"{url}/agreement/propose")
    assert ("sessions_total", "0") in kept
    refused = await bob.post(
        f"{url}/agreement/propose",
        data=_data(change(kept, channel=["chat", "phone"], sessions_total="6")),
    )
    assert refused.status_code == 422
    assert "hasn&#39;t chosen phone" in error_by(refused.text, "channels")
    assert "tick the note" in error_by(refused.text, "ack_not_a_crisis_service")
    assert ("channel", "phone") in form_fields(refused.text, f"{url}/agreement/propose")

    # Bob adds a time on Saturday (the page comes back with it, nothing proposed yet) and
    # makes it early in the morning: the whole day can be chosen.
    added = await bob.post(f"{url}/agreement/propose", data=_data([*fields, ("add", "5")]))
    assert added.status_code == 200
    fields = form_fields(added.text, f"{url}/agreement/propose")
    assert time_rows(fields)[-1] == ("5", "19:00", "20:00")
    rows = [*time_rows(fields)[:-1], ("5", "05:00", "06:30")]
    assert await db.scalar(select(AgreementVersion)) is None
    # A time can be removed the same way; the others stay as they were.
    gone = await bob.post(
        f"{url}/agreement/propose", data=_data([*with_rows(fields, rows), ("remove", "0")])
    )
    assert time_rows(form_fields(gone.text, f"{url}/agreement/propose")) == rows[1:]
    sent = await bob.post(
        f"{url}/agreement/propose", data=_data(change(with_rows(fields, rows), **TICKED))
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"{url}/agreement"

    # Sam sees every term of this first proposal in plain words, on her own clock (London),
    # nothing folded away and no comparison with anything she never saw.
    seen = await sam.get(f"{url}/agreement")
    assert "Bob's proposal (version 1)" in text(seen)
    assert "Every term, in full" in seen.text and "<details" not in seen.text
    assert "Usual starting point" not in seen.text and "What's different" not in text(seen)
    assert "Saturday 10:00" in text(seen)  # 05:00 in New York
    assert "Sharing phone numbers (you)" in text(seen)
    assert "Kindred's usual starting answers" in text(seen)
    # She counter-proposes eight sessions; her limits are hers, Bob's stay his.
    countered = await _propose_page(sam, url, sessions_total="8", limit_hugs="never", **TICKED)
    assert countered.status_code == 303, countered.text
    version = await db.scalar(select(AgreementVersion).where(AgreementVersion.number == 2))
    assert version.terms["sessions_total"] == 8
    assert version.terms["personal_limits"]["seeker"]["hugs"] == "never"
    assert version.terms["personal_limits"]["supporter"]["hugs"] == "maybe"

    # Bob sees what changed, and agrees in one tap.
    seen = await bob.get(f"{url}/agreement")
    assert "Sam's proposal (version 2)" in text(seen)
    assert 'class="changed"' in seen.text and "8 sessions" in seen.text
    assert "Read every term of this proposal" in seen.text  # the whole text, one tap away
    agree_url = f"{url}/agreement/versions/2/consent"
    tap = await bob.post(agree_url, data=_data(form_fields(seen.text, agree_url)))
    assert tap.status_code == 303 and tap.headers["location"] == f"{url}/agreed?new=2"
    agreed = await bob.get(tap.headers["location"])
    assert "You both agreed" in agreed.text and "New York time" in agreed.text
    assert "your support can begin" in agreed.text
    assert "8 sessions of 45 minutes" in agreed.text
    relationship = await db.get(Relationship, pair.relationship_id, populate_existing=True)
    assert relationship.state == "active" and relationship.agreed_version == 2
    theirs = await sam.get(f"{url}/agreed")
    # The same windows on each person's clock: 19:00 in New York is midnight in London.
    assert "Tuesday 19:00" in text(agreed) and "New York time" in text(agreed)
    assert "Wednesday 00:00" in text(theirs) and "London time" in text(theirs)

    # Later: Sam proposes a change; version 2 stays in force until Bob agrees.
    assert (await _propose_page(sam, url, response_expectation="same_day", **TICKED)).is_redirect
    waiting = await sam.get(f"{url}/agreed")
    assert "stay in force until you both agree" in waiting.text
    seen = await bob.get(f"{url}/agreement")
    assert "In force (version 2)" in seen.text and "The same day" in seen.text
    agree_url = f"{url}/agreement/versions/3/consent"
    tap = await bob.post(agree_url, data=_data(form_fields(seen.text, agree_url)))
    assert tap.status_code == 303
    changed = await bob.get(tap.headers["location"])
    assert "The new terms are in force" in changed.text
    assert "can begin" not in changed.text  # only a first agreement starts the support
    history = await sam.get(url)
    assert "Bob agreed to version 3, so it is in force" in history.text


async def test_a_stale_page_is_refused_and_says_so(client, other_browser, db, settings):
    pair, url = await _browsers(client, other_browser, db, settings)
    assert (await _propose_page(client, url, **TICKED)).is_redirect  # Bob: version 1
    page = await other_browser.get(f"{url}/agreement")  # Sam reads version 1
    builder = await other_browser.get(f"{url}/agreement/propose")
    # Meanwhile Bob changes his proposal through the API.
    changed = await client.post(
        f"{pair.base}/agreement/proposals",
        json=agreeable_terms(session_minutes=60),
        headers=as_of(pair.supporter, '"1"'),
    )
    assert changed.status_code == 201

    agree_url = f"{url}/agreement/versions/1/consent"
    late = await other_browser.post(agree_url, data=_data(form_fields(page.text, agree_url)))
    assert late.status_code == 412
    assert late.headers["hx-replace-url"] == f"{url}/agreement"
    assert "Bob changed the agreement while you were looking" in text(late)
    assert "Bob's proposal (version 2)" in text(late)  # the latest, to look at again

    fields = change(form_fields(builder.text, f"{url}/agreement/propose"), sessions_total="9")
    stale = await other_browser.post(
        f"{url}/agreement/propose", data=_data(change(fields, **TICKED))
    )
    assert stale.status_code == 412
    assert "changed the agreement while you were editing" in stale.text
    assert ("sessions_total", "9") in form_fields(stale.text, f"{url}/agreement/propose")
    versions = (await db.execute(select(AgreementVersion))).scalars().all()
    assert sorted((v.number, v.status) for v in versions) == [(1, "withdrawn"), (2, "pending")]
    # Sending again from the refreshed page is a knowing counter-proposal.
    resend = change(form_fields(stale.text, f"{url}/agreement/propose"), **TICKED)
    again = await other_browser.post(f"{url}/agreement/propose", data=_data(resend))
    assert again.status_code == 303


async def test_forms_need_the_csrf_token(client, other_browser, db, settings):
    _, url = await _browsers(client, other_browser, db, settings)
    page = await client.get(f"{url}/agreement/propose")
    fields = form_fields(page.text, f"{url}/agreement/propose")
    without = [(n, v) for n, v in fields if n != "csrf_token"]
    refused = await client.post(f"{url}/agreement/propose", data=_data(without))
    assert refused.status_code == 403
    agree = await client.post(f"{url}/agreement/review", data={"revision": "0"})
    assert agree.status_code == 403
    assert (await db.execute(select(AgreementVersion))).first() is None


async def test_only_the_two_people_see_the_pages(
    app, client, other_browser, third_browser, db, settings
):
    _, url = await _browsers(client, other_browser, db, settings)
    assert (await _propose_page(client, url, **TICKED)).is_redirect
    eve = await peer(client, "eve")
    await web_login(third_browser, eve.email)
    token = csrf_token((await third_browser.get("/relationships")).text)
    assert "Bob" not in (await third_browser.get("/relationships")).text
    for path in ("", "/agreement", "/agreement/propose", "/agreed"):
        response = await third_browser.get(f"{url}{path}")
        assert response.status_code == 404, path
        assert "Sam" not in response.text and "Bob" not in response.text
    for path in ("/agreement/versions/1/consent", "/agreement/review", "/agreement/propose"):
        response = await third_browser.post(
            f"{url}{path}", data={"csrf_token": token, "revision": "1"}
        )
        assert response.status_code == 404, path
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as anonymous:
        logged_out = await anonymous.get(url)
    assert logged_out.status_code == 303 and logged_out.headers["location"].startswith("/login")


async def test_the_review_prompt_on_the_relationship_page(client, other_browser, db, settings):
    pair, url = await _browsers(client, other_browser, db, settings)
    await client.post(  # agree terms through the API
        f"{pair.base}/agreement/proposals",
        json=agreeable_terms(review_after_session=2),
        headers=as_of(pair.supporter, '"0"'),
    )
    await client.post(
        f"{pair.base}/agreement/versions/1/consent", headers=as_of(pair.seeker, '"1"')
    )
    page = await other_browser.get(url)
    assert "Time to check in" not in page.text and "What we agreed" in page.text
    await db.execute(
        update(Relationship).where(Relationship.id == pair.relationship_id).values(sessions_held=2)
    )
    await db.commit()
    page = await other_browser.get(url)
    assert "Time to check in" in page.text and "They still fit" in page.text
    review_url = f"{url}/agreement/review"
    fits = await other_browser.post(review_url, data=_data(form_fields(page.text, review_url)))
    assert fits.status_code == 303
    page = await other_browser.get(url)
    assert "You said they still fit" in page.text and "Waiting for Bob" in page.text
    page = await client.get(url)
    assert "Sam said they still fit" in page.text
    fits = await client.post(review_url, data=_data(form_fields(page.text, review_url)))
    assert fits.status_code == 303
    page = await client.get(url)
    assert "Time to check in" not in page.text and "said the terms still fit" in page.text


async def test_an_ended_relationship_offers_no_builder(client, other_browser, db, settings):
    pair, url = await _browsers(client, other_browser, db, settings)
    relationship = await db.get(Relationship, pair.relationship_id)
    await lifecycle.move(
        db,
        relationship=relationship,
        target=State.ended,
        actor_id=pair.seeker.id,
        end_kind="ended_by_person",
    )
    await db.commit()
    builder = await client.get(f"{url}/agreement/propose")
    assert builder.status_code == 409 and "ended" in builder.text
    page = await client.get(f"{url}/agreement")
    assert page.status_code == 200 and "Propose terms" not in page.text
    assert "Sam ended the relationship" in text(await client.get(url))


async def test_each_person_sees_the_others_topics_as_soon_as_they_are_introduced(
    client, other_browser, db, settings
):
    _, url = await _browsers(
        client,
        other_browser,
        db,
        settings,
        seeker_profile={"topics_to_avoid": ["my ex"]},
        supporter_profile={"topics_to_avoid": ["my own divorce"]},
    )
    sams = text(await other_browser.get(url))
    assert "Bob would rather not talk about: my own divorce." in sams
    bobs = text(await client.get(url))
    assert "Sam would rather not talk about: my ex." in bobs
