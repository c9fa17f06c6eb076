import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.common import utcnow
from api.relationships.models import Relationship, RelationshipEvent
from api.supporters.models import SupporterOffer
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import peer, staff

GOING, FURTHER = "going_through", "further_along"


async def _choose(client, seeker, request, supporter):
    return await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(supporter.id)},
        headers=seeker.headers,
    )


async def test_choose_accept_and_the_pair_starts_agreeing(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], capacity=1)
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    chosen = await _choose(client, sam, request, bob)
    assert chosen.status_code == 201 and chosen.json()["status"] == "waiting for their answer"
    inbox = (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"]
    assert [i["id"] for i in inbox] == [chosen.json()["id"]]
    assert inbox[0]["seeker_display_name"] == "Sam" and inbox[0]["reasons"]
    # Only one introduction at a time per request.
    again = await _choose(client, sam, request, bob)
    assert again.status_code == 409
    accepted = await client.post(
        f"/api/v1/introductions/{inbox[0]['id']}/accept", headers=bob.headers
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "agreeing"
    offer = (
        await db.execute(select(SupporterOffer).where(SupporterOffer.user_id == bob.id))
    ).scalar_one()
    assert offer.active_count == 1
    events = (
        await db.execute(select(RelationshipEvent.to_state).order_by(RelationshipEvent.at))
    ).scalars()
    assert list(events) == ["introduced", "agreeing"]
    current = (await client.get("/api/v1/support-requests/current", headers=sam.headers)).json()
    assert current["status"] == "matched" and current["introductions"][0]["status"] == "accepted"
    # Bob is now full: he disappears from other seekers' shortlists.
    uma, other = await seeker_with_request(client, "uma", [(1, GOING)])
    shortlist = await client.get(
        f"/api/v1/support-requests/{other['id']}/shortlist", headers=uma.headers
    )
    assert shortlist.json() == []


async def test_a_decline_is_only_ever_not_available_right_now(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    cat = await ready_supporter(client, robin, "cat", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = (await _choose(client, sam, request, bob)).json()
    declined = await client.post(
        f"/api/v1/introductions/{intro['id']}/decline", headers=bob.headers
    )
    assert declined.status_code == 200
    current = await client.get("/api/v1/support-requests/current", headers=sam.headers)
    assert current.json()["status"] == "waiting"
    assert current.json()["introductions"][0]["status"] == "not available right now"
    assert "declin" not in current.text
    # Bob is not offered again for this request; Sam picks again.
    shortlist = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist", headers=sam.headers
    )
    assert [c["supporter_id"] for c in shortlist.json()] == [str(cat.id)]
    assert (await _choose(client, sam, request, bob)).status_code == 409
    assert (await _choose(client, sam, request, cat)).status_code == 201


async def test_unanswered_introductions_expire(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = (await _choose(client, sam, request, bob)).json()
    await db.execute(update(Relationship).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    assert (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"] == []
    late = await client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=bob.headers)
    assert late.status_code == 409
    current = (await client.get("/api/v1/support-requests/current", headers=sam.headers)).json()
    assert current["status"] == "waiting"
    assert current["introductions"][0]["status"] == "not available right now"


async def test_only_the_introduced_supporter_can_answer(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    eve = await ready_supporter(client, robin, "eve", [(2, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = (await _choose(client, sam, request, bob)).json()
    for who in (eve, sam, robin):
        response = await client.post(
            f"/api/v1/introductions/{intro['id']}/accept", headers=who.headers
        )
        assert response.status_code == 404
    assert (await client.get("/api/v1/introductions", headers=eve.headers)).json()["data"] == []


async def test_accepting_twice_is_a_conflict_and_changes_nothing(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    intro = (await _choose(client, sam, request, bob)).json()
    first = await client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=bob.headers)
    second = await client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=bob.headers)
    assert first.status_code == 200 and second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    offer = (
        await db.execute(select(SupporterOffer).where(SupporterOffer.user_id == bob.id))
    ).scalar_one()
    assert offer.active_count == 1


@pytest.mark.postgres_only
async def test_parallel_accepts_never_exceed_capacity(client, db, settings, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], capacity=3)
    # Two of his three places are taken already.
    await db.execute(
        update(SupporterOffer).where(SupporterOffer.user_id == bob.id).values(active_count=2)
    )
    await db.commit()
    intros = []
    for n in range(8):
        seeker, request = await seeker_with_request(client, f"s{n}", [(1, GOING)])
        response = await _choose(client, seeker, request, bob)
        assert response.status_code == 201, response.text
        intros.append(response.json()["id"])
    answers = await asyncio.gather(
        *(client.post(f"/api/v1/introductions/{i}/accept", headers=bob.headers) for i in intros)
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * 7, codes
    assert {a.json()["type"] for a in answers if a.status_code == 409} == {
        "/problems/supporter-full"
    }
    offer = (
        await db.execute(select(SupporterOffer).where(SupporterOffer.user_id == bob.id))
    ).scalar_one()
    await db.refresh(offer)
    assert offer.active_count == 3
    agreeing = await db.execute(select(Relationship).where(Relationship.state == "agreeing"))
    assert len(agreeing.all()) == 1


async def test_a_coordinator_proposes_a_match_for_a_waiting_seeker(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    _sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    waiting = (await client.get("/api/v1/coordination/waiting-list", headers=robin.headers)).json()
    assert [w["id"] for w in waiting["data"]] == [request["id"]]
    options = await client.get(
        f"/api/v1/coordination/support-requests/{request['id']}/shortlist", headers=robin.headers
    )
    assert options.json()[0]["supporter_id"] == str(bob.id)
    proposed = await client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request["id"], "supporter_id": str(bob.id)},
        headers=robin.headers,
    )
    assert proposed.status_code == 201 and proposed.json()["state"] == "introduced"
    inbox = (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"]
    assert inbox[0]["source"] == "coordinator"
    alice = await peer(client, "alice")
    forbidden = await client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request["id"], "supporter_id": str(bob.id)},
        headers=alice.headers,
    )
    assert forbidden.status_code == 403


async def test_batch_assignment_is_a_draft_until_sent_and_respects_capacity(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)], capacity=1)
    cat = await ready_supporter(client, robin, "cat", [(2, FURTHER)], capacity=2)
    seekers = [
        await seeker_with_request(client, "s1", [(1, GOING)]),
        await seeker_with_request(client, "s2", [(1, GOING)]),
        await seeker_with_request(client, "s3", [(2, GOING)]),
        await seeker_with_request(client, "s4", [(2, GOING)]),
    ]
    draft = await client.post("/api/v1/coordination/batches", headers=robin.headers)
    assert draft.status_code == 201, draft.text
    body = draft.json()
    assert body["status"] == "draft" and body["stats"]["waiting"] == 4
    per_supporter = {}
    for item in body["items"]:
        per_supporter[item["supporter_id"]] = per_supporter.get(item["supporter_id"], 0) + 1
    assert per_supporter.get(str(bob.id), 0) <= 1 and per_supporter.get(str(cat.id), 0) <= 2
    assert len(body["items"]) == 3 and body["stats"]["unassigned"] == 1
    assert body["total_score"] >= body["stats"]["greedy_total"]
    # Nothing is sent before review.
    assert (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"] == []
    first = body["items"][0]
    removed = await client.delete(
        f"/api/v1/coordination/batches/{body['id']}/items/{first['id']}", headers=robin.headers
    )
    assert len(removed.json()["items"]) == 2
    sent = await client.post(
        f"/api/v1/coordination/batches/{body['id']}/send", headers=robin.headers
    )
    assert sent.json() == {"sent": 2, "skipped": 0}
    again = await client.post(
        f"/api/v1/coordination/batches/{body['id']}/send", headers=robin.headers
    )
    assert again.status_code == 409
    waiting = (await client.get("/api/v1/coordination/waiting-list", headers=robin.headers)).json()
    assert len(waiting["data"]) == 2
    assert seekers
