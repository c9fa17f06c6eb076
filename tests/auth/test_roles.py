from api.auth.models import Role
from tests.personas import peer, screen, staff, supporter


async def test_a_peer_applies_and_a_coordinator_approves(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    applied = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 3}, headers=alice.headers
    )
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    pending = await client.get("/api/v1/coordination/supporter-offers", headers=robin.headers)
    assert [o["user_id"] for o in pending.json()["data"]] == [str(alice.id)]
    await screen(client, robin, alice.id)
    approved = await client.post(
        f"/api/v1/coordination/supporter-offers/{applied.json()['id']}/approve",
        headers=robin.headers,
    )
    assert approved.json()["status"] == "approved"
    me = await client.get("/api/v1/me", headers=alice.headers)
    assert me.json()["is_supporter"] is True


async def test_declined_offers_do_not_make_a_supporter_and_can_be_made_again(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    offer = (await client.post("/api/v1/supporter-offer", json={}, headers=alice.headers)).json()
    declined = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer['id']}/decline", headers=robin.headers
    )
    assert declined.json()["status"] == "declined"
    assert (await client.get("/api/v1/me", headers=alice.headers)).json()["is_supporter"] is False
    twice = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer['id']}/approve", headers=robin.headers
    )
    assert twice.status_code == 409
    again = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 1}, headers=alice.headers
    )
    assert again.status_code == 201 and again.json()["status"] == "pending"


async def test_a_peer_cannot_approve_themselves_or_see_the_review_queue(client):
    alice = await peer(client, "alice")
    offer = (await client.post("/api/v1/supporter-offer", json={}, headers=alice.headers)).json()
    approve = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer['id']}/approve", headers=alice.headers
    )
    assert approve.status_code == 403
    assert approve.headers["content-type"] == "application/problem+json"
    queue = await client.get("/api/v1/coordination/supporter-offers", headers=alice.headers)
    assert queue.status_code == 403
    assert (await client.get("/api/v1/me", headers=alice.headers)).json()["is_supporter"] is False


async def test_the_supporter_role_cannot_be_self_assigned_through_extra_fields(client):
    alice = await peer(client, "alice")
    sneaky = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 2, "status": "approved"}, headers=alice.headers
    )
    assert sneaky.status_code == 422
    offer = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 2}, headers=alice.headers
    )
    patch = await client.patch(
        "/api/v1/supporter-offer", json={"status": "approved"}, headers=alice.headers
    )
    assert patch.status_code == 422
    assert (await client.get("/api/v1/supporter-offer", headers=alice.headers)).json()[
        "status"
    ] == "pending"
    assert offer.status_code == 201


async def test_capacity_is_one_to_five_and_a_supporter_can_pause(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await supporter(client, robin, "bob")
    for bad in (0, 6, "many"):
        response = await client.patch(
            "/api/v1/supporter-offer", json={"capacity": bad}, headers=bob.headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "capacity"
    paused = await client.patch(
        "/api/v1/supporter-offer", json={"paused": True, "capacity": 4}, headers=bob.headers
    )
    assert paused.json() | {"paused": True, "capacity": 4} == paused.json()


async def test_only_admins_change_roles_and_disabling_ends_every_session(client, db, settings):
    alice = await peer(client, "alice")
    robin = await staff(client, db, settings)
    admin = await staff(client, db, settings, role=Role.admin, name="ada")
    path = f"/api/v1/admin/accounts/{alice.id}"
    assert (
        await client.patch(path, json={"role": "admin"}, headers=alice.headers)
    ).status_code == 403
    assert (
        await client.patch(path, json={"role": "admin"}, headers=robin.headers)
    ).status_code == 403
    disabled = await client.patch(path, json={"is_active": False}, headers=admin.headers)
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert refresh.status_code == 401
    promoted = await client.patch(
        f"/api/v1/admin/accounts/{robin.id}", json={"role": "admin"}, headers=admin.headers
    )
    assert promoted.json()["role"] == "admin"


async def test_unknown_offer_ids_are_404_not_500(client, db, settings):
    robin = await staff(client, db, settings)
    for offer_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = await client.post(
            f"/api/v1/coordination/supporter-offers/{offer_id}/approve", headers=robin.headers
        )
        assert response.status_code in (404, 422)
        assert response.headers["content-type"] == "application/problem+json"
