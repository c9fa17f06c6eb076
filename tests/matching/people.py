"""Seekers and supporters with profiles and experiences, built through the API."""

from tests.personas import Person, peer, supporter

EVENINGS = [{"weekday": d, "start": "18:00", "end": "21:00"} for d in (1, 3)]


def profile(**changes) -> dict:
    return {
        "pronouns": "they/them",
        "languages": ["en"],
        "timezone": "Europe/London",
        "availability": EVENINGS,
        "channels": ["chat", "video"],
        "topics_to_avoid": [],
        **changes,
    }


async def set_up(
    client, person: Person, experiences: list[tuple[int, str]], **profile_changes
) -> None:
    saved = await client.put(
        "/api/v1/profile", json=profile(**profile_changes), headers=person.headers
    )
    assert saved.status_code == 200, saved.text
    items = [{"tag_id": t, "stage": stage} for t, stage in experiences]
    saved = await client.put("/api/v1/profile/experiences", json=items, headers=person.headers)
    assert saved.status_code == 200, saved.text


async def seeker_with_request(
    client,
    name: str,
    experiences: list[tuple[int, str]],
    preferences: dict | None = None,
    **profile_changes,
) -> tuple[Person, dict]:
    person = await peer(client, name)
    await set_up(client, person, experiences, **profile_changes)
    response = await client.post(
        "/api/v1/support-requests",
        json={"tag_ids": [t for t, _ in experiences], "preferences": preferences or {}},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text
    return person, response.json()


async def ready_supporter(
    client,
    coordinator: Person,
    name: str,
    experiences: list[tuple[int, str]],
    capacity: int = 2,
    **profile_changes,
) -> Person:
    person = await supporter(client, coordinator, name, capacity)
    await set_up(client, person, experiences, **profile_changes)
    return person
