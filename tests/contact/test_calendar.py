"""Each person's private, revocable iCalendar feed of their confirmed sessions."""

import io
import logging
from datetime import time

from icalendar import Calendar
from sqlalchemy import text

from tests.contact.helpers import contact_pair, next_weekday

LONDON = "Europe/London"


async def arrange(client, pair, start, channel="video", confirm=True) -> str:
    made = await client.post(
        f"{pair.base}/sessions",
        json={"start_at": start.isoformat(), "channel": channel},
        headers=pair.seeker.headers,
    )
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    if confirm:
        done = await client.post(
            f"{pair.base}/sessions/{sid}/confirm", headers=pair.supporter.headers
        )
        assert done.status_code == 200
    return sid


async def new_feed(client, person) -> str:
    made = await client.post("/api/v1/me/calendar-feed", headers=person.headers)
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    return made.json()["url"]


def path_of(url: str) -> str:
    return url.removeprefix("https://testserver")


async def events(client, url: str) -> list:
    response = await client.get(path_of(url))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["cache-control"]
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


async def test_a_feed_of_my_confirmed_sessions_with_only_a_name_and_a_channel(client, db, settings):
    pair = await contact_pair(client, db, settings)
    start = next_weekday(1, time(19), LONDON)
    confirmed = await arrange(client, pair, start)
    await arrange(client, pair, next_weekday(3, time(19), LONDON), "phone", confirm=False)
    sam_url, bob_url = await new_feed(client, pair.seeker), await new_feed(client, pair.supporter)
    assert sam_url != bob_url and sam_url.endswith(".ics")
    assert sam_url.startswith("https://testserver/api/v1/calendar/")

    found = await events(client, sam_url)
    assert len(found) == 1  # the proposed one isn't in anyone's calendar yet
    event = found[0]
    assert str(event["SUMMARY"]) == "Bob (video)"
    assert event.decoded("DTSTART") == start
    assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 45 * 60
    assert str(event["UID"]).startswith(confirmed)
    for private in ("DESCRIPTION", "LOCATION", "ATTENDEE", "ORGANIZER", "URL"):
        assert private not in event
    bob_sees = await events(client, bob_url)
    assert [str(e["SUMMARY"]) for e in bob_sees] == ["Sam (video)"]
    # Nothing else about anyone: no emails, no "peer support".
    raw = (await client.get(path_of(sam_url))).text
    assert pair.supporter.email not in raw and "support" not in raw.lower()

    await client.post(f"{pair.base}/sessions/{confirmed}/cancel", headers=pair.supporter.headers)
    assert await events(client, sam_url) == []


async def test_only_the_tokens_hash_is_stored_and_revoking_stops_it_at_once(client, db, settings):
    pair = await contact_pair(client, db, settings)
    url = await new_feed(client, pair.seeker)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    rows = (await db.execute(text("SELECT * FROM calendar_feed"))).mappings().all()
    assert len(rows) == 1 and all(token not in str(v) for v in rows[0].values())
    status = await client.get("/api/v1/me/calendar-feed", headers=pair.seeker.headers)
    assert status.json()["live"] is True and token not in status.text

    # A new URL replaces the old one; revoking stops the new one.
    newer = await new_feed(client, pair.seeker)
    assert (await client.get(path_of(url))).status_code == 404
    assert (await client.get(path_of(newer))).status_code == 200
    gone = await client.delete("/api/v1/me/calendar-feed", headers=pair.seeker.headers)
    assert gone.status_code == 204
    assert (await client.get(path_of(newer))).status_code == 404
    again = await client.delete("/api/v1/me/calendar-feed", headers=pair.seeker.headers)
    assert again.status_code == 404
    status = await client.get("/api/v1/me/calendar-feed", headers=pair.seeker.headers)
    assert status.json() == {"live": False, "created_at": None}
    for guess in ("nothing.ics", f"{token}.ics", f"{token[:-1]}x.ics", f"{token}", "a" * 40):
        assert (await client.get(f"/api/v1/calendar/{guess}")).status_code == 404
    assert (await client.post("/api/v1/me/calendar-feed")).status_code == 401


async def test_the_token_never_reaches_the_logs(client, db, settings, caplog, capsys):
    pair = await contact_pair(client, db, settings)
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if root.handlers:
        handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        url = await new_feed(client, pair.seeker)
        await client.get(path_of(url))
        await client.get(path_of(url) + "x")
    finally:
        root.removeHandler(handler)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    captured = stream.getvalue() + caplog.text + "".join(capsys.readouterr())
    assert '"route": "/api/v1/calendar/{file}"' in captured
    assert token not in captured
