"""Messages and sessions in the data rights: in the export; gone with the sender's account."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from api.contact.rules import on_the_quarter
from tests.contact.helpers import agree, contact_pair, windows_around
from tests.personas import PASSWORD

MINE = "I told my sister about the panic attacks today."
THEIRS = "That took courage. How did she take it?"
NOTE = "My shift changed, I'm so sorry."


async def test_export_and_deletion(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(datetime.now(UTC), "Europe/London", 60, 180))
    sam, bob = pair.seeker, pair.supporter
    for person, body in ((sam, MINE), (bob, THEIRS)):
        sent = await client.post(
            f"{pair.base}/messages", json={"body": body}, headers=person.headers
        )
        assert sent.status_code == 201
    start = on_the_quarter(datetime.now(UTC) + timedelta(minutes=60)).isoformat()
    made = await client.post(
        f"{pair.base}/sessions", json={"start_at": start, "channel": "video"}, headers=bob.headers
    )
    await client.post(
        f"{pair.base}/sessions/{made.json()['id']}/cancel", json={"note": NOTE}, headers=sam.headers
    )
    await client.post("/api/v1/me/calendar-feed", headers=sam.headers)

    exported = (await client.get("/api/v1/me/export", headers=sam.headers)).json()["contact"]
    assert [(m["direction"], m["text"]) for m in exported["messages"]] == [
        ("sent", MINE),
        ("received", THEIRS),
    ]
    assert exported["sessions"][0]["note"] == NOTE and exported["sessions"][0]["cancelled_by_me"]
    assert exported["calendar_feeds"][0]["live"] is True

    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=sam.headers
    )
    assert gone.status_code == 204, gone.text
    # Sam's messages and note are gone; Bob keeps what he wrote, read-only.
    count = (await db.execute(text("SELECT count(*) FROM message"))).scalar()
    assert count == 1
    notes = (await db.execute(text("SELECT note_sealed FROM contact_session"))).scalars().all()
    assert notes == [None]
    assert (await db.execute(text("SELECT count(*) FROM calendar_feed"))).scalar() == 0
    kept = await client.get(f"{pair.base}/messages", headers=bob.headers)
    assert kept.status_code == 200
    assert [(m["mine"], m["body"]) for m in kept.json()["messages"]] == [(True, THEIRS)]
    refused = await client.post(f"{pair.base}/messages", json={"body": "hi"}, headers=bob.headers)
    assert refused.status_code == 409
