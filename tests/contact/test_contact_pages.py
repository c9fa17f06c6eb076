"""The relationship home and the session pages, driven like a browser: two people, two jars."""

import html
import re
from datetime import time

from sqlalchemy import select

from api.contact.models import ContactSession
from tests.contact.helpers import agree, contact_pair, next_weekday, rid, windows_around
from tests.contact.helpers import windows_away_from as away
from tests.personas import peer
from tests.relationships.forms import csrf_token, form_fields, web_login

HTMX = {"HX-Request": "true"}
HELLO = "Thinking of you before Tuesday."


def text(response) -> str:
    return html.unescape(response.text)


async def browsers(client, other_browser, db, settings, **changes):
    """Sam in `client`, Bob in `other_browser`, both logged in to the PWA."""
    pair = await contact_pair(client, db, settings, **changes)
    await web_login(client, pair.seeker.email)
    await web_login(other_browser, pair.supporter.email)
    return pair, f"/relationships/{pair.relationship_id}"


async def send(browser, url: str, body: str):
    page = await browser.get(f"{url}/home")
    return await browser.post(
        f"{url}/chat",
        data={"csrf_token": csrf_token(page.text), "body": body},
        headers={**HTMX, "X-CSRF-Token": csrf_token(page.text)},
    )


def fingerprint(page: str) -> str:
    match = re.search(r"/home/chat\?seen=([0-9a-f]+)", page)
    assert match, "the chat log doesn't poll"
    return match.group(1)


async def test_the_home_shows_the_next_session_the_counts_and_the_chat(
    client, other_browser, db, settings
):
    from datetime import UTC, datetime

    pair, url = await browsers(client, other_browser, db, settings)
    await agree(db, pair, windows=windows_around(datetime.now(UTC), "Europe/London", 60, 180))
    sam, bob = client, other_browser
    home = await sam.get(f"{url}/home")
    assert home.status_code == 200
    page = text(home)
    assert "Bob" in page and "0 of 6" in page and "Nothing booked yet" in page
    assert "It's one of your agreed contact times now." in page
    assert 'hx-trigger="every 5s"' in page
    seen = fingerprint(page)

    # Sam sends (htmx): the chat comes back with the message; Bob's poll picks it up.
    sent = await send(sam, url, HELLO)
    assert sent.status_code == 200 and HELLO in text(sent)
    assert '<section id="chat"' in sent.text and "<html" not in sent.text
    bob_home = await bob.get(f"{url}/home")
    bob_seen = fingerprint(bob_home.text)
    assert HELLO in text(bob_home)
    unchanged = await bob.get(f"{url}/home/chat?seen={bob_seen}", headers=HTMX)
    assert unchanged.status_code == 204
    await send(sam, url, "And one more thing.")
    changed = await bob.get(f"{url}/home/chat?seen={bob_seen}", headers=HTMX)
    assert changed.status_code == 200 and "And one more thing." in text(changed)
    assert changed.text.lstrip().startswith('<div id="chat-log"')
    # Bob's page marks them read (htmx posts on load): Sam sees "Read".
    assert "/chat/read" in changed.text
    token = csrf_token(bob_home.text)
    read = await bob.post(f"{url}/chat/read", data={"csrf_token": token}, headers=HTMX)
    assert read.status_code == 204
    assert "Read" in text(await sam.get(f"{url}/home/chat?seen={seen}", headers=HTMX))
    # The relationship page leads here.
    assert "Open sessions and messages" in (await sam.get(url)).text


async def test_a_held_message_says_when_on_the_senders_page_and_is_hidden_from_the_other(
    client, other_browser, db, settings
):
    from datetime import UTC, datetime

    pair, url = await browsers(client, other_browser, db, settings)
    await agree(db, pair, windows=away(datetime.now(UTC), "Europe/London"))
    page = text(await client.get(f"{url}/home"))
    assert "Outside your agreed contact times. Messages sent now arrive" in page
    sent = text(await send(client, url, HELLO))
    assert "Held until" in sent and "Bob won't see it" in sent
    assert HELLO not in text(await other_browser.get(f"{url}/home"))


async def test_propose_from_the_list_of_times_then_confirm(client, other_browser, db, settings):
    pair, url = await browsers(client, other_browser, db, settings)
    sam, bob = client, other_browser
    form_page = await sam.get(f"{url}/sessions/new")
    assert form_page.status_code == 200
    slots = re.findall(r'name="start_at" value="([^"]+)"', form_page.text)
    assert slots, "no times offered"
    fields = dict(form_fields(form_page.text, f"{url}/sessions/new"))
    assert fields["channel"] == "chat"
    made = await sam.post(
        f"{url}/sessions/new",
        data={"csrf_token": fields["csrf_token"], "channel": "video", "start_at": slots[0]},
    )
    assert made.status_code == 303 and made.headers["location"].endswith("/home?done=proposed")
    bob_home = text(await bob.get(f"{url}/home"))
    assert "Waiting for you" in bob_home and "Sam suggested this time" in bob_home
    stored = await db.scalar(
        select(ContactSession).where(ContactSession.relationship_id == rid(pair))
    )
    confirm = f"{url}/sessions/{stored.id}/confirm"
    done = await bob.post(confirm, data={"csrf_token": csrf_token(bob_home)})
    assert done.status_code == 303
    page = text(await sam.get(f"{url}/home"))
    assert "Confirmed" in page and "1 booked" in page
    # The slot is taken now: it is no longer offered.
    again = await sam.get(f"{url}/sessions/new")
    assert slots[0] not in again.text


