"""The two-person rule, when the service turns it on: a coordinator's safeguarding access is
a request until another coordinator (or the safeguarding lead) approves it in time; until
then the content stays closed; the requester can't approve their own; all of it audited."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from api.audit.models import AuditEntry
from api.auth.models import Role
from api.common import utcnow
from api.safety.models import SafeguardingAccess
from tests.personas import peer, staff
from tests.safety.helpers import active_pair

REASON = "A reported message suggests risk to life; reading it to judge urgency."
REQUESTS = "/api/v1/coordination/safeguarding-access/requests"


async def _turn_on(client, coordinator, hours: int = 4):
    on = await client.put(
        "/api/v1/coordination/settings/two_person_access",
        json={"value": {"enabled": True, "request_hours": hours}},
        headers=coordinator.headers,
    )
    assert on.status_code == 200, on.text


def _messages(pair) -> str:
    return f"/api/v1/coordination/relationships/{pair.relationship_id}/messages"


async def _ask(client, pair, coordinator):
    asked = await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={"relationship_id": str(pair.relationship_id), "reason": REASON, "minutes": 30},
        headers=coordinator.headers,
    )
    assert asked.status_code == 201, asked.text
    return asked.json()


async def _actions(db) -> list[str]:
    return list((await db.execute(select(AuditEntry.action).order_by(AuditEntry.at))).scalars())


async def test_off_by_default_access_opens_at_once(client, db, settings):
    pair = await active_pair(client, db, settings)
    access = await _ask(client, pair, pair.coordinator)
    assert access["approved_at"] is not None and access["request_expires_at"] is None
    assert (await client.get(_messages(pair), headers=pair.coordinator.headers)).status_code == 200


async def test_content_stays_closed_until_a_second_coordinator_approves(client, db, settings):
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    await _turn_on(client, robin)
    lead = await staff(client, db, settings, name="lee")
    made_lead = await client.patch(
        f"/api/v1/admin/accounts/{lead.id}",
        json={"safeguarding_lead": True},
        headers=(await staff(client, db, settings, Role.admin, "ada")).headers,
    )
    assert made_lead.status_code == 200, made_lead.text

    access = await _ask(client, pair, robin)
    assert access["approved_at"] is None and access["request_expires_at"] is not None
    closed = await client.get(_messages(pair), headers=robin.headers)
    assert closed.status_code == 403
    # The two people see nothing yet: a request isn't an access.
    log = await client.get(
        f"/api/v1/relationships/{pair.relationship_id}/safeguarding-log",
        headers=pair.seeker.headers,
    )
    assert [e["action"] for e in log.json()] == []

    # The lead sees it waiting, with the reason to judge it by.
    waiting = (await client.get(REQUESTS, headers=lead.headers)).json()["data"]
    assert [(r["id"], r["requested_by"], r["reason"]) for r in waiting] == [
        (access["id"], "Robin", REASON)
    ]
    today = (await client.get("/api/v1/coordination/today", headers=lead.headers)).json()
    assert today["access_requests"]["total"] == 1

    own = await client.post(
        f"/api/v1/coordination/safeguarding-access/{access['id']}/approve", headers=robin.headers
    )
    assert own.status_code == 403 and own.json()["type"] == "/problems/own-safeguarding-request"
    assert (await client.get(_messages(pair), headers=robin.headers)).status_code == 403

    approved = await client.post(
        f"/api/v1/coordination/safeguarding-access/{access['id']}/approve", headers=lead.headers
    )
    assert approved.status_code == 200, approved.text
    assert (await client.get(_messages(pair), headers=robin.headers)).status_code == 200
    # The approver didn't open anything for themselves.
    assert (await client.get(_messages(pair), headers=lead.headers)).status_code == 403
    log = await client.get(
        f"/api/v1/relationships/{pair.relationship_id}/safeguarding-log",
        headers=pair.seeker.headers,
    )
    assert [e["action"] for e in log.json()][:2] == ["granted", "read"]
    again = await client.post(
        f"/api/v1/coordination/safeguarding-access/{access['id']}/approve", headers=lead.headers
    )
    assert again.status_code == 409
    assert (await client.get(REQUESTS, headers=lead.headers)).json()["data"] == []
    actions = await _actions(db)
    assert "safeguarding.access_requested" in actions
    assert "safeguarding.access_approved" in actions
    approval = await db.scalar(
        select(AuditEntry).where(AuditEntry.action == "safeguarding.access_approved")
    )
    assert approval.actor_id == lead.id and approval.details["requested_by"] == str(robin.id)


async def test_a_refused_or_late_request_never_opens(client, db, settings):
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    await _turn_on(client, robin, hours=2)
    kit = await staff(client, db, settings, name="kit")

    refused = await _ask(client, pair, robin)
    no = await client.post(
        f"/api/v1/coordination/safeguarding-access/{refused['id']}/refuse",
        json={"reason": "The report itself is enough to act on."},
        headers=kit.headers,
    )
    assert no.status_code == 200 and no.json()["refused_at"] is not None
    assert (await client.get(_messages(pair), headers=robin.headers)).status_code == 403
    late_yes = await client.post(
        f"/api/v1/coordination/safeguarding-access/{refused['id']}/approve", headers=kit.headers
    )
    assert late_yes.status_code == 409

    # A request nobody answered within the time limit can no longer be approved.
    late = await _ask(client, pair, robin)
    await db.execute(
        update(SafeguardingAccess)
        .where(SafeguardingAccess.id == UUID(late["id"]))
        .values(request_expires_at=utcnow() - timedelta(seconds=1))
    )
    await db.commit()
    assert (await client.get(REQUESTS, headers=kit.headers)).json()["data"] == []
    answer = await client.post(
        f"/api/v1/coordination/safeguarding-access/{late['id']}/approve", headers=kit.headers
    )
    assert answer.status_code == 409 and "ran out of time" in answer.json()["detail"]
    assert (await client.get(_messages(pair), headers=robin.headers)).status_code == 403
    assert "safeguarding.access_refused" in await _actions(db)

    # Peers and people without a login can't see or decide requests.
    someone = await peer(client, "pat")
    for headers in (someone.headers, pair.seeker.headers, {}):
        listed = await client.get(REQUESTS, headers=headers)
        assert listed.status_code in (401, 403)
        decided = await client.post(
            f"/api/v1/coordination/safeguarding-access/{late['id']}/approve", headers=headers
        )
        assert decided.status_code in (401, 403)
