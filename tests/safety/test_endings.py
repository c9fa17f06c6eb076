"""Ending: either person, at any time, no reason needed; explicit, final and kind."""

from uuid import UUID

import pytest
from sqlalchemy import select, text, update

from api.contact import upkeep
from api.relationships.models import Relationship, RelationshipEvent
from api.safety.models import Ending
from tests.personas import peer
from tests.safety.helpers import active_pair, notices_of, places_taken, relationship, rid

PROBLEM = "application/problem+json"
MESSAGE = "Thank you for every Tuesday evening. I feel ready to walk on my own now."


async def test_either_person_ends_with_no_reason_and_the_place_is_free_at_once(
    client, db, settings
):
    pair = await active_pair(client, db, settings)
    assert await places_taken(db, pair.supporter.id) == 1
    ended = await client.post(f"{pair.base}/end", headers=pair.supporter.headers)
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert body["state"] == "ended"
    assert body["ending"]["how"] == "ended_by_person" and body["ending"]["by"] == "me"
    assert body["can"]["end"] is False and body["can"]["feedback"] is True
    assert await places_taken(db, pair.supporter.id) == 0
    stored = await relationship(db, pair)
    assert stored.end_kind == "ended_by_person" and stored.ended_by == pair.supporter.id
    assert stored.ended_at is not None
    event = await db.scalar(
        select(RelationshipEvent).where(
            RelationshipEvent.relationship_id == stored.id, RelationshipEvent.to_state == "ended"
        )
    )
    assert event.actor_id == pair.supporter.id and event.from_state == "active"
    # The seeker is told kindly, and can ask for a new match.
    told = await notices_of(client, pair.seeker)
    assert [n["kind"] for n in told] == ["ended"]
    assert told[0]["text"].startswith("Bob has ended your support.")
    assert "ask for a new match" in told[0]["text"]
    seen = (await client.get(f"{pair.base}/safety", headers=pair.seeker.headers)).json()
    assert seen["ending"]["by"] == "other" and seen["can"]["new_match"] is True


async def test_the_end_is_final(client, db, settings):
    pair = await active_pair(client, db, settings)
    assert (await client.post(f"{pair.base}/end", headers=pair.seeker.headers)).is_success
    for person in (pair.seeker, pair.supporter):
        for action in ("end", "pause", "resume", "complete"):
            again = await client.post(f"{pair.base}/{action}", headers=person.headers)
            assert again.status_code == 409, (action, again.text)
            assert again.headers["content-type"] == PROBLEM
    assert await places_taken(db, pair.supporter.id) == 0  # never released twice


