"""Sessions through the API: propose, confirm or suggest another time, cancel, held or missed,
every refusal with its specific reason, and the counts both people see."""

import asyncio
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import select

from api.common import utcnow
from api.contact import sessions as sessions_service
from api.contact.models import ContactSession
from api.relationships.models import Relationship
from tests.contact.helpers import (
    add_session,
    contact_pair,
    next_weekday,
    notice_kinds,
    notices,
    rid,
)

PROBLEM = "application/problem+json"
LONDON, NEW_YORK = "Europe/London", "America/New_York"
NOTE = "So sorry, my daughter is unwell tonight."


def tuesday(hour: int = 19, minute: int = 0, weeks: int = 1) -> str:
    return next_weekday(1, time(hour, minute), LONDON, weeks=weeks).isoformat()


async def propose(client, pair, person, start: str, channel: str = "video"):
    return await client.post(
        f"{pair.base}/sessions",
        json={"start_at": start, "channel": channel},
        headers=person.headers,
    )


async def test_one_proposes_the_other_confirms_and_both_see_the_counts(client, db, settings):
    pair = await contact_pair(client, db, settings)
    proposed = await propose(client, pair, pair.seeker, tuesday())
    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert body["status"] == "proposed" and body["proposed_by"] == "seeker"
    assert body["proposed_by_me"] is True and body["minutes"] == 45
    assert body["can"] == ["reschedule", "cancel"]
    assert proposed.headers["location"].endswith(f"/sessions/{body['id']}")
    sid = body["id"]

    # Bob was told, on his clock; Sam can't confirm his own proposal.
    told = await notices(client, pair.supporter)
    assert told[0]["kind"] == "session_proposed"
    assert "Sam proposed a session on Tue" in told[0]["text"] and "by video" in told[0]["text"]
    own = await client.post(f"{pair.base}/sessions/{sid}/confirm", headers=pair.seeker.headers)
    assert own.status_code == 409 and "waiting for Bob" in own.json()["detail"]

    seen = await client.get(f"{pair.base}/sessions/{sid}", headers=pair.supporter.headers)
    assert seen.json()["can"] == ["confirm", "reschedule", "cancel"]
    confirmed = await client.post(
        f"{pair.base}/sessions/{sid}/confirm", headers=pair.supporter.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["confirmed_at"]
    again = await client.post(f"{pair.base}/sessions/{sid}/confirm", headers=pair.supporter.headers)
    assert again.status_code == 409
    assert "session_confirmed" in await notice_kinds(client, pair.seeker)

    for person in (pair.seeker, pair.supporter):
        listed = await client.get(f"{pair.base}/sessions", headers=person.headers)
        assert listed.status_code == 200
        assert listed.json()["counts"] == {
            "agreed": 6,
            "held": 0,
            "booked": 1,
            "remaining": 5,
            "planned_ending": False,
            "review_due": False,
        }
        glance = (await client.get(f"{pair.base}/contact", headers=person.headers)).json()
        assert glance["next_session"]["id"] == sid
        assert glance["counts"]["booked"] == 1


async def test_every_refusal_has_its_own_reason(client, db, settings):
    pair = await contact_pair(client, db, settings, sessions_total=2, max_sessions_per_week=1)
    sam, bob = pair.seeker, pair.supporter

    async def refused(start: str, channel: str = "video", person=sam) -> list[dict]:
        response = await propose(client, pair, person, start, channel)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "/problems/session-refused"
        return response.json()["errors"]

    outside = await refused(tuesday(12))
    assert outside[0]["field"] == "start_at" and "isn't inside" in outside[0]["message"]
    assert "18:00\u201322:00 (London time)" in outside[0]["message"]
    channel = await refused(tuesday(), "in_person")
    assert channel == [{"field": "channel", "message": channel[0]["message"]}]
    assert "in-app chat, phone or video" in channel[0]["message"]
    past = await refused((utcnow() - timedelta(minutes=5)).isoformat())
    assert "already passed" in past[0]["message"]

    first = (await propose(client, pair, sam, tuesday())).json()["id"]
    overlap = await refused(tuesday(19, 30), person=bob)
    assert "overlaps your proposed session" in overlap[0]["message"]
    await client.post(f"{pair.base}/sessions/{first}/confirm", headers=bob.headers)
    week = await refused(next_weekday(3, time(19), LONDON).isoformat())  # Thursday, same week
    assert "at most 1 session a week" in week[0]["message"]
    second = await propose(client, pair, sam, tuesday(weeks=2))
    await client.post(f"{pair.base}/sessions/{second.json()['id']}/confirm", headers=bob.headers)
    beyond = await refused(tuesday(weeks=3))
    assert "All 2 agreed sessions are held or booked (0 held, 2 booked)" in beyond[0]["message"]
    # A naive time has no place in time: FastAPI's own 422, as problem+json.
    naive = await propose(client, pair, sam, "2027-03-30T19:00:00")
    assert naive.status_code == 422 and naive.headers["content-type"] == PROBLEM


async def test_nothing_is_arranged_unless_the_relationship_is_active(client, db, settings):
    pair = await contact_pair(client, db, settings)
    sid = (await propose(client, pair, pair.seeker, tuesday())).json()["id"]
    paused = await client.post(f"{pair.base}/pause", headers=pair.supporter.headers)
    assert paused.status_code == 200, paused.text
    refused = await propose(client, pair, pair.seeker, tuesday(weeks=2))
    assert refused.status_code == 409 and "paused" in refused.json()["detail"]
    confirm = await client.post(
        f"{pair.base}/sessions/{sid}/confirm", headers=pair.supporter.headers
    )
    assert confirm.status_code == 409
    # Cancelling is always possible before the end.
    cancel = await client.post(f"{pair.base}/sessions/{sid}/cancel", headers=pair.supporter.headers)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert (await client.post(f"{pair.base}/end", headers=pair.seeker.headers)).is_success
    ended = await propose(client, pair, pair.seeker, tuesday(weeks=2))
    assert ended.status_code == 409 and "ended" in ended.json()["detail"]


async def test_suggesting_another_time_passes_the_question_back(client, db, settings):
    pair = await contact_pair(client, db, settings)
    sid = (await propose(client, pair, pair.seeker, tuesday())).json()["id"]
    moved = await client.post(
        f"{pair.base}/sessions/{sid}/reschedule",
        json={"start_at": tuesday(20), "channel": "phone"},
        headers=pair.supporter.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "proposed" and moved.json()["proposed_by"] == "supporter"
    assert moved.json()["channel"] == "phone"
    kinds = await notice_kinds(client, pair.seeker)
    assert kinds[0] == "session_rescheduled"
    refused = await client.post(
        f"{pair.base}/sessions/{sid}/reschedule",
        json={"start_at": tuesday(23)},
        headers=pair.seeker.headers,
    )
    assert refused.status_code == 422 and "isn't inside" in refused.json()["detail"]
    done = await client.post(f"{pair.base}/sessions/{sid}/confirm", headers=pair.seeker.headers)
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    # A confirmed session can move again: it needs confirming again.
    again = await client.post(
        f"{pair.base}/sessions/{sid}/reschedule",
        json={"start_at": tuesday(19, 15)},
        headers=pair.seeker.headers,
    )
    assert again.json()["status"] == "proposed" and again.json()["channel"] == "phone"


async def test_either_cancels_with_an_optional_sealed_note_never_penalised(client, db, settings):
    pair = await contact_pair(client, db, settings, max_sessions_per_week=1)
    sid = (await propose(client, pair, pair.seeker, tuesday())).json()["id"]
    await client.post(f"{pair.base}/sessions/{sid}/confirm", headers=pair.supporter.headers)
    cancelled = await client.post(
        f"{pair.base}/sessions/{sid}/cancel", json={"note": NOTE}, headers=pair.supporter.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_by"] == "supporter" and cancelled.json()["note"] == NOTE
    seen = await client.get(f"{pair.base}/sessions/{sid}", headers=pair.seeker.headers)
    assert seen.json()["note"] == NOTE and seen.json()["can"] == []
    told = await notices(client, pair.seeker)
    assert told[0]["kind"] == "session_cancelled" and "left a note" in told[0]["text"]
    assert NOTE not in told[0]["text"]
    stored = await db.get(ContactSession, UUID(sid), populate_existing=True)
    assert stored.note_sealed and NOTE.encode() not in stored.note_sealed
    # The time and the week's place are free again; nothing counts against anyone.
    again = await propose(client, pair, pair.seeker, tuesday())
    assert again.status_code == 201
    counts = (await client.get(f"{pair.base}/sessions", headers=pair.seeker.headers)).json()
    assert counts["counts"]["booked"] == 0 and counts["counts"]["remaining"] == 6
    twice = await client.post(f"{pair.base}/sessions/{sid}/cancel", headers=pair.seeker.headers)
    assert twice.status_code == 409
    long = await client.post(
        f"{pair.base}/sessions/{again.json()['id']}/cancel",
        json={"note": "x" * 501},
        headers=pair.seeker.headers,
    )
    assert long.status_code == 422


async def test_held_sessions_count_reach_the_review_and_then_the_planned_ending(
    client, db, settings
):
    pair = await contact_pair(client, db, settings, sessions_total=3, review_after_session=2)
    future = await add_session(db, pair, utcnow() + timedelta(days=2))
    early = await client.post(
        f"{pair.base}/sessions/{future.id}/outcome",
        json={"outcome": "held"},
        headers=pair.seeker.headers,
    )
    assert early.status_code == 409 and "hasn't started" in early.json()["detail"]
    await client.post(f"{pair.base}/sessions/{future.id}/cancel", headers=pair.seeker.headers)

    past = [await add_session(db, pair, utcnow() - timedelta(days=d, hours=1)) for d in (9, 5, 1)]
    missed = await client.post(
        f"{pair.base}/sessions/{past[0].id}/outcome",
        json={"outcome": "missed"},
        headers=pair.supporter.headers,
    )
    assert missed.status_code == 200 and missed.json()["status"] == "missed"
    await add_session(db, pair, utcnow() - timedelta(days=3))  # another, to be held
    sessions_list = (await client.get(f"{pair.base}/sessions", headers=pair.seeker.headers)).json()
    to_hold = [s["id"] for s in sessions_list["sessions"] if s["status"] == "confirmed"]
    assert len(to_hold) == 3
    for n, sid in enumerate(to_hold, start=1):
        held = await client.post(
            f"{pair.base}/sessions/{sid}/outcome",
            json={"outcome": "held"},
            headers=pair.seeker.headers,
        )
        assert held.status_code == 200, held.text
        glance = (await client.get(f"{pair.base}/contact", headers=pair.supporter.headers)).json()
        assert glance["counts"]["held"] == n
        if n == 2:
            assert glance["counts"]["review_due"] is True
            agreement = await client.get(f"{pair.base}/agreement", headers=pair.seeker.headers)
            assert agreement.json()["review"] is True
            assert agreement.json()["sessions_held"] == 2
            assert "review_due" in await notice_kinds(client, pair.supporter)
    twice = await client.post(
        f"{pair.base}/sessions/{to_hold[0]}/outcome",
        json={"outcome": "held"},
        headers=pair.supporter.headers,
    )
    assert twice.status_code == 409  # counted once
    db.expire_all()
    assert (await db.get(Relationship, rid(pair))).sessions_held == 3

    # Every agreed session held: both invited to close, or to agree more.
    for person in (pair.seeker, pair.supporter):
        glance = (await client.get(f"{pair.base}/contact", headers=person.headers)).json()
        assert glance["counts"]["planned_ending"] is True and glance["counts"]["remaining"] == 0
        told = await notices(client, person)
        complete = [n for n in told if n["kind"] == "sessions_complete"]
        assert len(complete) == 1 and "held all 3 sessions" in complete[0]["text"]
    refused = await propose(client, pair, pair.seeker, tuesday())
    assert refused.status_code == 422 and "new version of your agreement" in refused.text
    closed = await client.post(f"{pair.base}/complete", headers=pair.supporter.headers)
    assert closed.status_code == 200, closed.text


async def test_a_new_yorker_and_a_londoner_each_see_their_own_clock(client, db, settings):
    """London windows; Sam lives in New York. 16 March 2027: New York has changed, London not."""
    pair = await contact_pair(client, db, settings, seeker_tz=NEW_YORK, supporter_tz=LONDON)
    start = datetime(2027, 3, 16, 15, 0).replace(tzinfo=None).isoformat() + "-04:00"
    made = await propose(client, pair, pair.seeker, start)
    assert made.status_code == 201, made.text
    assert made.json()["start_at"] == "2027-03-16T19:00:00Z"
    assert made.json()["local_start"] == "Tue 16 Mar, 15:00 (New York time)"
    bob_sees = await client.get(
        f"{pair.base}/sessions/{made.json()['id']}", headers=pair.supporter.headers
    )
    assert bob_sees.json()["local_start"] == "Tue 16 Mar, 19:00 (London time)"
    assert "Tue 16 Mar, 19:00 (London time)" in (await notices(client, pair.supporter))[0]["text"]
    # 14:00 in New York that day is 18:00 in London: inside (18:00-22:00)...
    ok = await propose(client, pair, pair.seeker, "2027-03-23T14:00:00-04:00")
    assert ok.status_code == 201
    # ...but 13:30 is 17:30 in London, and Sam is told the times on his own clock.
    early = await propose(client, pair, pair.seeker, "2027-03-18T13:30:00-04:00")
    assert early.status_code == 422
    assert "Thursday 14:00\u201318:00" in early.json()["detail"]
    assert "(New York time)" in early.json()["detail"]
    # After London changes too (30 March), 18:00 London is 13:00 in New York.
    late = await propose(client, pair, pair.seeker, "2027-03-30T13:00:00-04:00")
    assert late.status_code == 201, late.text
    assert late.json()["start_at"] == "2027-03-30T17:00:00Z"
    slots = await client.get(f"{pair.base}/sessions/slots?days=7", headers=pair.seeker.headers)
    assert slots.status_code == 200 and slots.json()["timezone"] == NEW_YORK
    assert all("(New York time)" in s["local_start"] for s in slots.json()["slots"])


async def test_two_proposals_at_once_cannot_both_take_the_same_time(
    client, db, settings, monkeypatch
):
    """Both requests have read the pair's sessions' state before either writes."""
    pair = await contact_pair(client, db, settings)
    barrier = asyncio.Barrier(2)
    original = sessions_service.lock_pair

    async def held_at_the_barrier(session, relationship_id):
        await asyncio.wait_for(barrier.wait(), timeout=10)
        await original(session, relationship_id)

    monkeypatch.setattr(sessions_service, "lock_pair", held_at_the_barrier)
    answers = await asyncio.gather(
        propose(client, pair, pair.seeker, tuesday(19)),
        propose(client, pair, pair.supporter, tuesday(19, 30)),
    )
    assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 422)
    assert "overlaps" in refused.json()["detail"]
    stored = await db.scalars(
        select(ContactSession).where(ContactSession.relationship_id == rid(pair))
    )
    assert len(stored.all()) == 1


async def test_only_the_two_people_reach_a_session(client, db, settings):
    pair = await contact_pair(client, db, settings)
    other = await contact_pair(client, db, settings, seeker_name="ana", supporter_name="ben")
    sid = (await propose(client, pair, pair.seeker, tuesday())).json()["id"]
    eve, robin = other.seeker, pair.coordinator
    paths = [
        ("GET", f"{pair.base}/contact", None),
        ("GET", f"{pair.base}/sessions", None),
        ("GET", f"{pair.base}/sessions/slots", None),
        ("POST", f"{pair.base}/sessions", {"start_at": tuesday(weeks=2), "channel": "video"}),
        ("GET", f"{pair.base}/sessions/{sid}", None),
        ("POST", f"{pair.base}/sessions/{sid}/confirm", None),
        ("POST", f"{pair.base}/sessions/{sid}/reschedule", {"start_at": tuesday(20)}),
        ("POST", f"{pair.base}/sessions/{sid}/cancel", None),
        ("POST", f"{pair.base}/sessions/{sid}/outcome", {"outcome": "held"}),
    ]
    for person in (eve, robin):
        for method, path, body in paths:
            response = await client.request(method, path, json=body, headers=person.headers)
            assert response.status_code == 404, (person.name, method, path, response.text)
    # Another pair's session through my own relationship: 404 too.
    mine = f"{other.base}/sessions/{sid}"
    assert (await client.get(mine, headers=other.seeker.headers)).status_code == 404
    cancel = await client.post(f"{mine}/cancel", headers=other.seeker.headers)
    assert cancel.status_code == 404
    assert (await client.get(f"{pair.base}/sessions")).status_code == 401
    stored = await db.get(ContactSession, UUID(sid), populate_existing=True)
    assert stored.status == "proposed"


async def test_ending_cancels_future_sessions_and_tells_both(client, db, settings):
    pair = await contact_pair(client, db, settings)
    sid = (await propose(client, pair, pair.seeker, tuesday())).json()["id"]
    await client.post(f"{pair.base}/sessions/{sid}/confirm", headers=pair.supporter.headers)
    pending = (await propose(client, pair, pair.supporter, tuesday(weeks=2))).json()["id"]
    old = await add_session(db, pair, datetime.now(UTC) - timedelta(days=3), status="held")
    assert (await client.post(f"{pair.base}/end", headers=pair.seeker.headers)).is_success
    for person in (pair.seeker, pair.supporter):
        seen = (await client.get(f"{pair.base}/sessions", headers=person.headers)).json()
        status = {s["id"]: s["status"] for s in seen["sessions"]}
        assert status == {sid: "cancelled", pending: "cancelled", str(old.id): "held"}
        assert all(s["can"] == [] for s in seen["sessions"])
        told = await notices(client, person)
        ended = [n for n in told if n["kind"] == "session_cancelled_ended"]
        assert len(ended) == 1 and "as your support has ended" in ended[0]["text"]
