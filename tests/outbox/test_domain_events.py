"""The domains record their events where the change happens, in its transaction: ids and
states only (never what anyone wrote), about the two people concerned."""

import json
from datetime import datetime, time, timedelta

from sqlalchemy import select

from api.common import utcnow
from api.outbox.models import OutboxEvent
from api.relationships import lifecycle
from api.relationships.models import Relationship, State
from tests.contact.helpers import add_session, next_weekday
from tests.relationships.agreement_steps import _consent, _propose
from tests.safety.helpers import active_pair, rid

DETAILS = "He keeps asking for my address and it scares me"


async def _events(db) -> list[OutboxEvent]:
    db.expire_all()
    found = await db.scalars(select(OutboxEvent).order_by(OutboxEvent.occurred_at))
    return list(found.all())


async def test_a_relationship_from_introduction_to_ending_tells_integrators_each_step(
    client, db, settings
):
    from tests.factories import agreeing_pair

    pair = await agreeing_pair(client, db, settings)
    relationship_id = str(pair.relationship_id)
    people = sorted([str(pair.seeker.id), str(pair.supporter.id)])

    assert (await _propose(client, pair, pair.supporter)).status_code == 201
    assert (await _consent(client, pair, pair.seeker, 1)).status_code == 200
    paused = await client.post(f"{pair.base}/pause", headers=pair.supporter.headers)
    assert paused.is_success, paused.text
    await client.post(f"{pair.base}/resume", headers=pair.supporter.headers)
    resumed = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.seeker.headers)
    assert resumed.is_success, resumed.text

    start = next_weekday(1, time(19, 0), "Europe/London")
    proposed = await client.post(
        f"{pair.base}/sessions",
        json={"start_at": start.isoformat(), "channel": "video"},
        headers=pair.seeker.headers,
    )
    assert proposed.status_code == 201, proposed.text
    session_id = proposed.json()["id"]
    confirmed = await client.post(
        f"{pair.base}/sessions/{session_id}/confirm", headers=pair.supporter.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    past_id = str((await add_session(db, pair, utcnow() - timedelta(hours=2))).id)
    held = await client.post(
        f"{pair.base}/sessions/{past_id}/outcome",
        json={"outcome": "held"},
        headers=pair.seeker.headers,
    )
    assert held.status_code == 200, held.text
    raised = await client.post(
        f"{pair.base}/concerns",
        json={"kind": "feel_unsafe", "details": DETAILS, "anonymous": True},
        headers=pair.seeker.headers,
    )
    assert raised.status_code == 201, raised.text
    ended = await client.post(f"{pair.base}/end", headers=pair.seeker.headers)
    assert ended.is_success, ended.text

    events = await _events(db)
    assert [e.type for e in events] == [
        "introduction.created",
        "relationship.active",
        "relationship.paused",
        "relationship.resumed",
        "session.scheduled",
        "session.held",
        "concern.raised",
        "relationship.ended",
    ]
    data = [e.data for e in events]
    assert data[0] == {"relationship_id": relationship_id, "state": "introduced"}
    assert data[1] == {"relationship_id": relationship_id, "state": "active"}
    assert data[2] == {"relationship_id": relationship_id, "state": "paused"}
    assert data[3] == {"relationship_id": relationship_id, "state": "active"}
    assert data[4] == {
        "session_id": session_id,
        "relationship_id": relationship_id,
        "start_at": data[4]["start_at"],
        "state": "confirmed",
    }
    assert datetime.fromisoformat(data[4]["start_at"]) == start
    assert data[5]["state"] == "held" and data[5]["relationship_id"] == relationship_id
    assert data[5]["session_id"] == past_id
    assert data[6] == {"concern_id": raised.json()["id"], "relationship_id": relationship_id}
    assert data[7] == {
        "relationship_id": relationship_id,
        "state": "ended",
        "end_kind": "ended_by_person",
    }
    assert all(sorted(e.about_users) == people for e in events)
    written = json.dumps(data)
    assert DETAILS not in written and "feel_unsafe" not in written and "anonymous" not in written


async def test_a_block_reads_to_integrators_as_a_plain_ending(client, db, settings):
    pair = await active_pair(client, db, settings)
    blocked = await client.post(f"{pair.base}/block", headers=pair.seeker.headers)
    assert blocked.is_success, blocked.text
    (ended,) = [e for e in await _events(db) if e.type == "relationship.ended"]
    assert ended.data == {
        "relationship_id": str(rid(pair)),
        "state": "ended",
        "end_kind": "ended_by_person",
    }


async def test_a_change_that_is_rolled_back_leaves_no_event(client, db, settings):
    pair = await active_pair(client, db, settings)
    before = len(await _events(db))
    relationship = await db.get(Relationship, rid(pair))
    assert relationship is not None
    await lifecycle.move(db, relationship=relationship, target=State.paused, actor_id=None)
    inside = await db.scalars(select(OutboxEvent.type).order_by(OutboxEvent.occurred_at))
    assert inside.all()[-1] == "relationship.paused"  # recorded in the same transaction…
    await db.rollback()  # …and gone with it
    assert len(await _events(db)) == before
