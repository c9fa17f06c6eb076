"""A relationship's history, readable by both people: every change of state and of the terms."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import fast_rows
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


_E = RelationshipEvent.__table__.c  # type: ignore[attr-defined]
# Built once: every read of a relationship shows its history.
_EVENTS = (
    sa_select(_E.at, _E.actor_id, _E.from_state, _E.to_state, _E.id)
    .where(_E.relationship_id == bindparam("relationship_id"))
    .order_by(_E.at)
)


async def timeline(db: AsyncSession, *, agreement: Agreement) -> list[Event]:
    """Every event, oldest first: who did what, and when."""
    relationship, pair = agreement.relationship, agreement.pair
    events: list[Event] = []
    for at, actor_id, from_state, to_state, event_id in await fast_rows(
        db, _EVENTS, {"relationship_id": relationship.id}
    ):
        by: Actor = pair.role_of(actor_id) or ("coordinator" if actor_id else "service")
        events.append(Event(at, "state", by, from_state, to_state, id=event_id))
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
