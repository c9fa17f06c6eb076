"""Integrators manage their webhook endpoints through the API (webhooks:manage): the secret
is shown on creation and rotation only, lists page the shared way, bad input is a problem
with the field named, and a client never reaches another client's endpoints (404)."""

from tests.clients.helpers import admin, integrator
from tests.webhooks.conftest import running, until

PROBLEM = "application/problem+json"
BASE = "/api/v1/webhooks/endpoints"


async def test_create_read_change_rotate_and_delete_an_endpoint(api, db, settings, receiver):
    ada = await admin(api, db, settings)
    made = await integrator(api, db, settings, scopes=["webhooks:manage"], by=ada)
    url = receiver.script("/hooks")
    created = await api.post(
        BASE,
        json={"url": url, "event_types": ["session.held"], "description": "Our CRM"},
        headers=made.headers,
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"] is True
    assert endpoint["disabled_reason"] is None
    path = f"{BASE}/{endpoint['id']}"

    read = (await api.get(path, headers=made.headers)).json()
    assert "secret" not in read and read["url"] == url and read["event_types"] == ["session.held"]
    for n in range(2):
        more = await api.post(
            BASE, json={"url": url + str(n), "event_types": ["session.held"]}, headers=made.headers
        )
        assert more.status_code == 201
    first = (await api.get(BASE, params={"limit": 2}, headers=made.headers)).json()
    assert first["data"][0]["id"] == endpoint["id"] and first["has_more"] is True
    rest = (
        await api.get(
            BASE, params={"starting_after": first["data"][-1]["id"]}, headers=made.headers
        )
    ).json()
    assert len(rest["data"]) == 1 and rest["has_more"] is False

    changed = await api.patch(
        path, json={"enabled": False, "event_types": ["relationship.ended"]}, headers=made.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is False and changed.json()["disabled_reason"]
    assert changed.json()["event_types"] == ["relationship.ended"]
    again = await api.patch(path, json={"enabled": True}, headers=made.headers)
    assert again.json()["enabled"] is True and again.json()["disabled_at"] is None

    rotated = await api.post(f"{path}/secret/rotate", json={}, headers=made.headers)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != endpoint["secret"]
    assert rotated.json()["previous_expires_at"]

    gone = await api.delete(path, headers=made.headers)
    assert gone.status_code == 204
    assert (await api.get(path, headers=made.headers)).status_code == 404


async def test_bad_input_is_a_problem_naming_the_field(api, db, settings):
    made = await integrator(api, db, settings, scopes=["webhooks:manage"])
    for body, field in [
        ({"url": "ftp://hooks.example.org/", "event_types": ["session.held"]}, "url"),
        ({"url": "https://hooks.example.org/", "event_types": ["session.nap"]}, "event_types"),
        ({"url": "https://hooks.example.org/", "event_types": []}, "event_types"),
        ({"url": "https://hooks.example.org/", "event_types": ["session.held"], "x": 1}, "x"),
    ]:
        refused = await api.post(BASE, json=body, headers=made.headers)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"] == PROBLEM
        assert field in [e["field"] for e in refused.json()["errors"]], refused.json()


async def test_a_client_never_reaches_another_clients_endpoints(api, db, settings, receiver):
    ada = await admin(api, db, settings)
    mine = await integrator(api, db, settings, scopes=["webhooks:manage"], by=ada)
    theirs = await integrator(
        api, db, settings, scopes=["webhooks:manage"], name="Another service", by=ada
    )
    made = await api.post(
        BASE,
        json={"url": receiver.script("/mine"), "event_types": ["session.held"]},
        headers=mine.headers,
    )
    path = f"{BASE}/{made.json()['id']}"
    for method, url, body in [
        ("GET", path, None),
        ("PATCH", path, {"enabled": False}),
        ("DELETE", path, None),
        ("POST", f"{path}/secret/rotate", {}),
        ("GET", f"{path}/deliveries", None),
        ("POST", f"{path}/test", None),
    ]:
        refused = await api.request(method, url, json=body, headers=theirs.headers)
        assert refused.status_code == 404, (method, url, refused.text)
        assert refused.headers["content-type"] == PROBLEM
    assert (await api.get(BASE, headers=theirs.headers)).json() == {"data": [], "has_more": False}
    assert (await api.get(path, headers=mine.headers)).json()["enabled"] is True


async def test_a_test_event_and_a_redelivery_reach_the_receiver_signed(
    api, db, settings, hook_settings, sessions, receiver
):
    made = await integrator(api, db, settings, scopes=["webhooks:manage"])
    created = (
        await api.post(
            BASE,
            json={"url": receiver.script("/hooks"), "event_types": ["session.held"]},
            headers=made.headers,
        )
    ).json()
    path = f"{BASE}/{created['id']}"
    async with running(hook_settings, sessions):
        sent = await api.post(f"{path}/test", headers=made.headers)
        assert sent.status_code == 202, sent.text
        assert sent.json()["event_type"] == "webhook.test" and sent.json()["status"] == "pending"
        await until(lambda: len(receiver.at("/hooks")) == 1)
        await until(lambda: _status(api, made, path, "delivered"))
        delivery = (await api.get(f"{path}/deliveries", headers=made.headers)).json()["data"][0]
        again = await api.post(
            f"{path}/deliveries/{delivery['id']}/redeliver", headers=made.headers
        )
        assert again.status_code == 202 and again.json()["status"] == "pending"
        await until(lambda: len(receiver.at("/hooks")) == 2)
    first, second = receiver.at("/hooks")
    assert first.webhook_id == second.webhook_id == delivery["event_id"]
    payload = second.verified(created["secret"])
    assert payload["type"] == "webhook.test" and payload["data"] == {"endpoint_id": created["id"]}
    unknown = await api.post(f"{path}/deliveries/{created['id']}/redeliver", headers=made.headers)
    assert unknown.status_code == 404


async def _status(api, made, path: str, wanted: str) -> bool:
    found = (await api.get(f"{path}/deliveries", headers=made.headers)).json()["data"]
    return bool(found) and found[0]["status"] == wanted
