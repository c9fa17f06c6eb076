"""Concerns: anyone in a relationship can raise one; it goes to the coordinators' queue.

The details are sealed and read only by coordinators. The other person is never shown a
concern; ``anonymous`` asks coordinators not to name the raiser to them when following it up.
Every change (raised, status, note, safety action) is kept in the concern's audit trail.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import Select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import Role, User
from api.auth.principal import Principal
from api.concerns.models import OPEN_CONCERN, Concern, ConcernEvent, ConcernKind, ConcernStatus
from api.config import Settings
from api.crypto import seal, unseal
from api.db import among
from api.errors import Forbidden, Invalid, NotFound
from api.outbox.service import emit
from api.paging import Order, Page, Period, Window, page
from api.relationships.models import Relationship
from api.relationships.service import mine, role_in

MAX_DETAILS = 4000


def require_coordinator(me: Principal) -> None:
    if not me.is_coordinator:
        raise Forbidden("This needs a coordinator.")


async def record(
    db: AsyncSession,
    *,
    settings: Settings,
    concern: Concern,
    actor_id: UUID | None,
    action: str,
    to_status: ConcernStatus | None = None,
    note: str | None = None,
) -> ConcernEvent:
    """Add one entry to a concern's audit trail (and change its status, if asked)."""
    event = ConcernEvent(concern_id=concern.id, actor_id=actor_id, action=action)
    if to_status is not None and to_status != concern.status:
        event.from_status, event.to_status = concern.status, to_status
        concern.status = to_status
    event.note_sealed = seal(settings, note, event.id.bytes)
    concern.updated_at = event.at
    db.add(event)
    await db.flush()
    return event


async def raise_concern(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    kind: ConcernKind,
    details: str | None,
    anonymous: bool,
    message_id: UUID | None = None,
) -> Concern:
    """Raise a concern about one of my relationships (also after it has ended); with a
    reported message attached, the report is the coordinators' reason to read it."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    details = (details or "").strip() or None
    if details and len(details) > MAX_DETAILS:
        raise Invalid.field("details", f"Please keep it under {MAX_DETAILS} characters.")
    concern = Concern(
        relationship_id=relationship.id,
        raised_by=me.user_id,
        raised_by_role=role_in(relationship, me.user_id) or "seeker",
        kind=kind,
        anonymous=anonymous,
        message_id=message_id,
    )
    concern.details_sealed = seal(settings, details, concern.id.bytes)
    db.add(concern)
    await db.flush()
    await record(db, settings=settings, concern=concern, actor_id=me.user_id, action="raised")
    # Integrators may hear that a concern was raised: its id and the relationship's, never
    # its kind, its details or who raised it.
    emit(
        db,
        type="concern.raised",
        data={"concern_id": str(concern.id), "relationship_id": str(relationship.id)},
        about_users=(relationship.seeker_id, relationship.supporter_id),
    )
    return concern


async def my_concerns(db: AsyncSession, me: Principal, *, relationship_id: UUID) -> list[Concern]:
    """The concerns I raised about this relationship, and where each stands."""
    relationship = await mine(db, me, relationship_id=relationship_id)
    rows = await db.scalars(
        select(Concern)
        .where(Concern.relationship_id == relationship.id, Concern.raised_by == me.user_id)
        .order_by(col(Concern.created_at))
    )
    return list(rows.all())


@dataclass(frozen=True)
class EventView:
    at: datetime
    action: str
    by: str | None  # the coordinator's name, the raiser's role, or None
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class ConcernView:
    """A concern as coordinators see it."""

    concern: Concern
    details: str | None
    assigned_to_name: str | None
    relationship_state: str
    seeker_name: str | None
    supporter_name: str | None
    events: list[EventView]


async def _names(db: AsyncSession, ids: set[UUID | None]) -> dict[UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(
        select(User.id, User.display_name).where(among(db, col(User.id), wanted))
    )
    return dict(rows.all())


_SEEKER, _SUPPORTER = aliased(User), aliased(User)


async def _pairs(db: AsyncSession, concerns: list[Concern]) -> dict[UUID, Any]:
    """Each concern's relationship: its state, its two people and their names, in one query
    (the ids sent as one parameter), not whole rows and a second query for the names."""
    rows: Any = await db.execute(
        sa.select(
            col(Relationship.id),
            col(Relationship.state),
            col(Relationship.seeker_id),
            col(Relationship.supporter_id),
            col(_SEEKER.display_name).label("seeker_name"),
            col(_SUPPORTER.display_name).label("supporter_name"),
        )
        .outerjoin(_SEEKER, col(_SEEKER.id) == Relationship.seeker_id)
        .outerjoin(_SUPPORTER, col(_SUPPORTER.id) == Relationship.supporter_id)
        .where(among(db, col(Relationship.id), {c.relationship_id for c in concerns}))
    )
    return {r.id: r for r in rows.all()}


def _role(pair: Any, user_id: UUID) -> str | None:
    """Which of the two someone is in the concern's relationship (relationships.role_in)."""
    if pair.seeker_id == user_id:
        return "seeker"
    if pair.supporter_id == user_id:
        return "supporter"
    return None


