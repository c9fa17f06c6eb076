"""Blocks and "never again": honoured by every way of matching, in both directions."""

from uuid import UUID, uuid4

from sqlalchemy import update

from api.matching.models import RequestStatus, SupportRequest
from api.matching.pairs import kept_apart
from api.relationships.models import Relationship, RelationshipEvent, State
from api.supporters.models import SupporterOffer
from tests.matching.people import ready_supporter
from tests.personas import staff
from tests.safety.helpers import notices_of, places_taken

GOING, FURTHER = "going_through", "further_along"


async def _ask(client, person, tags=(1,)) -> dict:
    response = await client.post(
        "/api/v1/support-requests",
        json={"tag_ids": list(tags), "preferences": {}},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _shortlist(client, person, request) -> set[UUID]:
    response = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist?k=20", headers=person.headers
    )
    assert response.status_code == 200, response.text
    return {UUID(c["supporter_id"]) for c in response.json()}


async def _relate(db, seeker, supporter, request) -> str:
    """What accepting an introduction leaves behind: an active relationship holding a place."""
    relationship = Relationship(
        seeker_id=seeker.id,
        supporter_id=supporter.id,
        request_id=UUID(request["id"]),
        state=State.active,
        agreed_version=1,
    )
    db.add(relationship)
    await db.flush()
    db.add(
        RelationshipEvent(relationship_id=relationship.id, actor_id=supporter.id, to_state="active")
    )
    await db.execute(
        update(SupporterOffer)
        .where(SupporterOffer.user_id == supporter.id)
        .values(active_count=SupporterOffer.active_count + 1)
    )
    await db.execute(
        update(SupportRequest)
        .where(SupportRequest.id == relationship.request_id)
        .values(status=RequestStatus.matched)
    )
    await db.commit()
    return f"/api/v1/relationships/{relationship.id}"


async def _two_supporters_who_both_seek(client, db, settings):
    """Ann and Ben are both approved supporters and both look for support; Cal is another
    supporter, there to show the shortlists work."""
    robin = await staff(client, db, settings)
    ann = await ready_supporter(client, robin, "ann", [(1, GOING), (2, FURTHER)])
    ben = await ready_supporter(client, robin, "ben", [(1, FURTHER), (2, GOING)])
    cal = await ready_supporter(client, robin, "cal", [(1, FURTHER), (2, FURTHER)])
    return robin, ann, ben, cal


async def test_a_blocked_pair_never_appears_in_each_others_shortlist(client, db, settings):
    robin, ann, ben, cal = await _two_supporters_who_both_seek(client, db, settings)
    ann_request = await _ask(client, ann)
    assert {ben.id, cal.id} <= await _shortlist(client, ann, ann_request)
    base = await _relate(db, ann, ben, ann_request)
    blocked = await client.post(f"{base}/block", headers=ann.headers)
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["state"] == "ended" and blocked.json()["blocked_by_me"] is True
    assert blocked.json()["ending"]["how"] == "blocked"
    assert await places_taken(db, ben.id) == 0  # the block ended it at once

    # Ann looks again (one tap): Ben is never suggested.
    again = await client.post(f"{base}/new-match", headers=ann.headers)
    assert again.status_code == 201, again.text
    mine = await _shortlist(client, ann, {"id": again.json()["request_id"]})
    assert cal.id in mine and ben.id not in mine
    # Ben looks for support himself: Ann, a supporter too, is never suggested to him.
    ben_request = await _ask(client, ben, tags=(2,))
    theirs = await _shortlist(client, ben, ben_request)
    assert cal.id in theirs and ann.id not in theirs
    # Nor can a coordinator propose them, either way round, nor a batch pair them.
    for request, supporter in ((again.json()["request_id"], ben), (ben_request["id"], ann)):
        proposed = await client.post(
            "/api/v1/coordination/proposals",
            json={"request_id": str(request), "supporter_id": str(supporter.id)},
            headers=robin.headers,
        )
        assert proposed.status_code == 409, proposed.text
    batch = await client.post("/api/v1/coordination/batches", headers=robin.headers)
    assert batch.status_code == 201, batch.text
    pairs = {(i["seeker_id"], i["supporter_id"]) for i in batch.json()["items"]}
    assert (str(ann.id), str(ben.id)) not in pairs and (str(ben.id), str(ann.id)) not in pairs


async def test_the_blocked_person_is_told_kindly_not_that_they_were_blocked(client, db, settings):
    _robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    base = await _relate(db, ann, ben, await _ask(client, ann))
    await client.post(f"{base}/block", headers=ann.headers)
    seen = (await client.get(f"{base}/safety", headers=ben.headers)).json()
    assert seen["ending"]["how"] == "ended_by_person" and seen["ending"]["by"] == "other"
    assert seen["blocked_by_me"] is False
    told = [n for n in await notices_of(client, ben) if n["kind"] != "offer_approved"]
    assert [n["kind"] for n in told] == ["ended"]
    assert "block" not in told[0]["text"].lower()
    assert "block" not in " ".join(str(v) for v in seen["ending"].values()).lower()


async def test_blocking_after_an_ending_still_keeps_the_pair_apart(client, db, settings):
    _robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    base = await _relate(db, ann, ben, await _ask(client, ann))
    assert (await client.post(f"{base}/end", headers=ann.headers)).is_success
    late = await client.post(f"{base}/block", headers=ben.headers)
    assert late.status_code == 200 and late.json()["blocked_by_me"] is True
    assert late.json()["ending"]["how"] == "ended_by_person"  # how it ended doesn't change
    again = await client.post(f"{base}/block", headers=ben.headers)
    assert again.status_code == 200  # blocking twice is harmless
    # Ann would gladly meet Ben again; Ben's block still wins.
    for person in (ann, ben):
        await client.put(f"{base}/match-again", json={"glad": True}, headers=person.headers)
    request = await client.post(f"{base}/new-match", headers=ann.headers)
    assert ben.id not in await _shortlist(client, ann, {"id": request.json()["request_id"]})