async def test_a_reason_category_is_never_shown_to_the_other_person(client, db, settings):
    pair = await active_pair(client, db, settings)
    ended = await client.post(
        f"{pair.base}/end",
        json={"reason_category": "not_the_right_fit", "closing_message": MESSAGE},
        headers=pair.seeker.headers,
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["ending"]["reason_category"] == "not_the_right_fit"
    theirs = await client.get(f"{pair.base}/safety", headers=pair.supporter.headers)
    assert theirs.json()["ending"]["reason_category"] is None
    assert theirs.json()["ending"]["closing_message"] == MESSAGE
    assert theirs.json()["ending"]["closing_message_from"] == "other"
    everything = (await client.get("/api/v1/notices", headers=pair.supporter.headers)).text
    everything += theirs.text
    everything += (await client.get(pair.base, headers=pair.supporter.headers)).text
    assert "not_the_right_fit" not in everything and "right fit" not in everything


async def test_the_closing_message_is_sealed_at_rest(client, db, settings):
    pair = await active_pair(client, db, settings)
    await client.post(
        f"{pair.base}/end", json={"closing_message": MESSAGE}, headers=pair.seeker.headers
    )
    raw = (
        await db.execute(
            text("SELECT closing_message_sealed FROM relationship_ending"),
        )
    ).scalar_one()
    assert raw and MESSAGE.encode() not in bytes(raw)
    row = await db.get(Ending, rid(pair))
    assert row.reason_category is None


async def test_the_sender_sees_exactly_what_the_other_person_will_see(client, db, settings):
    pair = await active_pair(client, db, settings)
    preview = await client.post(
        f"{pair.base}/end/preview",
        json={"closing_message": f"  {MESSAGE}  "},
        headers=pair.seeker.headers,
    )
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["closing_message"] == MESSAGE
    assert shown["other_person_sees"].startswith("Sam has ended your support.")
    assert (await relationship(db, pair)).state == "active"  # a preview changes nothing
    await client.post(
        f"{pair.base}/end", json={"closing_message": MESSAGE}, headers=pair.seeker.headers
    )
    told = await notices_of(client, pair.supporter)
    assert told[0]["text"] == shown["other_person_sees"]
    theirs = (await client.get(f"{pair.base}/safety", headers=pair.supporter.headers)).json()
    assert theirs["ending"]["closing_message"] == shown["closing_message"]


async def test_a_closing_message_is_at_most_1000_characters(client, db, settings):
    pair = await active_pair(client, db, settings)
    too_long = await client.post(
        f"{pair.base}/end", json={"closing_message": "x" * 1001}, headers=pair.seeker.headers
    )
    assert too_long.status_code == 422 and too_long.headers["content-type"] == PROBLEM
    unknown = await client.post(
        f"{pair.base}/end", json={"reason_category": "you_were_rude"}, headers=pair.seeker.headers
    )
    assert unknown.status_code == 422
    assert (await relationship(db, pair)).state == "active"


async def test_an_agreeing_relationship_can_end_too(client, db, settings):
    from tests.factories import agreeing_pair

    pair = await agreeing_pair(client, db, settings)
    ended = await client.post(f"{pair.base}/end", headers=pair.seeker.headers)
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    assert await places_taken(db, pair.supporter.id) == 0


async def test_nobody_else_can_end_it(client, db, settings):
    pair = await active_pair(client, db, settings)
    eve = await peer(client, "eve")
    for person in (eve, pair.coordinator):
        for path in ("end", "end/preview", "pause", "resume", "block", "safety", "concerns"):
            method = client.get if path == "safety" else client.post
            response = await method(f"{pair.base}/{path}", headers=person.headers)
            assert response.status_code in (404, 422), (path, response.text)
            if response.status_code == 422:  # the body is checked before the person
                response = await method(
                    f"{pair.base}/{path}", json={"kind": "other"}, headers=person.headers
                )
            assert response.status_code == 404, (path, response.text)
    assert (await relationship(db, pair)).state == "active"


async def test_planned_completion_once_the_agreed_sessions_are_held(client, db, settings):
    pair = await active_pair(client, db, settings, sessions_total=4)
    early = await client.post(f"{pair.base}/complete", headers=pair.seeker.headers)
    assert early.status_code == 409
    assert "0 of 4 agreed sessions" in early.json()["detail"]
    status = (await client.get(f"{pair.base}/safety", headers=pair.seeker.headers)).json()
    assert status["can"]["complete"] is False and status["sessions_planned"] == 4
    await db.execute(
        update(Relationship).where(Relationship.id == rid(pair)).values(sessions_held=4)
    )
    await db.commit()
    status = (await client.get(f"{pair.base}/safety", headers=pair.supporter.headers)).json()
    assert status["can"]["complete"] is True
    done = await client.post(
        f"{pair.base}/complete",
        json={"closing_message": "It was good to walk with you."},
        headers=pair.supporter.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["ending"]["how"] == "completed"
    assert (await relationship(db, pair)).end_kind == "completed"
    assert await places_taken(db, pair.supporter.id) == 0
    told = await notices_of(client, pair.seeker)
    assert told[0]["kind"] == "completed" and "planned end" in told[0]["text"]


async def test_every_kind_of_ending_stops_contact(client, db, settings, monkeypatch):
    """An ending calls contact's stop (held messages dropped, sessions cancelled) directly,
    inside its own transaction, whatever kind of ending it is."""
    seen: list[tuple[UUID, str]] = []
    real_stop = upkeep.stop_contact

    async def spy(session, *, relationship: Relationship) -> None:
        seen.append((relationship.id, relationship.end_kind))
        await real_stop(session, relationship=relationship)

    monkeypatch.setattr(upkeep, "stop_contact", spy)
    pair = await active_pair(client, db, settings)
    assert (await client.post(f"{pair.base}/end", headers=pair.seeker.headers)).is_success
    assert seen == [(rid(pair), "ended_by_person")]

    blocked = await active_pair(client, db, settings, seeker_name="ana", supporter_name="ben")
    assert (await client.post(f"{blocked.base}/block", headers=blocked.seeker.headers)).is_success
    assert seen[-1] == (rid(blocked), "blocked")


async def test_when_contact_cannot_stop_the_whole_ending_is_undone(
    client, db, settings, monkeypatch
):
    async def broken(session, *, relationship: Relationship) -> None:
        raise RuntimeError("sessions store unavailable")

    monkeypatch.setattr(upkeep, "stop_contact", broken)
    pair = await active_pair(client, db, settings)
    import httpx

    transport = httpx.ASGITransport(app=client._transport.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        response = await c.post(f"{pair.base}/end", headers=pair.seeker.headers)
    assert response.status_code == 500
    assert (await relationship(db, pair)).state == "active"
    assert await places_taken(db, pair.supporter.id) == 1


@pytest.mark.postgres_only
async def test_ending_at_the_same_moment_ends_once_and_frees_one_place(
    client, db, settings, is_postgres
):
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    import asyncio

    pair = await active_pair(client, db, settings)
    answers = await asyncio.gather(
        client.post(f"{pair.base}/end", json={"closing_message": "a"}, headers=pair.seeker.headers),
        client.post(f"{pair.base}/block", headers=pair.supporter.headers),
        client.post(f"{pair.base}/end", headers=pair.supporter.headers),
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) >= 1 and set(codes) <= {200, 409}, codes
    assert await places_taken(db, pair.supporter.id) == 0
    endings_stored = (await db.execute(select(Ending))).scalars().all()
    assert len(endings_stored) == 1
    stored = await relationship(db, pair)
    assert stored.state == "ended"
    told = await notices_of(client, pair.seeker) + await notices_of(client, pair.supporter)
    assert len(told) == 1  # the other person is told once
