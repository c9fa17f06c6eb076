"""Confidentiality: coordinators read content only through a justified, time-limited,
audited safeguarding access, and the two people can see that it happened."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from api.auth.principal import Principal
from api.common import utcnow
from api.errors import NotFound
from api.safety.models import SafeguardingAccess
from api.safety.safeguarding import NoSafeguardingAccess, require_content_access
from tests.personas import peer, staff
from tests.safety.helpers import active_pair, rid

WORDS = "The night my mother died I sat in the car park for hours."
REASON = "Concern raised about risk to life; need context to judge urgency."


async def _with_own_words(client, db, settings):
    pair = await active_pair(client, db, settings)
    saved = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": "going_through", "description": WORDS}],
        headers=pair.seeker.headers,
    )
    assert saved.status_code == 200, saved.text
    return pair


def _own_words(pair) -> str:
    return f"/api/v1/coordination/relationships/{pair.relationship_id}/own-words"


async def _grant(client, pair, coordinator, **changes):
    return await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={"relationship_id": str(pair.relationship_id), "reason": REASON, **changes},
        headers=coordinator.headers,
    )


async def test_a_coordinator_without_an_access_gets_403_on_content(client, db, settings):
    pair = await _with_own_words(client, db, settings)
    refused = await client.get(_own_words(pair), headers=pair.coordinator.headers)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/no-safeguarding-access"
    assert WORDS not in refused.text
    # Peers, even the two people, can't use the coordinators' route at all.
    for person in (pair.seeker, pair.supporter):
        assert (await client.get(_own_words(pair), headers=person.headers)).status_code == 403
    # The refused attempt is on the coordinators' log, not the people's.
    full = await client.get(
        f"/api/v1/coordination/relationships/{pair.relationship_id}/safeguarding-log",
        headers=pair.coordinator.headers,
    )
    assert [e["action"] for e in full.json()] == ["refused"]
    mine = await client.get(f"{pair.base}/safeguarding-log", headers=pair.seeker.headers)
    assert mine.json() == []


async def test_an_access_needs_a_written_reason_and_a_time_limit(client, db, settings):
    pair = await _with_own_words(client, db, settings)
    robin = pair.coordinator
    assert (await _grant(client, pair, robin, reason="checking")).status_code == 422
    assert (await _grant(client, pair, robin, minutes=0)).status_code == 422
    assert (await _grant(client, pair, robin, minutes=24 * 60 + 1)).status_code == 422
    assert (await _grant(client, pair, pair.seeker)).status_code == 403  # peers can't


async def test_with_an_access_the_read_is_audited_and_visible_to_both(client, db, settings):
    pair = await _with_own_words(client, db, settings)
    granted = await _grant(client, pair, pair.coordinator, minutes=30)
    assert granted.status_code == 201, granted.text
    expires = granted.json()["expires_at"]
    read = await client.get(_own_words(pair), headers=pair.coordinator.headers)
    assert read.status_code == 200, read.text
    words = {(w["role"], w["description"]) for w in read.json()}
    assert ("seeker", WORDS) in words
    for person in (pair.seeker, pair.supporter):
        log = await client.get(f"{pair.base}/safeguarding-log", headers=person.headers)
        assert log.status_code == 200
        entries = [(e["action"], e["what"], e["coordinator"]) for e in log.json()]
        assert entries == [("granted", "content", "Robin"), ("read", "own_words", "Robin")]
        assert log.json()[0]["expires_at"] == expires
        assert REASON not in log.text  # the reason stays with the coordinators
    full = await client.get(
        f"/api/v1/coordination/relationships/{pair.relationship_id}/safeguarding-log",
        headers=pair.coordinator.headers,
    )
    assert {e["reason"] for e in full.json()} == {REASON}
    # Each read is another entry.
    await client.get(_own_words(pair), headers=pair.coordinator.headers)
    log = await client.get(f"{pair.base}/safeguarding-log", headers=pair.seeker.headers)
    assert [e["action"] for e in log.json()] == ["granted", "read", "read"]


async def test_an_access_is_personal_time_limited_and_revocable(client, db, settings):
    pair = await _with_own_words(client, db, settings)
    granted = await _grant(client, pair, pair.coordinator)
    other = await staff(client, db, settings, name="kim")
    assert (await client.get(_own_words(pair), headers=other.headers)).status_code == 403
    # Expired: refused again.
    await db.execute(update(SafeguardingAccess).values(expires_at=utcnow() - timedelta(seconds=1)))
    await db.commit()
    assert (await client.get(_own_words(pair), headers=pair.coordinator.headers)).status_code == 403
    # A fresh one, revoked early.
    fresh = await _grant(client, pair, pair.coordinator)
    assert (await client.get(_own_words(pair), headers=pair.coordinator.headers)).is_success
    revoked = await client.post(
        f"/api/v1/coordination/safeguarding-access/{fresh.json()['id']}/revoke",
        headers=pair.coordinator.headers,
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.get(_own_words(pair), headers=pair.coordinator.headers)).status_code == 403
    again = await client.post(
        f"/api/v1/coordination/safeguarding-access/{granted.json()['id']}/revoke",
        headers=pair.coordinator.headers,
    )
    assert again.status_code == 409
    log = await client.get(f"{pair.base}/safeguarding-log", headers=pair.supporter.headers)
    assert [e["action"] for e in log.json()] == ["granted", "granted", "read", "revoked"]


async def test_require_content_access_for_each_kind_of_principal(client, db, settings):
    """The guard the messages domain will call before showing any message."""
    pair = await active_pair(client, db, settings)
    eve = await peer(client, "eve")

    def principal(person, role="peer"):
        return Principal(person.id, role, person.id, person.name, second_factor=True)

    for person in (pair.seeker, pair.supporter):
        assert (
            await require_content_access(db, principal(person), relationship_id=rid(pair)) is None
        )
    with pytest.raises(NotFound):
        await require_content_access(db, principal(eve), relationship_id=rid(pair))
    with pytest.raises(NoSafeguardingAccess):
        await require_content_access(
            db, principal(pair.coordinator, "coordinator"), relationship_id=rid(pair)
        )
    await db.rollback()
    await _grant(client, pair, pair.coordinator)
    access = await require_content_access(
        db, principal(pair.coordinator, "coordinator"), relationship_id=rid(pair), what="messages"
    )
    assert access is not None and access.coordinator_id == pair.coordinator.id
    await db.commit()
    log = await client.get(f"{pair.base}/safeguarding-log", headers=pair.seeker.headers)
    assert [(e["action"], e["what"]) for e in log.json()][-1] == ("read", "messages")


async def test_the_safeguarding_log_is_only_for_the_two_people(client, db, settings):
    pair = await active_pair(client, db, settings)
    eve = await peer(client, "eve")
    for person in (eve, pair.coordinator):
        response = await client.get(f"{pair.base}/safeguarding-log", headers=person.headers)
        assert response.status_code == 404
