"""The waiting list as coordinators read it, a page at a time: who is waiting, for how long,
what they asked for (the experiences' names), their preferences, whether they asked a
coordinator to choose, and whether they are first in line.

The order is the waiting list's one order (``matching.requests.waiting_order``): first those
put first in line (whoever was put there first), then the longest waiting; the id breaks ties.
A page continues after the row ``starting_after`` in that order, even if that person has been
matched since. Each part of the order is read with its own index-friendly range
(``ix_support_request_status_line`` and ``ix_support_request_status_created``).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.coordination.paging import Page, check_limit
from api.errors import Forbidden, Invalid, NotFound
from api.matching.models import RequestStatus, SupportRequest
from api.profiles.models import ExperienceTag

_Q = SupportRequest
NO_LONGER_LISTED = "an experience no longer listed"


@dataclass(frozen=True)
class WaitingSeeker:
    request_id: UUID
    seeker_id: UUID
    seeker_display_name: str
    waiting_since: datetime
    days_waiting: int
    experiences: list[str]  # the names of what they asked support with
    preferences: dict[str, Any]
    coordinator_chooses: bool
    first_in_line: bool


def _rows() -> Any:
    return (
        select(_Q, User.display_name)
        .join(User, col(User.id) == _Q.seeker_id)
        .where(col(_Q.status) == RequestStatus.waiting)
    )


async def waiting_list(
    db: AsyncSession, me: Principal, *, limit: int = 25, starting_after: UUID | None = None
) -> Page[WaitingSeeker]:
    """One page of the waiting list, in its order (coordinators only)."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can see the waiting list.")
    check_limit(limit)
    first = col(_Q.first_in_line_at)
    in_line: Any = _rows().where(first.is_not(None))
    rest = _rows().where(first.is_(None))
    if starting_after is not None:
        anchor = (
            await db.execute(
                select(_Q.first_in_line_at, _Q.created_at).where(col(_Q.id) == starting_after)
            )
        ).first()
        if anchor is None:
            raise Invalid.field("starting_after", "That request isn't on the waiting list.")
        line_at, created_at = anchor
        if line_at is None:  # past everyone first in line, into the rest
            in_line = None
            rest = rest.where(
                tuple_(col(_Q.created_at), col(_Q.id)) > tuple_(created_at, starting_after)
            )
        else:
            key = tuple_(first, col(_Q.created_at), col(_Q.id))
            in_line = in_line.where(key > tuple_(line_at, created_at, starting_after))
    found: list[Any] = []
    if in_line is not None:
        ordered = in_line.order_by(first, col(_Q.created_at), col(_Q.id))
        found = list((await db.execute(ordered.limit(limit + 1))).all())
    if len(found) <= limit:
        ordered = rest.order_by(col(_Q.created_at), col(_Q.id))
        found += list((await db.execute(ordered.limit(limit + 1 - len(found)))).all())
    page, has_more = found[:limit], len(found) > limit
    labels = await _labels(db, page)
    return Page([_seeker(request, name, labels) for request, name in page], has_more)


async def _labels(db: AsyncSession, rows: list[Any]) -> dict[int, str]:
    wanted = {t for request, _ in rows for t in request.tag_ids}
    if not wanted:
        return {}
    found = await db.execute(
        select(ExperienceTag.id, ExperienceTag.label).where(col(ExperienceTag.id).in_(wanted))
    )
    return {tag_id: label for tag_id, label in found.all() if tag_id is not None}


def _seeker(request: SupportRequest, name: str, labels: dict[int, str]) -> WaitingSeeker:
    since = request.created_at
    return WaitingSeeker(
        request_id=request.id,
        seeker_id=request.seeker_id,
        seeker_display_name=name,
        waiting_since=since,
        days_waiting=(utcnow() - since).days,
        experiences=[labels.get(t, NO_LONGER_LISTED) for t in request.tag_ids],
        preferences=dict(request.preferences or {}),
        coordinator_chooses=request.coordinator_chooses,
        first_in_line=request.first_in_line_at is not None,
    )


async def count_waiting(db: AsyncSession, me: Principal) -> int:
    """How many are waiting in all."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can see the waiting list.")
    total = await db.scalar(
        select(func.count()).select_from(_Q).where(col(_Q.status) == RequestStatus.waiting)
    )
    return int(total or 0)


async def one(db: AsyncSession, me: Principal, *, request_id: UUID) -> WaitingSeeker:
    """One request as the waiting list shows it (whether or not it is still waiting)."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can see the waiting list.")
    found = (
        await db.execute(
            select(_Q, User.display_name)
            .join(User, col(User.id) == _Q.seeker_id)
            .where(col(_Q.id) == request_id)
        )
    ).first()
    if found is None:
        raise NotFound("No such request.")
    return _seeker(found[0], found[1], await _labels(db, [found]))
