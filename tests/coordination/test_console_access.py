"""Every console endpoint is for coordinators only: 401 without a login, 403 for a peer."""

import uuid

import pytest

from tests.personas import peer

ANY = uuid.uuid4()
ROUTES = [
    ("GET", "/api/v1/coordination/today"),
    ("GET", "/api/v1/coordination/supporters"),
    ("POST", f"/api/v1/coordination/supporters/{ANY}/suspend"),
    ("POST", f"/api/v1/coordination/supporters/{ANY}/reinstate"),
    ("GET", "/api/v1/coordination/relationships"),
    ("GET", f"/api/v1/coordination/relationships/{ANY}/timeline"),
    ("GET", "/api/v1/coordination/statistics"),
    ("GET", "/api/v1/coordination/statistics/waiting.csv"),
    ("GET", "/api/v1/coordination/settings"),
    ("PUT", "/api/v1/coordination/settings/introduction_ttl_hours"),
    ("GET", "/api/v1/coordination/settings-history"),
    ("GET", "/api/v1/coordination/waiting-list"),
    ("GET", f"/api/v1/coordination/support-requests/{ANY}/shortlist"),
    ("POST", "/api/v1/coordination/proposals"),
    ("POST", "/api/v1/coordination/batches"),
    ("GET", f"/api/v1/coordination/batches/{ANY}"),
    ("POST", f"/api/v1/coordination/batches/{ANY}/send"),
    ("GET", "/api/v1/coordination/supporter-offers"),
    ("POST", f"/api/v1/coordination/supporter-offers/{ANY}/approve"),
    ("POST", f"/api/v1/coordination/supporter-offers/{ANY}/decline"),
    ("PATCH", f"/api/v1/coordination/batches/{ANY}/items/{ANY}"),
    ("DELETE", f"/api/v1/coordination/batches/{ANY}/items/{ANY}"),
    ("GET", "/api/v1/coordination/concerns"),
    ("GET", f"/api/v1/coordination/concerns/{ANY}"),
    ("PATCH", f"/api/v1/coordination/concerns/{ANY}"),
    ("GET", f"/api/v1/coordination/relationships/{ANY}/safety"),
    ("GET", "/api/v1/coordination/feedback"),
    ("GET", f"/api/v1/coordination/supporters/{ANY}/screening"),
    ("POST", f"/api/v1/coordination/supporters/{ANY}/screening"),
    ("GET", "/api/v1/coordination/screening/due"),
    ("GET", f"/api/v1/coordination/supporters/{ANY}/supervision"),
    ("POST", f"/api/v1/coordination/supporters/{ANY}/supervision"),
    ("GET", "/api/v1/coordination/supervision/overdue"),
    ("GET", f"/api/v1/coordination/supporters/{ANY}/debriefs"),
    ("GET", "/api/v1/coordination/safeguarding-access/requests"),
    ("POST", f"/api/v1/coordination/safeguarding-access/{ANY}/approve"),
    ("POST", f"/api/v1/coordination/safeguarding-access/{ANY}/refuse"),
]
BODIES = {
    "PUT": {"value": 48},
    "POST": {"request_id": str(ANY), "supporter_id": str(ANY), "note": "A note"},
    "PATCH": {"status": "triaged"},
}


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_anonymous_is_told_to_log_in_and_a_peer_is_refused(client, method, path):
    body = BODIES.get(method)
    anonymous = await client.request(method, path, json=body)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    sam = await peer(client, "sam")
    refused = await client.request(method, path, json=body, headers=sam.headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == "/problems/forbidden"


async def test_the_list_covers_every_coordination_route(app):
    listed = {path.split("/api/v1")[1].replace(str(ANY), "{}") for _, path in ROUTES}
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/v1/coordination") and (
            "today" in path
            or "supporters" in path
            or "statistics" in path
            or "settings" in path
            or path.endswith("/timeline")
            or "waiting-list" in path
            or "proposals" in path
            or "batches" in path
            or "supporter-offers" in path
            or path == "/api/v1/coordination/relationships"
            or "screening" in path
            or "supervision" in path
            or "safeguarding-access/" in path
        ):
            shape = path.split("/api/v1")[1]
            for name in (
                "{user_id}",
                "{relationship_id}",
                "{table}",
                "{key}",
                "{draft_id}",
                "{item_id}",
                "{offer_id}",
                "{request_id}",
            ):
                shape = shape.replace(name, "{}")
            shape = shape.replace("{}.csv", "waiting.csv").replace(
                "settings/{}", "settings/introduction_ttl_hours"
            )
            assert shape in listed, f"{path} is not checked for coordinators only"
