"""Administrators and staff accounts: resetting someone's second factor (audited, their
sessions end), nobody granting themselves a role, and the administrators' pages (staff and
accounts, the audit log and its CSV) through the PWA."""

import csv
import io

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.auth.models import Role, SecondFactor, User
from tests.personas import enrol, peer, staff
from tests.web.pages import csrf_token, log_in

LOG = "/api/v1/admin/audit-log"


async def test_an_admin_resets_anothers_second_factor_and_it_is_audited(client, db, settings):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    reset = await client.post(
        f"/api/v1/admin/accounts/{robin.id}/second-factor/reset",
        json={"reason": "Lost phone; checked by a call."},
        headers=ada.headers,
    )
    assert reset.status_code == 200, reset.text
    assert await db.get(SecondFactor, robin.id) is None
    # Robin's sessions ended; he logs in with his password alone and is asked to set it up.
    assert (await client.get("/api/v1/me", headers=robin.headers)).status_code == 401
    fresh = await client.post(
        "/api/v1/auth/token", data={"username": robin.email, "password": "a calm walk by the river"}
    )
    assert fresh.status_code == 200, fresh.text
    robin.headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    refused = await client.get("/api/v1/coordination/concerns", headers=robin.headers)
    assert refused.json()["type"] == "/problems/second-factor-required"
    await enrol(client, robin)
    assert (
        await client.get("/api/v1/coordination/concerns", headers=robin.headers)
    ).status_code == 200
    log = (
        await client.get(LOG, params={"action": "account.second_factor_reset"}, headers=ada.headers)
    ).json()["data"]
    assert len(log) == 1
    assert log[0]["subject_id"] == str(robin.id) and log[0]["actor_id"] == str(ada.id)
    assert log[0]["reason"] == "Lost phone; checked by a call."


async def test_only_another_admin_resets_a_second_factor(client, db, settings):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    kim = await staff(client, db, settings, name="kim")
    path = "/api/v1/admin/accounts/{}/second-factor/reset"
    own = await client.post(path.format(ada.id), json={}, headers=ada.headers)
    assert own.status_code == 409
    by_coordinator = await client.post(path.format(kim.id), json={}, headers=robin.headers)
    assert by_coordinator.status_code == 403
    alice = await peer(client)
    none_to_reset = await client.post(path.format(alice.id), json={}, headers=ada.headers)
    assert none_to_reset.status_code == 409
    assert await db.scalar(select(func.count()).select_from(SecondFactor)) == 3
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_a_coordinator_cannot_grant_themselves_a_role(client, db, settings):
    robin = await staff(client, db, settings)
    for change in ({"role": "admin"}, {"safeguarding_lead": True}):
        refused = await client.patch(
            f"/api/v1/admin/accounts/{robin.id}",
            json={**change, "reason": "I'd like to."},
            headers=robin.headers,
        )
        assert refused.status_code == 403, refused.text
    user = await db.get(User, robin.id)
    await db.refresh(user)
    assert user.role == Role.coordinator and not user.safeguarding_lead
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 0
    # Nor can an administrator take away their own (another administrator does).
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    own = await client.patch(
        f"/api/v1/admin/accounts/{ada.id}",
        json={"role": "coordinator", "reason": "x"},
        headers=ada.headers,
    )
    assert own.status_code == 409


async def test_the_admin_pages_find_grant_reset_and_show_the_log(
    client, other_client, db, settings
):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    alice = await peer(client)
    assert (await log_in(client, ada.email)).status_code == 303
    staff_page = await client.get("/admin/accounts")
    assert staff_page.status_code == 200
    assert robin.email in staff_page.text and alice.email not in staff_page.text
    found = await client.get("/admin/accounts", params={"email": alice.email.split("@")[0]})
    assert alice.email in found.text and robin.email not in found.text
    page = await client.get(f"/admin/accounts/{alice.id}")
    assert "Not set up" in page.text
    # A role needs a reason; with one it is granted and logged.
    form = {"csrf_token": csrf_token(page.text), "role": "coordinator"}
    no_reason = await client.post(f"/admin/accounts/{alice.id}/roles", data=form)
    assert no_reason.status_code == 422 and "Say why" in no_reason.text
    assert (await db.get(User, alice.id)).role == Role.peer
    granted = await client.post(
        f"/admin/accounts/{alice.id}/roles", data={**form, "reason": "Joined the team."}
    )
    assert granted.status_code == 303, granted.text
    user = await db.get(User, alice.id)
    await db.refresh(user)
    assert user.role == Role.coordinator
    # Reset Robin's second factor from his page.
    page = await client.get(f"/admin/accounts/{robin.id}")
    reset = await client.post(
        f"/admin/accounts/{robin.id}/second-factor/reset",
        data={"csrf_token": csrf_token(page.text), "reason": "New phone."},
    )
    assert reset.status_code == 303
    assert await db.get(SecondFactor, robin.id) is None
    # The audit log page, filtered, and its CSV.
    log = await client.get("/admin/audit-log", params={"action": "account.changed"})
    assert log.status_code == 200
    assert "Joined the team." in log.text and "New phone." not in log.text
    by_ada = await client.get("/admin/audit-log", params={"actor": str(ada.id)})
    assert "Joined the team." in by_ada.text and "New phone." in by_ada.text
    bad = await client.get("/admin/audit-log", params={"from": "2026-05-04", "to": "2026-05-01"})
    assert bad.status_code == 422 and "before the start" in bad.text
    exported = await client.get(
        "/admin/audit-log.csv", params={"action": "account.second_factor_reset"}
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["reason"] for r in rows] == ["New phone."]
    # A coordinator (second factor and all) gets no admin page.
    kim = await staff(client, db, settings, name="kim")
    assert (await log_in(other_client, kim.email)).status_code == 303
    assert (await other_client.get("/coordinator")).status_code == 200
    for path in ("/admin/accounts", "/admin/audit-log", "/admin/audit-log.csv"):
        assert (await other_client.get(path)).status_code == 403, path


async def test_staff_without_a_second_factor_are_sent_to_set_it_up(client, db, settings):
    robin = await staff(client, db, settings, second_factor=False)
    assert (await log_in(client, robin.email)).status_code == 303
    for path in ("/coordinator", "/coordinator/concerns", "/"):
        answer = await client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/account/second-factor"), path
    ada = await staff(client, db, settings, role=Role.admin, name="ada", second_factor=False)
    await client.post(
        "/logout",
        data={"csrf_token": csrf_token((await client.get("/account/second-factor")).text)},
    )
    assert (await log_in(client, ada.email)).status_code == 303
    answer = await client.get("/admin/audit-log")
    assert answer.status_code == 303 and "/account/second-factor" in answer.headers["location"]
