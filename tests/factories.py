"""Test data built the short way: people through the API, a relationship straight in the DB.

`agreeing_pair` stands for "the supporter has just accepted the introduction" without going
through the matching engine, so the agreement tests don't depend on scoring or shortlists.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import update

from api.relationships import lifecycle
from api.relationships.models import Relationship, RelationshipEvent, State
from api.supporters.models import SupporterOffer
from tests.personas import Person, peer, staff, supporter

EVENINGS = [{"weekday": d, "start": "18:00", "end": "21:00"} for d in (1, 3)]


def profile(**changes: Any) -> dict[str, Any]:
    return {
        "pronouns": "they/them",
        "languages": ["en"],
        "timezone": "Europe/London",
        "availability": EVENINGS,
        "channels": ["chat", "video"],
        "topics_to_avoid": [],
        **changes,
    }


@dataclass
class Pair:
    seeker: Person
    supporter: Person
    coordinator: Person
    relationship_id: UUID

    @property
    def base(self) -> str:
        return f"/api/v1/relationships/{self.relationship_id}"


async def agreeing_pair(
    client,
    db,
    settings,
    *,
    seeker_profile: dict[str, Any] | None = None,
    supporter_profile: dict[str, Any] | None = None,
    seeker_name: str = "sam",
    supporter_name: str = "bob",
) -> Pair:
    """A seeker and an approved supporter with profiles, whose introduction was just accepted."""
    coordinator = await staff(client, db, settings)
    bob = await supporter(client, coordinator, supporter_name)
    sam = await peer(client, seeker_name)
    for person, changes in ((sam, seeker_profile), (bob, supporter_profile)):
        saved = await client.put(
            "/api/v1/profile", json=profile(**(changes or {})), headers=person.headers
        )
        assert saved.status_code == 200, saved.text
    return Pair(sam, bob, coordinator, await accepted_introduction(db, sam, bob, coordinator))


async def accepted_introduction(db, seeker: Person, supporter: Person, coordinator: Person) -> UUID:
    """A relationship between these two, its introduction just accepted; its id."""
    relationship = Relationship(
        seeker_id=seeker.id, supporter_id=supporter.id, state=State.introduced
    )
    await lifecycle.start(db, relationship=relationship, actor_id=coordinator.id)
    # What accepting does (api/matching/introductions.accept), without the matching engine.
    relationship.state = State.agreeing
    db.add(
        RelationshipEvent(
            relationship_id=relationship.id,
            actor_id=supporter.id,
            from_state=State.introduced,
            to_state=State.agreeing,
        )
    )
    await db.execute(
        update(SupporterOffer)
        .where(SupporterOffer.user_id == supporter.id)
        .values(active_count=SupporterOffer.active_count + 1)
    )
    await db.commit()
    return relationship.id


def agreeable_terms(**changes: Any) -> dict[str, Any]:
    """Terms two people with the default profiles can agree: evenings, chat and video."""
    end = date.today() + timedelta(weeks=8)
    return {
        "windows": [
            {"weekday": 1, "start": "19:00", "end": "20:30"},
            {"weekday": 3, "start": "19:00", "end": "20:30"},
        ],
        "timezone": "Europe/London",
        "channels": ["chat", "video"],
        "sessions_total": 6,
        "session_minutes": 45,
        "max_sessions_per_week": 1,
        "review_after_session": 3,
        "planned_end_date": end.isoformat(),
        "response_expectation": "within_2_days",
        "acknowledgements": {"confidentiality_and_exception": True, "not_a_crisis_service": True},
        **changes,
    }


def as_of(person: Person, etag: str) -> dict[str, str]:
    """`person`'s headers for a change based on the agreement they read with this ETag."""
    return {**person.headers, "If-Match": etag}
