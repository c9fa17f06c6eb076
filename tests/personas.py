"""Named people for tests: peers sign up through the API; staff are created directly."""

import itertools
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import httpx

from api.auth.models import Role, User
from api.auth.passwords import hash_password

PASSWORD = "a calm walk by the river"
_counter = itertools.count(1)


@dataclass
class Person:
    name: str
    email: str
    id: UUID
    access_token: str
    refresh_token: str
    headers: dict[str, str] = field(default_factory=dict)


async def token_for(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict:
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _person(client: httpx.AsyncClient, name: str, email: str) -> Person:
    tokens = await token_for(client, email)
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    return Person(
        name=name,
        email=email,
        id=UUID(me.json()["id"]),
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )


async def peer(client: httpx.AsyncClient, name: str = "alice") -> Person:
    email = f"{name}.{next(_counter)}@example.org"
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "display_name": name.title()},
    )
    assert response.status_code == 201, response.text
    return await _person(client, name, email)


async def staff(
    client: httpx.AsyncClient, db, settings, role: Role = Role.coordinator, name: str = "robin"
) -> Person:
    email = f"{name}.{next(_counter)}@example.org"
    db.add(
        User(
            email=email,
            display_name=name.title(),
            password_hash=hash_password(settings, PASSWORD),
            role=role,
        )
    )
    await db.commit()
    return await _person(client, name, email)


# The shipped checklist's required items (api/policies/governance.DEFAULT_CHECKLIST).
REQUIRED_SCREENING = ("references", "training", "code_of_conduct")


async def screen(
    client: httpx.AsyncClient,
    coordinator: Person,
    user_id: UUID,
    items: tuple[str, ...] = REQUIRED_SCREENING,
    done_on: str | None = None,
) -> None:
    """A coordinator records each required screening item for someone, through the API (so
    their offer can be approved)."""
    for item in items:
        recorded = await client.post(
            f"/api/v1/coordination/supporters/{user_id}/screening",
            json={"item": item, "done_on": done_on or date.today().isoformat()},
            headers=coordinator.headers,
        )
        assert recorded.status_code == 201, recorded.text


async def supporter(
    client: httpx.AsyncClient, coordinator: Person, name: str = "bob", capacity: int = 2
) -> Person:
    person = await peer(client, name)
    offer = await client.post(
        "/api/v1/supporter-offer", json={"capacity": capacity}, headers=person.headers
    )
    assert offer.status_code == 201, offer.text
    await screen(client, coordinator, person.id)
    approved = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer.json()['id']}/approve",
        headers=coordinator.headers,
    )
    assert approved.status_code == 200, approved.text
    return person
