"""The staff audit log: every staff action appended with who, when, what and why; read by
administrators only; no route edits or deletes an entry (and PostgreSQL refuses it too)."""

import csv
import io

import pytest
from sqlalchemy import text

from api.auth.models import Role
from tests.personas import peer, screen, staff

LOG = "/api/v1/admin/audit-log"


async def entries(client, admin, **params) -> list[dict]:
    found = await client.get(LOG, params={"limit": 100, **params}, headers=admin.headers)
    assert found.status_code == 200, found.text
    return found.json()["data"]


async def test_staff_actions_are_kept_with_who_what_and_why(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    offer = (await client.post("/api/v1/supporter-offer", json={}, headers=alice.headers)).json()
    await screen(client, robin, alice.id)
    approved = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer['id']}/approve",
        json={"note": "References checked; welcome aboard."},
        headers=robin.headers,
    )
    assert approved.status_code == 200, approved.text
    suspended = await client.post(
        f"/api/v1/coordination/supporters/{alice.id}/suspend", headers=robin.headers
    )
    assert suspended.status_code == 200, suspended.text
    named = await client.patch(
        f"/api/v1/admin/accounts/{robin.id}",
        json={"safeguarding_lead": True, "reason": "Robin leads safeguarding from today."},
        headers=ada.headers,
    )
    assert named.status_code == 200 and named.json()["safeguarding_lead"] is True

    log = await entries(client, ada)
    assert [e["action"] for e in log] == [
        "account.changed",
        "supporter.suspended",
        "offer.approved",
        *["screening.recorded"] * 3,  # the required items, before the approval
    ]
    lead, suspension, approval = log[:3]
    assert approval["actor_id"] == str(robin.id) and approval["actor_roles"] == ["coordinator"]
    assert approval["subject_type"] == "supporter" and approval["subject_id"] == str(alice.id)
    assert approval["reason"] == "References checked; welcome aboard."
    assert suspension["reason"] is None
    assert lead["actor_name"] == "Ada" and lead["subject_id"] == str(robin.id)
    assert lead["details"] == {"safeguarding_lead": "False -> True"}
    assert lead["reason"] == "Robin leads safeguarding from today."

    # Filters: by actor and by action.
    assert {e["action"] for e in await entries(client, ada, actor_id=str(robin.id))} == {
        "supporter.suspended",
        "offer.approved",
        "screening.recorded",
    }
    assert len(await entries(client, ada, action="offer.approved")) == 1
    bad = await client.get(LOG, params={"action": "offer.eaten"}, headers=ada.headers)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"

    # The reason is sealed at rest: the database holds no readable copy of it.
    stored = (await db.execute(text("SELECT reason_sealed FROM audit_entry"))).scalars().all()
    assert all(b"welcome aboard" not in (blob or b"") for blob in stored)


async def test_only_administrators_read_the_log_and_its_export(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    for path in (LOG, LOG + ".csv"):
        assert (await client.get(path)).status_code == 401
        for who in (alice, robin):
            refused = await client.get(path, headers=who.headers)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"


async def test_the_csv_export_holds_the_selection_and_is_itself_recorded(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    offer = (await client.post("/api/v1/supporter-offer", json={}, headers=alice.headers)).json()
    await client.post(
        f"/api/v1/coordination/supporter-offers/{offer['id']}/decline",
        json={"note": "Not this time."},
        headers=robin.headers,
    )
    exported = await client.get(LOG + ".csv", headers=ada.headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["action"], r["actor_name"], r["reason"]) for r in rows] == [
        ("offer.declined", "Robin", "Not this time.")
    ]
    assert [e["action"] for e in await entries(client, ada)] == [
        "audit.exported",
        "offer.declined",
    ]


async def test_nobody_changes_their_own_roles(client, db, settings):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    for change in ({"safeguarding_lead": True}, {"role": "coordinator"}, {"is_active": False}):
        refused = await client.patch(
            f"/api/v1/admin/accounts/{ada.id}", json=change, headers=ada.headers
        )
        assert refused.status_code == 409, refused.text
    # A coordinator can't grant anyone (themselves included) a role.
    self_grant = await client.patch(
        f"/api/v1/admin/accounts/{robin.id}", json={"role": "admin"}, headers=robin.headers
    )
    assert self_grant.status_code == 403
    me = await client.get("/api/v1/me", headers=robin.headers)
    assert me.json()["role"] == "coordinator"
    assert await entries(client, ada) == []


async def test_no_route_edits_or_deletes_an_entry(app, client, db, settings):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    await client.patch(
        f"/api/v1/admin/accounts/{robin.id}", json={"safeguarding_lead": True}, headers=ada.headers
    )
    [entry] = await entries(client, ada)

    # Every route that names the audit log only reads.
    for route in app.routes:
        path = getattr(route, "path", "")
        if "audit" in path:
            assert set(getattr(route, "methods", set())) <= {"GET", "HEAD"}, path
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for path in (LOG, f"{LOG}/{entry['id']}"):
            answer = await client.request(method, path, json={}, headers=ada.headers)
            assert answer.status_code in (404, 405), (method, path, answer.status_code)
    assert await entries(client, ada) == [entry]


async def test_the_database_refuses_to_change_an_entry(client, db, settings, database_url):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    await client.patch(
        f"/api/v1/admin/accounts/{robin.id}", json={"safeguarding_lead": True}, headers=ada.headers
    )
    with pytest.raises(Exception, match="audit entries cannot be changed"):
        await db.execute(text("UPDATE audit_entry SET action = 'nothing.happened'"))
    await db.rollback()
    if database_url.startswith("postgres"):
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            await db.execute(text("DELETE FROM audit_entry"))
        await db.rollback()
    [kept] = await entries(client, ada)
    assert kept["action"] == "account.changed"


async def test_retention_purges_entries_past_the_period_and_no_sooner(client, db, settings):
    from datetime import timedelta

    from api.common import utcnow
    from api.policies import service as policies
    from api.privacy import retention

    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    await client.patch(
        f"/api/v1/admin/accounts/{robin.id}", json={"safeguarding_lead": True}, headers=ada.headers
    )
    days = (await policies.retention(db)).audit_days
    db.expire_all()
    kept = await retention.purge(db, settings, now=utcnow() + timedelta(days=days - 1))
    await db.commit()
    assert kept.audit_entries == 0 and len(await entries(client, ada)) == 1
    db.expire_all()
    gone = await retention.purge(db, settings, now=utcnow() + timedelta(days=days + 1))
    await db.commit()
    assert gone.audit_entries >= 1
    assert (await db.execute(text("SELECT count(*) FROM audit_entry"))).scalar() == 0
