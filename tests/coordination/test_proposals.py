"""A coordinator proposes a specific supporter for a waiting seeker, with notes: every matching
rule holds, the supporter reads their note, the seeker only theirs, and a refusal says why."""

from uuid import UUID

from sqlalchemy import func, select, update

from api.matching.models import Block, IntroductionNote
from api.relationships.models import Relationship
from api.supporters.models import SupporterOffer
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import peer, staff
from tests.safety.helpers import notices_of

GOING, FURTHER = "going_through", "further_along"
TO_CLEO = "I thought of you: you both lost a parent young, and Sam likes evenings."
TO_SAM = "Cleo has been where you are. I hope it helps. Robin"


async def _propose(client, robin, request, supporter, **notes):
    return await client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request["id"], "supporter_id": str(supporter.id), **notes},
        headers=robin.headers,
    )


async def test_a_proposal_with_notes_reaches_each_person_and_only_their_own_note(
    client, db, settings
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    cleo = await ready_supporter(client, robin, "cleo", [(1, FURTHER)])
    sam, request = await seeker_with_request(
        client, "sam", [(1, GOING)], topics_to_avoid=["my brother"]
    )
    proposed = await _propose(client, robin, request, cleo, note=TO_CLEO, note_to_seeker=TO_SAM)
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["state"] == "introduced"

    inbox = (await client.get("/api/v1/introductions", headers=cleo.headers)).json()["data"]
    assert [i["id"] for i in inbox] == [proposed.json()["id"]]
    assert inbox[0]["coordinator_note"] == TO_CLEO and inbox[0]["source"] == "coordinator"
    assert inbox[0]["seeker_topics_to_avoid"] == ["my brother"]  # shown as with any introduction
    assert inbox[0]["reasons"]
    assert (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"] == []

    current = await client.get("/api/v1/support-requests/current", headers=sam.headers)
    [intro] = current.json()["introductions"]
    assert intro["coordinator_note"] == TO_SAM and intro["status"] == "waiting for their answer"
    told = await notices_of(client, sam)
    assert told[0]["kind"] == "match_proposed"
    assert "asked a peer supporter" in told[0]["text"]
    everything_sam_sees = current.text + str(told)
    assert TO_CLEO not in everything_sam_sees and "lost a parent young" not in everything_sam_sees

    stored = await db.get(IntroductionNote, UUID(proposed.json()["id"]))
    assert stored is not None and stored.written_by == robin.id
    assert b"parent young" not in stored.to_supporter_sealed and stored.to_seeker_sealed

    exported = (await client.get("/api/v1/me/export", headers=cleo.headers)).json()
    assert exported["relationships"][0]["coordinator_note"] == TO_CLEO
    exported = (await client.get("/api/v1/me/export", headers=sam.headers)).json()
    assert exported["relationships"][0]["coordinator_note"] == TO_SAM

    # "Not right now" from Cleo reaches Sam gently, and says who asked.
    declined = await client.post(
        f"/api/v1/introductions/{proposed.json()['id']}/decline", headers=cleo.headers
    )
    assert declined.status_code == 200
    told = await notices_of(client, sam)
    assert told[0]["text"].startswith("The supporter a coordinator suggested for you")


async def test_a_proposal_without_notes_and_a_seeker_who_asked_a_coordinator(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    asked = await client.put(
        f"/api/v1/support-requests/{request['id']}/coordinator-choice",
        json={"ask": True},
        headers=sam.headers,
    )
    assert asked.status_code == 200
    proposed = await _propose(client, robin, request, bob)
    assert proposed.status_code == 201, proposed.text
    inbox = (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"]
    assert inbox[0]["coordinator_note"] is None
    told = await notices_of(client, sam)
    assert told[0]["text"].startswith("You asked a coordinator to choose for you, and they have.")
    assert await db.scalar(select(func.count()).select_from(IntroductionNote)) == 0


async def test_a_supporter_who_cant_be_introduced_is_refused_with_the_reason(client, db, settings):
    robin = await staff(client, db, settings)
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    paused = await ready_supporter(client, robin, "pia", [(1, FURTHER)])
    assert (
        await client.patch("/api/v1/supporter-offer", json={"paused": True}, headers=paused.headers)
    ).status_code == 200
    suspended = await ready_supporter(client, robin, "sol", [(1, FURTHER)])
    assert (
        await client.post(
            f"/api/v1/coordination/supporters/{suspended.id}/suspend", headers=robin.headers
        )
    ).status_code == 200
    full = await ready_supporter(client, robin, "fay", [(1, FURTHER)], capacity=1)
    await db.execute(
        update(SupporterOffer).where(SupporterOffer.user_id == full.id).values(active_count=1)
    )
    await db.commit()
    blocked = await ready_supporter(client, robin, "bea", [(1, FURTHER)])
    db.add(Block(blocker_id=sam.id, blocked_id=blocked.id))
    await db.commit()
    french = await ready_supporter(client, robin, "fred", [(1, FURTHER)], languages=["fr"])
    phone = await ready_supporter(client, robin, "phil", [(1, FURTHER)], channels=["phone"])
    taxonomy = (await client.get("/api/v1/taxonomy", headers=sam.headers)).json()
    other = next(c for c in taxonomy if all(t["id"] != 1 for t in c["tags"]))["tags"][0]["id"]
    elsewhere = await ready_supporter(client, robin, "eva", [(other, FURTHER)])
    just_a_peer = await peer(client, "pat")

    expected = [
        (paused, "Pia has paused taking new people."),
        (suspended, "Sol is suspended, so they can't be introduced to anyone for now."),
        (full, "Fay has no free place: all 1 they offered are taken. Only they can change that."),
        (blocked, "Bea and Sam are kept apart (a block, or support they had before)."),
        (french, "Fred and Sam don't share a language."),
        (phone, "Phil and Sam have no way of being in contact in common."),
        (
            elsewhere,
            "Eva and Sam have no experience, or no free time in the week, in common "
            "that a match could be made on.",
        ),
        (just_a_peer, "Pat isn't an approved supporter."),
        (sam, "Nobody can be their own supporter."),
    ]
    for person, why in expected:
        refused = await _propose(client, robin, request, person, note="A note")
        assert refused.status_code == 409, (person.name, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "/problems/supporter-not-available"
        assert refused.json()["detail"] == why, person.name
    too_long = await _propose(client, robin, request, paused, note="x" * 601)
    assert too_long.status_code == 422
    assert await db.scalar(select(func.count()).select_from(Relationship)) == 0

    cleo = await ready_supporter(client, robin, "cleo", [(1, FURTHER)])
    assert (await _propose(client, robin, request, cleo)).status_code == 201
    again = await _propose(client, robin, request, cleo)
    assert again.status_code == 409
    assert (
        again.json()["detail"]
        == "An introduction for this person is already waiting for an answer."
    )


async def test_a_peer_cannot_propose_and_an_unknown_request_is_not_found(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    refused = await _propose(client, sam, request, bob, note="hi")
    assert refused.status_code == 403
    unknown = await _propose(client, robin, {"id": str(bob.id)}, bob)
    assert unknown.status_code == 404
    assert (await client.get("/api/v1/introductions", headers=bob.headers)).json()["data"] == []
