"""Pausing: either person, optionally until a date; carrying on needs both."""

from datetime import timedelta

from sqlalchemy import update

from api.common import utcnow
from api.safety.models import Pause
from tests.factories import agreeing_pair
from tests.safety.helpers import active_pair, notices_of, places_taken, relationship, rid


def _in(days: int) -> str:
    return (utcnow().date() + timedelta(days=days)).isoformat()


async def _safety(client, pair, person) -> dict:
    response = await client.get(f"{pair.base}/safety", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_pause_until_a_date_holds_the_place_and_tells_the_other_person(client, db, settings):
    pair = await active_pair(client, db, settings)
    until = _in(14)
    paused = await client.post(
        f"{pair.base}/pause", json={"until": until}, headers=pair.supporter.headers
    )
    assert paused.status_code == 200, paused.text
    body = paused.json()
    assert body["state"] == "paused"
    assert body["pause"]["until"] == until and body["pause"]["by"] == "me"
    assert body["pause"]["for_safety"] is False and body["pause"]["resume_asked_by"] is None
    assert body["can"]["pause"] is False and body["can"]["change_pause"] is True
    assert await places_taken(db, pair.supporter.id) == 1  # the place stays held
    told = await notices_of(client, pair.seeker)
    assert told[0]["kind"] == "paused"
    assert told[0]["text"].startswith("Bob has paused your support until ")
    assert "no sessions or messages" in told[0]["text"]


async def test_carrying_on_needs_the_other_person_to_acknowledge(client, db, settings):
    pair = await active_pair(client, db, settings)
    assert (await client.post(f"{pair.base}/pause", headers=pair.seeker.headers)).is_success
    asked = await client.post(f"{pair.base}/resume", headers=pair.seeker.headers)
    assert asked.status_code == 200 and asked.json()["state"] == "paused"
    assert asked.json()["pause"]["resume_asked_by"] == "me"
    # Asking twice changes nothing; the asker can't agree on the other person's behalf.
    again = await client.post(f"{pair.base}/resume", headers=pair.seeker.headers)
    assert again.status_code == 200 and again.json()["state"] == "paused"
    own = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.seeker.headers)
    assert own.status_code == 409
    theirs = await _safety(client, pair, pair.supporter)
    assert theirs["pause"]["resume_asked_by"] == "other"
    assert theirs["can"]["acknowledge_resume"] is True
    told = await notices_of(client, pair.supporter)
    assert told[0]["kind"] == "resume_requested" and "Sam would like to carry on" in told[0]["text"]
    agreed = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.supporter.headers)
    assert agreed.status_code == 200 and agreed.json()["state"] == "active"
    assert agreed.json()["pause"] is None
    told = await notices_of(client, pair.seeker)
    assert told[0]["kind"] == "resumed" and told[0]["text"].startswith("Bob has agreed")
    assert await places_taken(db, pair.supporter.id) == 1


async def test_if_both_ask_to_carry_on_the_second_ask_is_the_acknowledgement(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(f"{pair.base}/pause", headers=pair.supporter.headers)
    await client.post(f"{pair.base}/resume", headers=pair.supporter.headers)
    both = await client.post(f"{pair.base}/resume", headers=pair.seeker.headers)
    assert both.json()["state"] == "active"


async def test_nobody_can_acknowledge_what_nobody_asked(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(f"{pair.base}/pause", headers=pair.supporter.headers)
    refused = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.seeker.headers)
    assert refused.status_code == 409 and "Nobody has asked" in refused.json()["detail"]


async def test_from_the_planned_date_the_person_who_paused_counts_as_asking(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(f"{pair.base}/pause", json={"until": _in(3)}, headers=pair.seeker.headers)
    before = await _safety(client, pair, pair.supporter)
    assert before["pause"]["resume_asked_by"] is None
    assert before["can"]["acknowledge_resume"] is False
    # Time passes: the planned date arrives.
    await db.execute(update(Pause).values(until=utcnow().date()))
    await db.commit()
    after = await _safety(client, pair, pair.supporter)
    assert after["pause"]["planned_date_passed"] is True
    assert after["pause"]["resume_asked_by"] == "other"
    assert after["state"] == "paused"  # never resumes on its own
    agreed = await client.post(f"{pair.base}/resume/acknowledge", headers=pair.supporter.headers)
    assert agreed.json()["state"] == "active"


async def test_the_person_who_paused_can_change_the_date(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(f"{pair.base}/pause", json={"until": _in(3)}, headers=pair.seeker.headers)
    changed = await client.patch(
        f"{pair.base}/pause", json={"until": _in(30)}, headers=pair.seeker.headers
    )
    assert changed.status_code == 200 and changed.json()["pause"]["until"] == _in(30)
    told = await notices_of(client, pair.supporter)
    assert told[0]["kind"] == "pause_changed" and "now plans to pause until" in told[0]["text"]
    not_theirs = await client.patch(
        f"{pair.base}/pause", json={"until": _in(5)}, headers=pair.supporter.headers
    )
    assert not_theirs.status_code == 409
    again = await client.post(f"{pair.base}/pause", headers=pair.seeker.headers)
    assert again.status_code == 409  # already paused


async def test_a_planned_date_must_be_after_today_and_within_a_year(client, db, settings):
    pair = await active_pair(client, db, settings)
    for until in (_in(0), _in(-2), _in(400)):
        refused = await client.post(
            f"{pair.base}/pause", json={"until": until}, headers=pair.seeker.headers
        )
        assert refused.status_code == 422, until
        assert refused.json()["errors"][0]["field"] == "until"
    assert (await relationship(db, pair)).state == "active"


async def test_only_an_active_relationship_pauses(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    refused = await client.post(f"{pair.base}/pause", headers=pair.seeker.headers)
    assert refused.status_code == 409 and "can't become paused" in refused.json()["detail"]


async def test_ending_while_paused_frees_the_place_and_closes_the_pause(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(f"{pair.base}/pause", headers=pair.seeker.headers)
    ended = await client.post(f"{pair.base}/end", headers=pair.supporter.headers)
    assert ended.json()["state"] == "ended" and ended.json()["pause"] is None
    assert await places_taken(db, pair.supporter.id) == 0
    db.expire_all()
    pause = await db.get(Pause, (await _pause_id(db, rid(pair))))
    assert pause.over_at is not None


async def _pause_id(db, relationship_id):
    from sqlalchemy import select

    return await db.scalar(select(Pause.id).where(Pause.relationship_id == relationship_id))