async def test_a_typed_time_outside_the_windows_or_skipped_by_the_clocks_is_explained(
    client, other_browser, db, settings
):
    _pair, url = await browsers(client, other_browser, db, settings)
    page = await client.get(f"{url}/sessions/new")
    token = csrf_token(page.text)
    day = next_weekday(1, time(12), "Europe/London").date().isoformat()
    outside = await client.post(
        f"{url}/sessions/new",
        data={"csrf_token": token, "channel": "video", "day": day, "at": "12:00"},
    )
    assert outside.status_code == 422
    assert "isn't inside your agreed contact times" in text(outside)
    assert 'value="12:00"' in outside.text  # what was typed stays
    gap = await client.post(
        f"{url}/sessions/new",
        data={"csrf_token": token, "channel": "video", "day": "2027-03-28", "at": "01:30"},
    )
    assert gap.status_code == 422 and "the clocks go forward" in text(gap)
    nothing = await client.post(
        f"{url}/sessions/new", data={"csrf_token": token, "channel": "video"}
    )
    assert nothing.status_code == 422 and "Choose a time" in text(nothing)


async def test_cancel_with_a_note_and_another_time(client, other_browser, db, settings):
    pair, url = await browsers(client, other_browser, db, settings)
    start = next_weekday(1, time(19), "Europe/London").isoformat()
    made = await client.post(
        f"{pair.base}/sessions",
        json={"start_at": start, "channel": "video"},
        headers=pair.seeker.headers,
    )
    sid = made.json()["id"]
    move_page = await other_browser.get(f"{url}/sessions/new?move={sid}")
    assert "Suggest another time" in text(move_page)
    fields = dict(form_fields(move_page.text, f"{url}/sessions/new"))
    slots = re.findall(r'name="start_at" value="([^"]+)"', move_page.text)
    moved = await other_browser.post(
        f"{url}/sessions/new",
        data={
            "csrf_token": fields["csrf_token"],
            "move": sid,
            "channel": "phone",
            "start_at": slots[1],
        },
    )
    assert moved.status_code == 303
    cancel_page = await client.get(f"{url}/sessions/{sid}/cancel")
    assert "No reason is needed" in text(cancel_page) and "Decline" in cancel_page.text
    gone = await client.post(
        f"{url}/sessions/{sid}/cancel",
        data={"csrf_token": csrf_token(cancel_page.text), "note": "Not this week, sorry."},
    )
    assert gone.status_code == 303 and gone.headers["location"].endswith("done=cancelled")
    listing = text(await other_browser.get(f"{url}/sessions"))
    assert "Cancelled" in listing


async def test_only_the_two_people_see_the_pages_and_forms_need_the_csrf_token(
    client, other_browser, db, settings
):
    _pair, url = await browsers(client, other_browser, db, settings)
    eve = await peer(client, "eve")
    import httpx

    from tests.relationships.forms import web_login as login

    transport = httpx.ASGITransport(app=client._transport.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as third:
        await login(third, eve.email)
        for path in ("/home", "/home/chat", "/sessions", "/sessions/new"):
            assert (await third.get(f"{url}{path}")).status_code == 404, path
    forged = await client.post(f"{url}/chat", data={"body": HELLO})
    assert forged.status_code == 403


async def test_the_calendar_link_is_shown_once(client, other_browser, db, settings):
    await browsers(client, other_browser, db, settings)
    page = await client.get("/reminders")
    assert page.status_code == 200 and "Make my calendar link" in page.text
    assert page.headers["cache-control"] == "no-store"
    made = await client.post("/reminders/calendar", data={"csrf_token": csrf_token(page.text)})
    link = re.search(r'value="(https://testserver/api/v1/calendar/[^"]+\.ics)"', made.text)
    assert link, made.text
    feed = await client.get(link.group(1).removeprefix("https://testserver"))
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    later = await client.get("/reminders")
    assert link.group(1) not in later.text and "Make a new link" in later.text
    stop = await client.post(
        "/reminders/calendar/stop", data={"csrf_token": csrf_token(later.text)}
    )
    assert stop.status_code == 303
    assert (await client.get(link.group(1).removeprefix("https://testserver"))).status_code == 404


async def test_a_refused_confirmation_says_why_on_the_home_page(
    client, other_browser, db, settings
):
    pair, url = await browsers(client, other_browser, db, settings, max_sessions_per_week=1)
    first, second = (
        next_weekday(1, time(19), "Europe/London").isoformat(),
        next_weekday(3, time(19), "Europe/London").isoformat(),
    )
    ids = []
    for start in (first, second):
        made = await client.post(
            f"{pair.base}/sessions",
            json={"start_at": start, "channel": "video"},
            headers=pair.seeker.headers,
        )
        ids.append(made.json()["id"])
    home = await other_browser.get(f"{url}/home")
    token = csrf_token(home.text)
    ok = await other_browser.post(f"{url}/sessions/{ids[0]}/confirm", data={"csrf_token": token})
    assert ok.status_code == 303
    refused = await other_browser.post(
        f"{url}/sessions/{ids[1]}/confirm", data={"csrf_token": token}
    )
    assert refused.status_code == 422
    assert "at most 1 session a week" in text(refused)


async def test_the_chat_log_opened_without_htmx_is_the_whole_page(
    client, other_browser, db, settings
):
    _pair, url = await browsers(client, other_browser, db, settings)
    await send(client, url, HELLO)
    direct = await client.get(f"{url}/home/chat")  # a bookmark, or no JavaScript
    assert direct.status_code == 303
    assert direct.headers["location"] == f"{url}/home#chat"
    page = await client.get(direct.headers["location"])
    assert page.status_code == 200 and "<html" in page.text and HELLO in text(page)
    # htmx's poll still gets only the log.
    polled = await client.get(f"{url}/home/chat", headers=HTMX)
    assert polled.status_code == 200 and "<html" not in polled.text and HELLO in text(polled)
