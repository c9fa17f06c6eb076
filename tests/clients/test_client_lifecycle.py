"""An administrator's integrator clients: the secret shown once and kept only as a keyed
hash, a rotation during which both secrets work, revocation that stops every token at once."""

import hashlib
from datetime import timedelta

from sqlalchemy import select, text, update

from api.clients.models import ClientSecret, IntegratorClient
from api.common import utcnow
from api.models import metadata
from tests.clients.helpers import admin, grant, integrator, token_for
from tests.personas import peer, staff

REFERRALS = "/api/v1/referrals"


async def test_the_secret_is_shown_once_and_only_a_keyed_hash_is_kept(client, db, settings):
    ada = await admin(client, db, settings)
    made = await client.post(
        "/api/v1/admin/clients",
        json={"name": "  Riverside   surgery ", "scopes": ["referrals:read", "referrals:write"]},
        headers=ada.headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    secret = body["client_secret"]
    assert secret.startswith("kcs_") and len(secret) >= 40
    assert body["name"] == "Riverside surgery"
    assert body["scopes"] == ["referrals:write", "referrals:read"]
    assert [s["hint"] for s in body["secrets"]] == [secret[-4:]]
    # Read back, by id and in the list: never the secret again.
    one = await client.get(f"/api/v1/admin/clients/{body['client_id']}", headers=ada.headers)
    listed = await client.get("/api/v1/admin/clients", headers=ada.headers)
    for response in (one, listed):
        assert response.status_code == 200
        assert secret not in response.text and "client_secret" not in response.text
    # At rest: the raw row holds a 64-hex keyed hash, and the secret is in no column anywhere.
    async with db.bind.connect() as conn:
        (stored,) = (await conn.execute(text("SELECT secret_hash FROM client_secret"))).one()
        assert len(stored) == 64 and int(stored, 16) >= 0 and secret not in stored
        assert stored != hashlib.sha256(secret.encode()).hexdigest()  # keyed, not a plain hash
        for table in metadata.sorted_tables:
            for row in (await conn.execute(table.select())).all():
                assert not any(secret in str(value) for value in row), table.name
    # And it works.
    assert (await grant(client, body["client_id"], secret)).status_code == 200


async def test_only_administrators_manage_clients(client, db, settings):
    ada = await admin(client, db, settings)
    robin = await staff(client, db, settings)  # a coordinator
    sam = await peer(client, "sam")
    made = await integrator(client, db, settings, by=ada)
    base = "/api/v1/admin/clients"
    routes = [
        ("POST", base, {"name": "Another", "scopes": ["stats:read"]}),
        ("GET", base, None),
        ("GET", f"{base}/{made.client_id}", None),
        ("PATCH", f"{base}/{made.client_id}", {"name": "Renamed"}),
        ("POST", f"{base}/{made.client_id}/secrets", {"overlap_hours": 1}),
        ("POST", f"{base}/{made.client_id}/revoke", None),
    ]
    for method, path, body in routes:
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
        for person in (robin, sam):
            refused = await client.request(method, path, json=body, headers=person.headers)
            assert refused.status_code == 403, (method, path, person.name)
            assert refused.headers["content-type"] == "application/problem+json"
        # A client's own token is not an administrator's.
        as_client = await client.request(method, path, json=body, headers=made.headers)
        assert as_client.status_code == 401, (method, path)
    assert (await client.get(f"{base}/{made.client_id}", headers=ada.headers)).json()[
        "revoked_at"
    ] is None


async def test_unknown_scopes_and_empty_names_are_refused(client, db, settings):
    ada = await admin(client, db, settings)
    for body, field in (
        ({"name": "X", "scopes": ["stats:read"]}, "name"),
        ({"name": "Good name", "scopes": ["everything"]}, "scopes.0"),
        ({"name": "Good name", "scopes": []}, "scopes"),
        ({"name": "Good name", "scopes": ["stats:read"], "owner": "me"}, "owner"),
    ):
        refused = await client.post("/api/v1/admin/clients", json=body, headers=ada.headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field


async def test_a_rotation_keeps_the_old_secret_working_for_the_overlap_then_stops_it(
    client, db, settings
):
    made = await integrator(client, db, settings, scopes=["referrals:read"])
    old_token = made.token
    rotated = await client.post(
        f"/api/v1/admin/clients/{made.client_id}/secrets",
        json={"overlap_hours": 2},
        headers=made.admin.headers,
    )
    assert rotated.status_code == 201, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != made.secret
    secrets = rotated.json()["secrets"]
    assert len(secrets) == 2 and [s["expires_at"] is None for s in secrets] == [True, False]
    # During the overlap both secrets give tokens, and the old token still works.
    assert (await grant(client, made.client_id, made.secret)).status_code == 200
    new_token = await token_for(client, made.client_id, new_secret)
    for token in (old_token, new_token):
        ok = await client.get(REFERRALS, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
    # The overlap ends: the old secret and everything made with it stop.
    await db.execute(
        update(ClientSecret)
        .where(ClientSecret.expires_at.is_not(None))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await db.commit()
    refused = await grant(client, made.client_id, made.secret)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    old = await client.get(REFERRALS, headers={"Authorization": f"Bearer {old_token}"})
    assert old.status_code == 401
    assert (
        await client.get(REFERRALS, headers={"Authorization": f"Bearer {new_token}"})
    ).status_code == 200


async def test_at_most_two_secrets_work_and_overlap_zero_stops_the_old_one_now(
    client, db, settings
):
    made = await integrator(client, db, settings, scopes=["referrals:read"])
    path = f"/api/v1/admin/clients/{made.client_id}/secrets"
    second = (await client.post(path, json={}, headers=made.admin.headers)).json()
    third = (await client.post(path, json={}, headers=made.admin.headers)).json()
    assert len(third["secrets"]) == 2
    assert (await grant(client, made.client_id, made.secret)).status_code == 401
    assert (await grant(client, made.client_id, second["client_secret"])).status_code == 200
    now = await client.post(path, json={"overlap_hours": 0}, headers=made.admin.headers)
    assert len(now.json()["secrets"]) == 1
    assert (await grant(client, made.client_id, third["client_secret"])).status_code == 401
    assert (await grant(client, made.client_id, now.json()["client_secret"])).status_code == 200
    too_long = await client.post(path, json={"overlap_hours": 10_000}, headers=made.admin.headers)
    assert too_long.status_code == 422


async def test_revoking_a_client_stops_its_tokens_at_once(client, db, settings):
    made = await integrator(client, db, settings, scopes=["referrals:read"])
    assert (await client.get(REFERRALS, headers=made.headers)).status_code == 200
    revoked = await client.post(
        f"/api/v1/admin/clients/{made.client_id}/revoke", headers=made.admin.headers
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert revoked.json()["secrets"] == []
    after = await client.get(REFERRALS, headers=made.headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert (await grant(client, made.client_id, made.secret)).status_code == 401
    for method, path, body in (
        ("POST", f"/api/v1/admin/clients/{made.client_id}/secrets", {}),
        ("PATCH", f"/api/v1/admin/clients/{made.client_id}", {"name": "Again"}),
    ):
        conflict = await client.request(method, path, json=body, headers=made.admin.headers)
        assert conflict.status_code == 409
    row = (await db.execute(select(IntegratorClient))).scalar_one()
    assert row.revoked_by == made.admin.id


async def test_a_scope_taken_away_stops_working_in_tokens_already_issued(client, db, settings):
    made = await integrator(client, db, settings, scopes=["referrals:read", "stats:read"])
    assert (await client.get(REFERRALS, headers=made.headers)).status_code == 200
    changed = await client.patch(
        f"/api/v1/admin/clients/{made.client_id}",
        json={"scopes": ["stats:read"]},
        headers=made.admin.headers,
    )
    assert changed.status_code == 200 and changed.json()["scopes"] == ["stats:read"]
    refused = await client.get(REFERRALS, headers=made.headers)
    assert refused.status_code == 403 and "referrals:read" in refused.json()["detail"]
    stats = await client.get("/api/v1/integrations/statistics", headers=made.headers)
    assert stats.status_code == 200


async def test_the_client_list_pages_both_ways(client, db, settings):
    ada = await admin(client, db, settings)
    ids = []
    for n in range(5):
        made = await client.post(
            "/api/v1/admin/clients",
            json={"name": f"Client number {n}", "scopes": ["stats:read"]},
            headers=ada.headers,
        )
        ids.append(made.json()["client_id"])
    newest_first = ids[::-1]
    base = "/api/v1/admin/clients"
    first = (await client.get(f"{base}?limit=2", headers=ada.headers)).json()
    assert [c["client_id"] for c in first["data"]] == newest_first[:2] and first["has_more"]
    second = (
        await client.get(f"{base}?limit=2&starting_after={newest_first[1]}", headers=ada.headers)
    ).json()
    assert [c["client_id"] for c in second["data"]] == newest_first[2:4] and second["has_more"]
    back = (
        await client.get(f"{base}?limit=2&ending_before={newest_first[2]}", headers=ada.headers)
    ).json()
    assert [c["client_id"] for c in back["data"]] == newest_first[:2] and not back["has_more"]
    # One direction at a time, and only a cursor from this list (the shared paging).
    both = await client.get(
        f"{base}?starting_after={newest_first[0]}&ending_before={newest_first[3]}",
        headers=ada.headers,
    )
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "ending_before"
    for bad in ("limit=0", "limit=101"):
        assert (await client.get(f"{base}?{bad}", headers=ada.headers)).status_code == 422
    unknown = await client.get(f"{base}?starting_after={ada.id}", headers=ada.headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "starting_after"
