"""Confirming an address by a link, through a real SMTP server on 127.0.0.1: until then a
person can set up a profile but is never introduced; changing the address confirms the new
one and tells the old one."""

from tests.mail.helpers import CONFIRM, deliver, to, token_in, unconfirmed_peer
from tests.matching.people import ready_supporter, set_up
from tests.personas import PASSWORD, screen, staff

CHANGED = "Your Kindred e-mail address was changed"
NEW = "Please confirm your new e-mail address for Kindred"
GOING, FURTHER = "going_through", "further_along"


async def _address(client, person) -> dict:
    response = await client.get("/api/v1/me/email", headers=person.headers)
    assert response.status_code == 200
    return response.json()


async def test_a_new_account_confirms_its_address_by_a_link(client, app, smtp):
    una = await unconfirmed_peer(client, "una")
    assert await _address(client, una) == {"email": una.email, "verified": False}
    await deliver(app)
    [mail] = to(smtp, una.email, CONFIRM)
    token = token_in(mail, "/confirm-email")
    # Opening the link shows a button; it changes nothing by itself (mail scanners follow links).
    page = await client.get(f"/confirm-email?token={token}")
    assert page.status_code == 200 and "Confirm my address" in page.text
    assert (await _address(client, una))["verified"] is False
    done = await client.post("/api/v1/auth/email-confirmation", json={"token": token})
    assert done.status_code == 204
    assert (await _address(client, una))["verified"] is True
    again = await client.post("/api/v1/auth/email-confirmation", json={"token": token})
    assert again.status_code == 422
    bogus = await client.post("/api/v1/auth/email-confirmation", json={"token": "x" * 43})
    assert bogus.status_code == 422


async def test_nobody_unconfirmed_is_introduced(client, db, settings, app, smtp):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    # Una can set up a profile and ask for support...
    una = await unconfirmed_peer(client, "una")
    await set_up(client, una, [(1, GOING)])
    asked = await client.post(
        "/api/v1/support-requests", json={"tag_ids": [1], "preferences": {}}, headers=una.headers
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    # ...but is shown nobody, and can't be introduced, until her address is confirmed.
    refused = await client.get(
        f"/api/v1/support-requests/{request_id}/shortlist", headers=una.headers
    )
    assert refused.status_code == 409 and "confirm your e-mail" in refused.json()["detail"]
    chosen = await client.post(
        f"/api/v1/support-requests/{request_id}/choice",
        json={"supporter_id": str(bob.id)},
        headers=una.headers,
    )
    assert chosen.status_code == 409
    await deliver(app)
    token = token_in(to(smtp, una.email, CONFIRM)[0], "/confirm-email")
    assert (
        await client.post("/api/v1/auth/email-confirmation", json={"token": token})
    ).status_code == 204
    shown = await client.get(
        f"/api/v1/support-requests/{request_id}/shortlist", headers=una.headers
    )
    assert shown.status_code == 200 and [c["supporter_id"] for c in shown.json()] == [str(bob.id)]


async def test_an_unconfirmed_supporter_is_never_suggested(client, db, settings, app, smtp):
    from tests.matching.people import seeker_with_request

    robin = await staff(client, db, settings)
    sam, request = await seeker_with_request(client, "sam", [(1, GOING)])
    uma = await unconfirmed_peer(client, "uma")
    offer = await client.post("/api/v1/supporter-offer", json={"capacity": 2}, headers=uma.headers)
    assert offer.status_code == 201
    await screen(client, robin, uma.id)
    approved = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer.json()['id']}/approve",
        headers=robin.headers,
    )
    assert approved.status_code == 200
    await set_up(client, uma, [(1, FURTHER)])
    shown = await client.get(
        f"/api/v1/support-requests/{request['id']}/shortlist", headers=sam.headers
    )
    assert shown.status_code == 200 and shown.json() == []
    chosen = await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(uma.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 409


async def test_changing_the_address_confirms_the_new_one_and_tells_the_old_one(client, app, smtp):
    una = await unconfirmed_peer(client, "una")
    wrong = await client.put(
        "/api/v1/me/email",
        json={"email": "una.new@example.org", "password": "not my password"},
        headers=una.headers,
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "password"
    asked = await client.put(
        "/api/v1/me/email",
        json={"email": "Una.New@example.org", "password": PASSWORD},
        headers=una.headers,
    )
    assert asked.status_code == 202, asked.text
    assert (await _address(client, una))["email"] == una.email  # not until it is confirmed
    await deliver(app)
    [mail] = to(smtp, "una.new@example.org", NEW)
    confirmed = await client.post(
        "/api/v1/auth/email-confirmation", json={"token": token_in(mail, "/confirm-email")}
    )
    assert confirmed.status_code == 204
    assert await _address(client, una) == {"email": "una.new@example.org", "verified": True}
    await deliver(app)
    [told] = to(smtp, una.email, CHANGED)
    assert "una.new" not in str(told)  # the old address isn't told the new one
    login = await client.post(
        "/api/v1/auth/token", data={"username": "una.new@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200


async def test_only_i_see_or_change_my_address(client):
    assert (await client.get("/api/v1/me/email")).status_code == 401
    assert (
        await client.put("/api/v1/me/email", json={"email": "a@example.org", "password": "x"})
    ).status_code == 401
    assert (await client.post("/api/v1/me/email-confirmation")).status_code == 401


async def test_coordinators_see_who_has_not_confirmed_and_can_propose_once_they_do(
    client, db, settings, app, smtp
):
    from tests.web.pages import log_in

    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, FURTHER)])
    una = await unconfirmed_peer(client, "una")
    await set_up(client, una, [(1, GOING)])
    asked = await client.post(
        "/api/v1/support-requests", json={"tag_ids": [1], "preferences": {}}, headers=una.headers
    )
    request_id = asked.json()["id"]

    async def listed() -> dict:
        found = await client.get("/api/v1/coordination/waiting-list", headers=robin.headers)
        assert found.status_code == 200, found.text
        [row] = [r for r in found.json()["data"] if r["id"] == request_id]
        return row

    assert (await listed())["address_confirmed"] is False
    propose = {"request_id": request_id, "supporter_id": str(bob.id)}
    url = "/api/v1/coordination/proposals"
    refused = await client.post(url, json=propose, headers=robin.headers)
    assert refused.status_code == 409, refused.text
    # The console says why instead of offering candidates and a proposal that would be refused.
    await log_in(client, robin.email)
    waiting = (await client.get("/coordinator/waiting")).text
    assert "E-mail not confirmed yet" in waiting and "Propose a match for Una" not in waiting
    page = await client.get(f"/coordinator/waiting/{request_id}")
    assert page.status_code == 200
    assert "hasn't confirmed their e-mail address yet" in page.text
    assert "Send the introduction" not in page.text and "Bob" not in page.text

    await deliver(app)
    token = token_in(to(smtp, una.email, CONFIRM)[0], "/confirm-email")
    assert (
        await client.post("/api/v1/auth/email-confirmation", json={"token": token})
    ).status_code == 204
    assert (await listed())["address_confirmed"] is True
    page = await client.get(f"/coordinator/waiting/{request_id}")
    assert "hasn't confirmed" not in page.text and "Send the introduction" in page.text
    assert (await client.post(url, json=propose, headers=robin.headers)).status_code == 201