async def _views(
    db: AsyncSession, settings: Settings, concerns: list[Concern], with_events: bool
) -> list[ConcernView]:
    if not concerns:
        return []
    pairs = await _pairs(db, concerns)
    events: dict[UUID, list[ConcernEvent]] = {}
    if with_events:
        for event in await db.scalars(
            select(ConcernEvent)
            .where(among(db, col(ConcernEvent.concern_id), [c.id for c in concerns]))
            .order_by(col(ConcernEvent.at))
        ):
            events.setdefault(event.concern_id, []).append(event)
    actors = {e.actor_id for found in events.values() for e in found}
    names = await _names(db, actors | {c.assigned_to for c in concerns})
    views = []
    for concern in concerns:
        pair = pairs[concern.relationship_id]

        def by(event: ConcernEvent, pair: Any = pair) -> str | None:
            if event.actor_id is None:
                return None
            return _role(pair, event.actor_id) or names.get(event.actor_id)

        views.append(
            ConcernView(
                concern=concern,
                details=unseal(settings, concern.details_sealed, concern.id.bytes),
                assigned_to_name=names.get(concern.assigned_to) if concern.assigned_to else None,
                relationship_state=pair.state,
                seeker_name=pair.seeker_name if pair.seeker_id else None,
                supporter_name=pair.supporter_name if pair.supporter_id else None,
                events=[
                    EventView(
                        e.at,
                        e.action,
                        by(e),
                        e.from_status,
                        e.to_status,
                        unseal(settings, e.note_sealed, e.id.bytes),
                    )
                    for e in events.get(concern.id, [])
                ],
            )
        )
    return views


async def queue(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    status: ConcernStatus | None,
    assigned_to: UUID | None = None,
) -> list[ConcernView]:
    """The coordinators' queue, oldest first: every concern not yet resolved unless `status`
    is given (optionally only those assigned to one coordinator)."""
    require_coordinator(me)
    query = _queue_query(status, assigned_to)
    rows = await db.scalars(query.order_by(col(Concern.created_at), col(Concern.id)).limit(500))
    return await _views(db, settings, list(rows.all()), with_events=False)


async def queue_page(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    status: ConcernStatus | None,
    assigned_to: UUID | None = None,
    window: Window,
    period: Period = Period(),
) -> Page[ConcernView]:
    """A page of the queue, oldest first, made in a period."""
    require_coordinator(me)
    found = await page(
        db,
        _queue_query(status, assigned_to).where(*period.where(Concern.created_at)),
        Order(col(Concern.created_at), col(Concern.id), descending=False),
        window,
        anchor=lambda cursor: select(Concern.created_at).where(Concern.id == cursor),
    )
    rows = [row[0] for row in found.items]
    return Page(await _views(db, settings, rows, with_events=False), found.has_more)


def _queue_query(status: ConcernStatus | None, assigned_to: UUID | None) -> Select[Any]:
    query = select(Concern)
    if status is not None:
        query = query.where(Concern.status == status)
    else:
        query = query.where(col(Concern.status).in_(OPEN_CONCERN))
    if assigned_to is not None:
        query = query.where(Concern.assigned_to == assigned_to)
    return query


async def get_concern(
    db: AsyncSession, me: Principal, *, settings: Settings, concern_id: UUID
) -> ConcernView:
    require_coordinator(me)
    concern = await db.get(Concern, concern_id, populate_existing=True)
    if concern is None:
        raise NotFound("No such concern.")
    return (await _views(db, settings, [concern], with_events=True))[0]


async def _assignable(db: AsyncSession, user_id: UUID) -> None:
    role = await db.scalar(select(User.role).where(User.id == user_id))
    if role not in (Role.coordinator, Role.admin):
        raise Invalid.field("assigned_to", "Assign it to a coordinator.")


async def update_concern(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    concern_id: UUID,
    status: ConcernStatus | None,
    note: str | None,
    assigned_to: UUID | None = None,
    unassign: bool = False,
) -> ConcernView:
    """Move a concern along (new, triaged, in progress, resolved), assign it to a coordinator
    and/or add a note; each step goes into its audit trail."""
    require_coordinator(me)
    concern = await db.get(Concern, concern_id)
    if concern is None:
        raise NotFound("No such concern.")
    note = (note or "").strip() or None
    if note and len(note) > MAX_DETAILS:
        raise Invalid.field("note", f"Please keep it under {MAX_DETAILS} characters.")
    reassign = (unassign and concern.assigned_to is not None) or (
        assigned_to is not None and assigned_to != concern.assigned_to
    )
    moves = status is not None and status != concern.status
    if not moves and not note and not reassign:
        raise Invalid.field("status", "Change the status, assign it, add a note, or any of these.")
    if reassign:
        if assigned_to is not None and not unassign:
            await _assignable(db, assigned_to)
        concern.assigned_to = None if unassign else assigned_to
        await record(
            db,
            settings=settings,
            concern=concern,
            actor_id=me.user_id,
            action="unassigned" if unassign else "assigned",
        )
    if moves or note:
        await record(
            db,
            settings=settings,
            concern=concern,
            actor_id=me.user_id,
            action="status" if moves else "note",
            to_status=status,
            note=note,
        )
    await audit.record(
        db,
        me,
        action=Action.concern_updated,
        subject_type="concern",
        subject_id=concern.id,
        details={"status": str(concern.status)}
        | ({"assigned_to": str(concern.assigned_to)} if reassign else {})
        | ({"note": "added"} if note else {}),
    )
    return await get_concern(db, me, settings=settings, concern_id=concern_id)


async def concern_of(db: AsyncSession, *, relationship: Relationship, concern_id: UUID) -> Concern:
    """A concern about this relationship (for linking a coordinator's action to it)."""
    concern = await db.get(Concern, concern_id)
    if concern is None or concern.relationship_id != relationship.id:
        raise Invalid.field("concern_id", "That concern isn't about this relationship.")
    return concern


async def erase_details_by(db: AsyncSession, *, user_id: UUID) -> None:
    """Their account is going: the details of concerns they raised go with it (coordinators
    keep the concern itself, its kind and its trail)."""
    await db.execute(
        update(Concern)
        .where(col(Concern.raised_by) == user_id)
        .values(details_sealed=None)
        .execution_options(synchronize_session=False)
    )
