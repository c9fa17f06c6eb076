"""Every integrator route by every scope: a token holding only that scope is let through
exactly where the route names it, and otherwise refused with a 403 problem naming the
missing scope. People's tokens, no token, and a revoked client's token: 401.

The routes are read from the OpenAPI document (every operation whose security names the
IntegratorClient scheme), so a new integrator route is in the matrix the day it is added."""

import uuid

from tests.clients.helpers import ALL_SCOPES, admin, integrator, token_for
from tests.personas import peer, staff

# The routes this matrix must at least cover (more join it from the OpenAPI document).
KNOWN = {
    ("POST", "/api/v1/referrals"): {"referrals:write"},
    ("GET", "/api/v1/referrals"): {"referrals:read"},
    ("GET", "/api/v1/referrals/{referral_id}"): {"referrals:read"},
    ("GET", "/api/v1/integrations/relationships"): {"relationships:read"},
    ("GET", "/api/v1/integrations/taxonomy"): {"referrals:write"},
    ("GET", "/api/v1/integrations/statistics"): {"stats:read"},
    **{
        (method, "/api/v1/webhooks/endpoints" + tail): {"webhooks:manage"}
        for method, tail in [
            ("POST", ""),
            ("GET", ""),
            ("GET", "/{endpoint_id}"),
            ("PATCH", "/{endpoint_id}"),
            ("DELETE", "/{endpoint_id}"),
            ("POST", "/{endpoint_id}/secret/rotate"),
            ("GET", "/{endpoint_id}/deliveries"),
            ("POST", "/{endpoint_id}/deliveries/{delivery_id}/redeliver"),
            ("POST", "/{endpoint_id}/test"),
        ]
    },
}


async def _integrator_routes(client) -> dict[tuple[str, str], set[str]]:
    document = (await client.get("/openapi.json")).json()
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for requirement in operation.get("security", []):
                if "IntegratorClient" in requirement:
                    found[(method.upper(), path)] = set(requirement["IntegratorClient"])
    return found


def _url(path: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + str(uuid.uuid4()) + path[end + 1 :]
    return path


async def test_every_integrator_route_against_every_scope(client, db, settings):
    routes = await _integrator_routes(client)
    for route, scopes in KNOWN.items():
        assert routes.get(route) == scopes, route
    ada = await admin(client, db, settings)
    holding = {}
    for scope in ALL_SCOPES:
        made = await integrator(client, db, settings, scopes=[scope], name=f"Only {scope}", by=ada)
        holding[scope] = made.headers
    checked = 0
    for (method, path), needed in sorted(routes.items()):
        url = _url(path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        for scope, headers in holding.items():
            response = await client.request(method, url, json=body, headers=headers)
            if needed <= {scope}:
                assert response.status_code not in (401, 403), (method, path, scope)
            else:
                assert response.status_code == 403, (method, path, scope, response.text)
                problem = response.json()
                assert response.headers["content-type"] == "application/problem+json"
                assert problem["type"] == "/problems/insufficient-scope"
                for missing in needed:
                    assert missing in problem["detail"], (method, path, scope)
                    assert missing in response.headers["www-authenticate"]
                assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
            checked += 1
    assert checked == len(routes) * len(ALL_SCOPES) >= len(KNOWN) * 5


async def test_people_no_token_and_revoked_clients_are_refused_on_every_integrator_route(
    client, db, settings
):
    routes = await _integrator_routes(client)
    sam = await peer(client, "sam")
    robin = await staff(client, db, settings)
    ada = await admin(client, db, settings)
    made = await integrator(client, db, settings, by=ada)
    spare = await token_for(client, made.client_id, made.secret)
    revoked = await client.post(
        f"/api/v1/admin/clients/{made.client_id}/revoke", headers=ada.headers
    )
    assert revoked.status_code == 200
    callers = {
        "anonymous": {},
        "a peer's token": sam.headers,
        "a coordinator's token": robin.headers,
        "an administrator's token": ada.headers,
        "a revoked client's token": {"Authorization": f"Bearer {spare}"},
        "not a token": {"Authorization": "Bearer nonsense"},
    }
    for (method, path), _ in sorted(routes.items()):
        url = _url(path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        for who, headers in callers.items():
            response = await client.request(method, url, json=body, headers=headers)
            assert response.status_code == 401, (method, path, who)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"].startswith("Bearer")
