"""Messages through the API: delivered inside the agreed windows, held outside them and
released when the next one opens, sealed at rest, never logged, stopped by an ending."""

import io
import logging
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, text, update

from api.common import utcnow
from api.contact import upkeep
from api.contact.models import Message
from api.safety.models import Pause
from tests.contact.helpers import (
    agree,
    contact_pair,
    notice_kinds,
    notices,
    windows_around,
    windows_away_from,
)

LONDON, NEW_YORK = "Europe/London", "America/New_York"
HELLO = "Thank you for yesterday. The walk by the canal helped more than I said."
LATE = "Can't sleep again. Just wanted to write it down somewhere safe."


async def open_now(db, pair, tz=LONDON, **changes):
    """Agree windows around now: 1 hour before, 3 hours after."""
    return await agree(
        db, pair, windows=windows_around(utcnow(), tz, 60, 180), timezone=tz, **changes
    )


async def closed_now(db, pair, tz=LONDON, **changes):
    return await agree(db, pair, windows=windows_away_from(utcnow(), tz), timezone=tz, **changes)


async def send(client, pair, person, body):
    return await client.post(f"{pair.base}/messages", json={"body": body}, headers=person.headers)


async def read(client, pair, person) -> dict:
    response = await client.get(f"{pair.base}/messages", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def time_passes(db, message_id: str, deliver_at=None) -> None:
    """The held message's window has opened: its delivery time is now in the past."""
    await db.execute(
        update(Message)
        .where(Message.id == UUID(message_id))
        .values(deliver_at=deliver_at or utcnow() - timedelta(milliseconds=1))
    )
    await db.commit()


async def test_inside_the_windows_a_message_arrives_at_once(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await open_now(db, pair)
    sent = await send(client, pair, pair.seeker, HELLO)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["status"] == "delivered" and body["held"] is False and body["mine"] is True
    assert body["delivery_text"] is None
    seen = await read(client, pair, pair.supporter)
    assert [(m["body"], m["mine"], m["read"]) for m in seen["messages"]] == [(HELLO, False, False)]
    assert seen["open_now"] is True and seen["can_send"] is True and seen["unread"] == 1
    told = await notices(client, pair.supporter)
    assert [n["kind"] for n in told] == ["message_delivered"]
    assert told[0]["text"] == "Sam sent you a message." and HELLO not in told[0]["text"]
    assert await notice_kinds(client, pair.seeker) == []
    # Read: flags on both sides, and the notice about it is read too.
    done = await client.post(f"{pair.base}/messages/read", headers=pair.supporter.headers)
    assert done.status_code == 204
    assert (await read(client, pair, pair.supporter))["unread"] == 0
    assert (await read(client, pair, pair.seeker))["messages"][0]["read"] is True
    assert (await notices(client, pair.supporter))[0]["read"] is True


async def test_outside_the_windows_it_is_held_and_the_sender_told_when_on_their_clock(
    client, db, settings
):
    pair = await contact_pair(client, db, settings, seeker_tz=NEW_YORK, supporter_tz=LONDON)
    await closed_now(db, pair)
    sent = await send(client, pair, pair.seeker, LATE)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["held"] is True and body["status"] == "held"
    assert "(New York time)" in body["delivery_text"]
    assert "Bob won't see it or be told about it before then" in body["delivery_text"]
    glance = (await client.get(f"{pair.base}/contact", headers=pair.seeker.headers)).json()
    assert glance["open_now"] is False
    assert glance["next_opening"] == body["deliver_at"].replace("+00:00", "Z")

    # Bob neither sees it nor is told, however often he looks.
    for _ in range(2):
        assert (await read(client, pair, pair.supporter))["messages"] == []
        assert await notice_kinds(client, pair.supporter) == []
    assert (
        LATE not in (await client.get(f"{pair.base}/contact", headers=pair.supporter.headers)).text
    )
    mine = await read(client, pair, pair.seeker)
    assert mine["messages"][0]["status"] == "held" and mine["messages"][0]["body"] == LATE

    # The window opens: it is delivered when anyone next reads, and Bob is told once.
    await time_passes(db, body["id"])
    assert (await read(client, pair, pair.seeker))["messages"][0]["status"] == "delivered"
    for _ in range(2):
        told = await notices(client, pair.supporter)
        assert [n["kind"] for n in told] == ["message_delivered"]
    seen = await read(client, pair, pair.supporter)
    assert [m["body"] for m in seen["messages"]] == [LATE]


async def test_the_sweep_releases_held_messages_for_people_who_are_not_looking(
    client, db, settings
):
    pair = await contact_pair(client, db, settings)
    await closed_now(db, pair)
    sent = (await send(client, pair, pair.supporter, HELLO)).json()
    assert await upkeep.sweep(db) == 0
    await time_passes(db, sent["id"])
    assert await upkeep.sweep(db) == 1
    assert await upkeep.sweep(db) == 0  # once only
    await db.commit()
    assert await notice_kinds(client, pair.seeker) == ["message_delivered"]


async def test_when_the_recipient_is_reading_no_notice_is_needed(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await closed_now(db, pair)
    sent = (await send(client, pair, pair.supporter, HELLO)).json()
    await time_passes(db, sent["id"])
    assert [m["body"] for m in (await read(client, pair, pair.seeker))["messages"]] == [HELLO]
    assert await notice_kinds(client, pair.seeker) == []


async def test_bodies_are_sealed_at_rest_and_never_logged(client, db, settings, caplog, capsys):
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if root.handlers:
        handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        pair = await contact_pair(client, db, settings)
        await open_now(db, pair)
        await send(client, pair, pair.seeker, HELLO)
        await read(client, pair, pair.supporter)
        await notices(client, pair.supporter)
        await client.post(f"{pair.base}/messages", json={"body": ""}, headers=pair.seeker.headers)
        await client.post(
            f"{pair.base}/messages", content=LATE.encode(), headers=pair.seeker.headers
        )
    finally:
        root.removeHandler(handler)
    captured = stream.getvalue() + caplog.text + "".join(capsys.readouterr())
    assert '"event": "request"' in captured
    assert HELLO not in captured and LATE not in captured
    raw = (await db.execute(text("SELECT body_sealed FROM message"))).scalars().all()
    assert len(raw) == 1 and HELLO.encode() not in bytes(raw[0])


async def test_polling_with_the_etag_answers_304_until_something_changes(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await open_now(db, pair)
    first = await client.get(f"{pair.base}/messages", headers=pair.supporter.headers)
    tag = first.headers["etag"]
    same = await client.get(
        f"{pair.base}/messages", headers={**pair.supporter.headers, "If-None-Match": tag}
    )
    assert same.status_code == 304 and same.content == b""
    await send(client, pair, pair.seeker, HELLO)
    changed = await client.get(
        f"{pair.base}/messages", headers={**pair.supporter.headers, "If-None-Match": tag}
    )
    assert changed.status_code == 200 and changed.headers["etag"] != tag


async def test_no_messages_unless_active_with_chat_agreed(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await open_now(db, pair, channels=["video"])
    refused = await send(client, pair, pair.seeker, HELLO)
    assert refused.status_code == 409 and "In-app chat isn't one of" in refused.json()["detail"]
    assert (await read(client, pair, pair.seeker))["can_send"] is False
    await open_now(db, pair)
    assert (await client.post(f"{pair.base}/pause", headers=pair.seeker.headers)).is_success
    paused = await send(client, pair, pair.supporter, HELLO)
    assert paused.status_code == 409 and "paused" in paused.json()["detail"]
    empty = await client.post(
        f"{pair.base}/messages", json={"body": "   "}, headers=pair.supporter.headers
    )
    assert empty.status_code in (409, 422)


async def test_a_held_message_waits_out_a_pause(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await closed_now(db, pair)
    sent = (await send(client, pair, pair.seeker, LATE)).json()
    assert (await client.post(f"{pair.base}/pause", headers=pair.supporter.headers)).is_success
    paused_at = await db.scalar(select(Pause.paused_at))
    # Its window opened during the pause.
    await time_passes(db, sent["id"], paused_at + timedelta(milliseconds=1))
    assert (await read(client, pair, pair.supporter))["messages"] == []
    assert "message_delivered" not in await notice_kinds(client, pair.supporter)
    await client.post(f"{pair.base}/resume", headers=pair.supporter.headers)
    resumed = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.seeker.headers)
    assert resumed.status_code == 200, resumed.text
    assert [m["body"] for m in (await read(client, pair, pair.supporter))["messages"]] == [LATE]


async def test_after_the_end_sending_is_refused_and_held_messages_never_arrive(
    client, db, settings
):
    pair = await contact_pair(client, db, settings)
    await closed_now(db, pair)
    sent = (await send(client, pair, pair.seeker, LATE)).json()
    assert (await client.post(f"{pair.base}/end", headers=pair.supporter.headers)).is_success
    refused = await send(client, pair, pair.seeker, HELLO)
    assert refused.status_code == 409 and "ended" in refused.json()["detail"]
    await time_passes(db, sent["id"])  # even once its time has come
    assert (await read(client, pair, pair.supporter))["messages"] == []
    assert "message_delivered" not in await notice_kinds(client, pair.supporter)
    await upkeep.sweep(db)
    await db.commit()
    assert "message_delivered" not in await notice_kinds(client, pair.supporter)
    mine = (await read(client, pair, pair.seeker))["messages"]
    assert mine[0]["status"] == "not_delivered" and "Not delivered" in mine[0]["delivery_text"]
    stored = await db.scalar(select(Message).where(Message.id == UUID(sent["id"])))
    assert stored.dropped_at is not None


async def test_only_the_two_people_reach_the_messages(client, db, settings):
    pair = await contact_pair(client, db, settings)
    other = await contact_pair(client, db, settings, seeker_name="ana", supporter_name="ben")
    await open_now(db, pair)
    await send(client, pair, pair.seeker, HELLO)
    for person in (other.seeker, pair.coordinator):
        for method, path, body in (
            ("GET", f"{pair.base}/messages", None),
            ("POST", f"{pair.base}/messages", {"body": "hi"}),
            ("POST", f"{pair.base}/messages/read", None),
        ):
            response = await client.request(method, path, json=body, headers=person.headers)
            assert response.status_code == 404, (person.name, method, path)
            assert HELLO not in response.text
    assert (await db.execute(text("SELECT count(*) FROM message"))).scalar() == 1


async def test_coordinators_read_messages_only_through_a_safeguarding_access(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await closed_now(db, pair)
    await send(client, pair, pair.seeker, LATE)  # held: coordinators see it all the same
    url = f"/api/v1/coordination/relationships/{pair.relationship_id}/messages"
    robin = pair.coordinator
    refused = await client.get(url, headers=robin.headers)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/no-safeguarding-access"
    assert LATE not in refused.text
    for person in (pair.seeker, pair.supporter):
        assert (await client.get(url, headers=person.headers)).status_code == 403
    granted = await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={
            "relationship_id": str(pair.relationship_id),
            "reason": "Concern raised about risk to life; need to read recent messages.",
            "minutes": 30,
        },
        headers=robin.headers,
    )
    assert granted.status_code == 201, granted.text
    read_ok = await client.get(url, headers=robin.headers)
    assert read_ok.status_code == 200, read_ok.text
    assert [(m["sender"], m["body"], m["status"]) for m in read_ok.json()["data"]] == [
        ("seeker", LATE, "held")
    ]
    seen = await client.get(f"{pair.base}/safeguarding-log", headers=pair.supporter.headers)
    assert [(e["action"], e["what"]) for e in seen.json()] == [
        ("granted", "content"),
        ("read", "messages"),
    ]
