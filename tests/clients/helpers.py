"""Integrator clients for tests: made by an administrator through the API, with tokens from
the client-credentials grant."""

import base64
from dataclasses import dataclass, field

import httpx

from api.auth.models import Role
from api.clients.scopes import SCOPES
from tests.personas import Person, staff

ALL_SCOPES = list(SCOPES)


@dataclass
class Integrator:
    client_id: str
    secret: str
    admin: Person
    token: str = ""
    headers: dict[str, str] = field(default_factory=dict)


async def admin(client: httpx.AsyncClient, db, settings, name: str = "ada") -> Person:
    return await staff(client, db, settings, role=Role.admin, name=name)


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def grant(
    client: httpx.AsyncClient, client_id: str, secret: str, scope: str | None = None
) -> httpx.Response:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    return await client.post("/api/v1/auth/token", data=form, headers=basic(client_id, secret))


async def token_for(
    client: httpx.AsyncClient, client_id: str, secret: str, scope: str | None = None
) -> str:
    response = await grant(client, client_id, secret, scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def integrator(
    client: httpx.AsyncClient,
    db,
    settings,
    *,
    scopes: list[str] | None = None,
    name: str = "Riverside social prescribing",
    by: Person | None = None,
) -> Integrator:
    """A client created by an administrator, holding a token with all its scopes."""
    by = by or await admin(client, db, settings)
    made = await client.post(
        "/api/v1/admin/clients",
        json={"name": name, "scopes": scopes or ALL_SCOPES},
        headers=by.headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    found = Integrator(client_id=body["client_id"], secret=body["client_secret"], admin=by)
    found.token = await token_for(client, found.client_id, found.secret)
    found.headers = {"Authorization": f"Bearer {found.token}"}
    return found
