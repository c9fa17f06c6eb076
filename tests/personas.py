"""Named people for tests: peers sign up through the API; staff accounts are made in the
database (as an administrator would), then set up their second factor through the API with a
code computed here, as an authenticator app would."""

import itertools
import time
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import httpx
import pyotp

from api.auth.models import Role, User
from api.auth.passwords import hash_password
from api.common import utcnow
from tests.addresses import confirm_address

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
    totp_secret: str = ""
    recovery_codes: list[str] = field(default_factory=list)


# Each account's TOTP secret by e-mail, so any helper can log a staff member in again.
SECRETS: dict[str, str] = {}
_last_step: dict[str, int] = {}


def totp_code(email_or_secret: str) -> str:
    """A code the server will take: this step's or the next (it never takes a step twice,
    RFC 6238 §5.2), waiting for a new step when both are spent."""
    secret = SECRETS.get(email_or_secret, email_or_secret)
    totp = pyotp.TOTP(secret)
    while True:
        now = int(time.time() // totp.interval)
        for step in (now, now + 1):
            if step > _last_step.get(secret, 0):
                _last_step[secret] = step
                return totp.at(step * totp.interval)
        time.sleep(totp.interval - time.time() % totp.interval + 0.05)


async def second_step(client: httpx.AsyncClient, answer: httpx.Response, email: str) -> dict:
    """The token endpoint said mfa_required: send the mfa_token with a code."""
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"] == "mfa_required", answer.text
    done = await client.post(
        "/api/v1/auth/second-factor",
        json={"mfa_token": answer.json()["mfa_token"], "code": totp_code(email)},
    )
    assert done.status_code == 200, done.text
    return done.json()


async def token_for(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict:
    """Log in through the API: the password, then a code when the account has a second
    factor."""
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    if response.status_code == 403 and email in SECRETS:
        return await second_step(client, response, email)
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
    await confirm_address(client, email)  # through the link e-mailed to them
    return await _person(client, name, email)


async def enrol(client: httpx.AsyncClient, person: Person) -> Person:
    """Set up the second factor through the API, as a person with an authenticator app."""
    started = await client.post("/api/v1/me/second-factor", headers=person.headers)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    SECRETS[person.email] = secret
    confirmed = await client.post(
        "/api/v1/me/second-factor/confirm",
        json={"code": totp_code(secret)},
        headers=person.headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    person.totp_secret = secret
    person.recovery_codes = confirmed.json()["recovery_codes"]
    return person


async def staff(
    client: httpx.AsyncClient,
    db,
    settings,
    role: Role = Role.coordinator,
    name: str = "robin",
    *,
    second_factor: bool = True,
) -> Person:
    """A coordinator (or administrator) who has set up their second factor, holding a token
    from that verified session; with ``second_factor=False``, one who hasn't yet."""
    email = f"{name}.{next(_counter)}@example.org"
    db.add(
        User(
            email=email,
            display_name=name.title(),
            password_hash=hash_password(settings, PASSWORD),
            role=role,
            email_verified_at=utcnow(),
        )
    )
    await db.commit()
    person = await _person(client, name, email)
    return await enrol(client, person) if second_factor else person


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
