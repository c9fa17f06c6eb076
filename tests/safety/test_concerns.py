"""Concerns reach the coordinators' queue; coordinators pause or end for safety, on record."""

import pytest
from sqlalchemy import text

from tests.personas import peer
from tests.safety.helpers import active_pair, notices_of, places_taken, relationship

DETAILS = "He keeps asking for my home address even though we agreed not to share it."


async def _raise(client, pair, person, **body):
    response = await client.post(
        f"{pair.base}/concerns", json={"kind": "boundary_crossed", **body}, headers=person.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize(
    "kind", ["boundary_crossed", "feel_unsafe", "worried_about_other", "other"]
)
async def test_either_person_raises_any_kind_of_concern(client, db, settings, kind):
    pair = await active_pair(client, db, settings)
    raised = await client.post(
        f"{pair.base}/concerns", json={"kind": kind}, headers=pair.supporter.headers
    )
    assert raised.status_code == 201, raised.text
    assert raised.json()["status"] == "new" and raised.json()["kind"] == kind
    queue = await client.get("/api/v1/coordination/concerns", headers=pair.coordinator.headers)
    assert [c["kind"] for c in queue.json()["data"]] == [kind]
    assert queue.json()["data"][0]["raised_by_role"] == "supporter"


async def test_a_concern_reaches_the_queue_with_an_audit_trail(client, db, settings):
    pair = await active_pair(client, db, settings)
    concern = await _raise(client, pair, pair.seeker, details=DETAILS, anonymous=True)
    # The raiser sees where it stands; the other person never sees it.
    mine = await client.get(f"{pair.base}/concerns", headers=pair.seeker.headers)
    assert [c["id"] for c in mine.json()["data"]] == [concern["id"]]
    assert (await client.get(f"{pair.base}/concerns", headers=pair.supporter.headers)).json()[
        "data"
    ] == []
    for path in (pair.base, f"{pair.base}/safety", "/api/v1/notices"):
        assert DETAILS not in (await client.get(path, headers=pair.supporter.headers)).text
    # Peers can't see the queue.
    assert (
        await client.get("/api/v1/coordination/concerns", headers=pair.seeker.headers)
    ).status_code == 403
    robin = pair.coordinator
    queue = (await client.get("/api/v1/coordination/concerns", headers=robin.headers)).json()[
        "data"
    ]
    assert len(queue) == 1
    item = queue[0]
    assert item["details"] == DETAILS and item["anonymous"] is True
    assert item["seeker_name"] == "Sam" and item["supporter_name"] == "Bob"
    url = f"/api/v1/coordination/concerns/{concern['id']}"
    nothing = await client.patch(url, json={}, headers=robin.headers)
    assert nothing.status_code == 422
    taken = await client.patch(
        url,
        json={"status": "in_progress", "note": "Called Sam; agreed next steps."},
        headers=robin.headers,
    )
    assert taken.status_code == 200, taken.text
    closed = await client.patch(url, json={"status": "resolved"}, headers=robin.headers)
    trail = [
        (e["action"], e["from_status"], e["to_status"], e["by"]) for e in closed.json()["events"]
    ]
    assert trail == [
        ("raised", None, None, "seeker"),
        ("status", "new", "in_progress", "Robin"),
        ("status", "in_progress", "resolved", "Robin"),
    ]
    assert closed.json()["events"][1]["note"] == "Called Sam; agreed next steps."
    # Closed concerns leave the default queue but can be listed.
    assert (await client.get("/api/v1/coordination/concerns", headers=robin.headers)).json()[
        "data"
    ] == []
    listed = await client.get(
        "/api/v1/coordination/concerns?status=resolved", headers=robin.headers
    )
    assert [c["id"] for c in listed.json()["data"]] == [concern["id"]]
    # The raiser sees the status, never the coordinators' notes.
    mine = (await client.get(f"{pair.base}/concerns", headers=pair.seeker.headers)).json()["data"]
    assert mine[0]["status"] == "resolved" and "note" not in mine[0]
    assert "agreed next steps" not in str(mine)


async def test_concern_text_is_sealed_at_rest(client, db, settings):
    pair = await active_pair(client, db, settings)
    concern = await _raise(client, pair, pair.seeker, details=DETAILS)
    await client.patch(
        f"/api/v1/coordination/concerns/{concern['id']}",
        json={"note": "Spoke to both of them about sharing addresses."},
        headers=pair.coordinator.headers,
    )
    for query in ("SELECT details_sealed FROM concern", "SELECT note_sealed FROM concern_event"):
        for (blob,) in (await db.execute(text(query))).all():
            if blob is not None:
                assert b"address" not in bytes(blob)


async def test_a_concern_after_the_ending_and_not_by_strangers(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(f"{pair.base}/end", headers=pair.supporter.headers)
    after = await _raise(client, pair, pair.seeker, kind="feel_unsafe")
    assert after["status"] == "new"
    eve = await peer(client, "eve")
    stranger = await client.post(
        f"{pair.base}/concerns", json={"kind": "other"}, headers=eve.headers
    )
    assert stranger.status_code == 404


async def test_a_coordinator_pauses_for_safety_with_a_recorded_reason(client, db, settings):
    pair = await active_pair(client, db, settings)
    concern = await _raise(client, pair, pair.seeker, details=DETAILS)
    url = f"/api/v1/coordination/relationships/{pair.relationship_id}"
    reason = "Concern about sharing addresses; pausing while we talk to both."
    peers = await client.post(
        f"{url}/safety-pause", json={"reason": reason}, headers=pair.seeker.headers
    )
    assert peers.status_code == 403
    short = await client.post(
        f"{url}/safety-pause", json={"reason": "because"}, headers=pair.coordinator.headers
    )
    assert short.status_code == 422
    paused = await client.post(
        f"{url}/safety-pause",
        json={"reason": reason, "concern_id": concern["id"]},
        headers=pair.coordinator.headers,
    )
    assert paused.status_code == 200, paused.text
    health = paused.json()
    assert health["state"] == "paused" and health["safety_hold"] is True
    assert health["safety_pause_reason"] == reason and health["paused_by"] == "coordinator"
    assert await places_taken(db, pair.supporter.id) == 1
    # Both are told, kindly; neither sees the reason; neither can carry on alone.
    for person in (pair.seeker, pair.supporter):
        told = await notices_of(client, person)
        assert told[0]["kind"] == "paused_for_safety"
        seen = await client.get(f"{pair.base}/safety", headers=person.headers)
        assert seen.json()["pause"]["for_safety"] is True and reason not in seen.text
        assert seen.json()["can"]["ask_to_resume"] is False
        refused = await client.post(f"{pair.base}/resume", headers=person.headers)
        assert refused.status_code == 409 and "coordinator" in refused.json()["detail"]
    # The concern moved on, on record.
    found = await client.get(
        f"/api/v1/coordination/concerns/{concern['id']}", headers=pair.coordinator.headers
    )
    assert found.json()["status"] == "in_progress"
    assert [e["action"] for e in found.json()["events"]] == ["raised", "safety_pause"]
    # Lifting the hold lets the two carry on when both are ready.
    lifted = await client.post(f"{url}/safety-pause/lift", headers=pair.coordinator.headers)
    assert lifted.status_code == 200 and lifted.json()["state"] == "paused"
    assert lifted.json()["safety_hold"] is False
    await client.post(f"{pair.base}/resume", headers=pair.seeker.headers)
    back = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.supporter.headers)
    assert back.json()["state"] == "active"


async def test_a_coordinator_ends_for_safety_and_both_are_told_kindly(client, db, settings):
    pair = await active_pair(client, db, settings)
    url = f"/api/v1/coordination/relationships/{pair.relationship_id}"
    reason = "Repeated boundary crossings after a safety pause and a conversation."
    ended = await client.post(
        f"{url}/safety-end", json={"reason": reason}, headers=pair.coordinator.headers
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["end_kind"] == "ended_for_safety"
    assert ended.json()["ended_by"] == "coordinator"
    assert ended.json()["safety_end_reason"] == reason
    assert await places_taken(db, pair.supporter.id) == 0
    stored = await relationship(db, pair)
    assert stored.end_kind == "ended_for_safety" and stored.ended_by == pair.coordinator.id
    for person in (pair.seeker, pair.supporter):
        told = await notices_of(client, person)
        assert told[0]["kind"] == "ended_for_safety"
        assert "to keep everyone safe" in told[0]["text"]
        seen = await client.get(f"{pair.base}/safety", headers=person.headers)
        assert seen.json()["ending"]["how"] == "ended_for_safety"
        assert seen.json()["ending"]["by"] == "coordinator" and reason not in seen.text
    again = await client.post(
        f"{url}/safety-end", json={"reason": reason}, headers=pair.coordinator.headers
    )
    assert again.status_code == 409
    assert (
        await client.post(
            f"{url}/safety-pause", json={"reason": reason}, headers=pair.coordinator.headers
        )
    ).status_code == 409


async def test_coordinator_health_view_shows_no_content(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": "going_through", "description": "My own private words"}],
        headers=pair.seeker.headers,
    )
    await client.post(
        f"{pair.base}/end",
        json={"reason_category": "need_different_support", "closing_message": "Bye for now"},
        headers=pair.seeker.headers,
    )
    health = await client.get(
        f"/api/v1/coordination/relationships/{pair.relationship_id}/safety",
        headers=pair.coordinator.headers,
    )
    assert health.status_code == 200
    assert health.json()["reason_category"] == "need_different_support"
    assert health.json()["ended_by"] == "seeker"
    assert "Bye for now" not in health.text and "private words" not in health.text
