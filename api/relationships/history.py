"""A relationship's history, readable by both people: every change of state and of the terms."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.relationships.agreement_view import Agreement
from api.relationships.models import ConsentKind, RelationshipEvent, VersionStatus

EventKind = Literal["state", "proposed", "agreed", "withdrawn", "reviewed"]
# "service": Kindred itself (an introduction expiring, say); None: a former member.
Actor = Literal["seeker", "supporter", "coordinator", "service"]
_NO_ID = UUID(int=0)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: EventKind
    by: Actor | None
    from_state: str | None = None
    to_state: str | None = None
    version: int | None = None
    # What it came from: the state change's row, the version, the consent (stable, so a
    # list of events can be paged by it).
    id: UUID = _NO_ID


async def timeline(db: AsyncSession, *, agreement: Agreement) -> list[Event]:
    """Every event, oldest first: who did what, and when."""
    relationship, pair = agreement.relationship, agreement.pair
    rows = await db.scalars(
        select(RelationshipEvent)
        .where(RelationshipEvent.relationship_id == relationship.id)
        .order_by(col(RelationshipEvent.at))
    )
    events: list[Event] = []
    for row in rows.all():
        by: Actor = pair.role_of(row.actor_id) or ("coordinator" if row.actor_id else "service")
        events.append(Event(row.at, "state", by, row.from_state, row.to_state, id=row.id))
    for version in agreement.versions:
        number = version.number
        proposer = agreement.proposer(version)
        events.append(
            Event(version.created_at, "proposed", proposer, version=number, id=version.id)
        )
        for consent in agreement.consents_to(version):
            if consent.user_id == version.proposed_by and consent.kind == ConsentKind.consent:
                continue  # proposing is consenting; it is the "proposed" event
            kind: EventKind = "reviewed" if consent.kind == ConsentKind.review else "agreed"
            by_whom = pair.role_of(consent.user_id)
            events.append(Event(consent.at, kind, by_whom, version=number, id=consent.id))
        if version.status == VersionStatus.withdrawn and version.closed_at:
            by_role = pair.role_of(version.closed_by)
            withdrawn = uuid.uuid5(version.id, "withdrawn")
            events.append(
                Event(version.closed_at, "withdrawn", by_role, version=number, id=withdrawn)
            )
    return sorted(events, key=lambda e: (e.at, e.id))
