"""Offers waiting for a decision, and the screening routes' addresses."""

from datetime import date, timedelta

from tests.personas import Person, peer


def screening_of(user_id) -> str:
    return f"/api/v1/coordination/supporters/{user_id}/screening"


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


async def offering(client, name: str = "finn") -> tuple[Person, str]:
    """Someone who has offered to support others; their offer's id."""
    person = await peer(client, name)
    offer = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 1}, headers=person.headers
    )
    assert offer.status_code == 201, offer.text
    return person, offer.json()["id"]


async def approve(client, coordinator: Person, offer_id: str):
    return await client.post(
        f"/api/v1/coordination/supporter-offers/{offer_id}/approve", headers=coordinator.headers
    )


async def record(client, coordinator: Person, person: Person, item: str, done_on: str, **more):
    recorded = await client.post(
        screening_of(person.id),
        json={"item": item, "done_on": done_on, **more},
        headers=coordinator.headers,
    )
    assert recorded.status_code == 201, recorded.text
    return recorded.json()