async def test_an_ended_pair_is_never_matched_again_unless_both_say_yes(client, db, settings):
    _robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    first = await _ask(client, ann)
    base = await _relate(db, ann, ben, first)
    await client.post(
        f"{base}/end", json={"reason_category": "no_time_or_energy"}, headers=ben.headers
    )
    request = {
        "id": (await client.post(f"{base}/new-match", headers=ann.headers)).json()["request_id"]
    }
    assert ben.id not in await _shortlist(client, ann, request)
    ben_request = await _ask(client, ben, tags=(2,))
    assert ann.id not in await _shortlist(client, ben, ben_request)  # roles swapped: still apart

    said = await client.put(f"{base}/match-again", json={"glad": True}, headers=ann.headers)
    assert said.status_code == 200
    assert said.json()["glad_to_match_again"] is True
    assert said.json()["both_glad_to_match_again"] is False
    assert ben.id not in await _shortlist(client, ann, request)
    # Ben is never told what Ann said, until he says yes too.
    assert (await client.get(f"{base}/safety", headers=ben.headers)).json()[
        "both_glad_to_match_again"
    ] is False
    both = await client.put(f"{base}/match-again", json={"glad": True}, headers=ben.headers)
    assert both.json()["both_glad_to_match_again"] is True
    assert ben.id in await _shortlist(client, ann, request)
    assert ann.id in await _shortlist(client, ben, ben_request)
    # Either can take it back at any time.
    await client.put(f"{base}/match-again", json={"glad": False}, headers=ann.headers)
    assert ben.id not in await _shortlist(client, ann, request)


async def test_safety_endings_and_concerns_rule_out_meeting_again(client, db, settings):
    _robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    base = await _relate(db, ann, ben, await _ask(client, ann))
    await client.post(f"{base}/concerns", json={"kind": "other"}, headers=ben.headers)
    await client.post(f"{base}/end", headers=ann.headers)
    refused = await client.put(f"{base}/match-again", json={"glad": True}, headers=ann.headers)
    assert refused.status_code == 409
    seen = (await client.get(f"{base}/safety", headers=ann.headers)).json()
    assert seen["can"]["match_again"] is False


async def test_a_new_match_keeps_the_request_and_preferences(client, db, settings):
    _robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    response = await client.post(
        "/api/v1/support-requests",
        json={"tag_ids": [1, 2], "preferences": {"further_along": True}},
        headers=ann.headers,
    )
    first = response.json()
    base = await _relate(db, ann, ben, first)
    early = await client.post(f"{base}/new-match", headers=ann.headers)
    assert early.status_code == 409  # not ended yet
    await client.post(f"{base}/end", headers=ben.headers)
    not_the_seeker = await client.post(f"{base}/new-match", headers=ben.headers)
    assert not_the_seeker.status_code == 403
    again = await client.post(f"{base}/new-match", headers=ann.headers)
    assert again.status_code == 201, again.text
    assert again.json()["tag_ids"] == [1, 2] and again.json()["status"] == "waiting"
    current = (await client.get("/api/v1/support-requests/current", headers=ann.headers)).json()
    assert current["id"] == again.json()["request_id"] != first["id"]
    assert current["preferences"]["further_along"] is True
    twice = await client.post(f"{base}/new-match", headers=ann.headers)
    assert twice.status_code == 409 and "already looking" in twice.json()["detail"]
    status = (await client.get(f"{base}/safety", headers=ann.headers)).json()
    assert status["can"]["new_match"] is False


async def test_feedback_goes_to_coordinators_only(client, db, settings):
    robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    base = await _relate(db, ann, ben, await _ask(client, ann))
    words = "Ben was kind but we never found a time that worked for both of us."
    early = await client.post(f"{base}/feedback", json={"text": words}, headers=ann.headers)
    assert early.status_code == 409
    await client.post(f"{base}/end", headers=ann.headers)
    left = await client.post(f"{base}/feedback", json={"text": words}, headers=ann.headers)
    assert left.status_code == 201, left.text
    for path in (base, f"{base}/safety", f"{base}/events", "/api/v1/notices"):
        seen = await client.get(path, headers=ben.headers)
        assert words not in seen.text, path
    peers = await client.get("/api/v1/coordination/feedback", headers=ann.headers)
    assert peers.status_code == 403
    read = await client.get("/api/v1/coordination/feedback", headers=robin.headers)
    assert read.status_code == 200
    assert [(f["text"], f["author_role"]) for f in read.json()["data"]] == [(words, "seeker")]


async def test_a_waiting_list_of_thousands_is_checked_in_one_call(client, db, settings):
    # A batch asks about every waiting seeker at once; each id is bound four times, and
    # PostgreSQL's driver takes at most 32,767 parameters a statement (10,000 seekers once
    # failed there).
    _robin, ann, ben, _cal = await _two_supporters_who_both_seek(client, db, settings)
    base = await _relate(db, ann, ben, await _ask(client, ann))
    assert (await client.post(f"{base}/block", headers=ann.headers)).status_code == 200
    strangers = [uuid4() for _ in range(12_000)]
    apart = await kept_apart(db, [*strangers[:6000], ben.id, *strangers[6000:], ann.id])
    assert len(apart) == 12_002
    assert apart[ann.id] == {ben.id} and apart[ben.id] == {ann.id}
    assert not any(apart[s] for s in strangers)
