"""The waiting list as coordinators read it, a page at a time: who is waiting, for how long,
what they asked for (the experiences' names), their preferences, whether they asked a
coordinator to choose, whether they are first in line, and whether their e-mail address is
confirmed (nobody is introduced before it is, so no match can be proposed for them yet).

The order is the waiting list's one order (``matching.requests.waiting_order``): first those
put first in line (whoever was put there first), then the longest waiting; the id breaks ties.
A page continues after the row ``starting_after`` in that order (or ends just before the row
``ending_before``), even if that person has been matched since. Each part of the order is read
with its own index-friendly range (``ix_support_request_status_line`` and
``ix_support_request_status_created``), forwards or backwards.
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
from api.db import among
from api.errors import Forbidden, Invalid, NotFound
from api.matching.models import RequestStatus, SupportRequest
from api.paging import Page, check_limit
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
    address_confirmed: bool  # until they follow the link we sent, nobody is introduced to them


def _requests() -> Any:
    """Requests with what the list shows of their seeker: name, and whether confirmed."""
    return select(_Q, User.display_name, col(User.email_verified_at).is_not(None)).join(
        User, col(User.id) == _Q.seeker_id
    )


def _rows() -> Any:
    return _requests().where(col(_Q.status) == RequestStatus.waiting)


async def waiting_list(
    db: AsyncSession,
    me: Principal,
    *,
    limit: int = 25,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
) -> Page[WaitingSeeker]:
    """One page of the waiting list, in its order (coordinators only): after the request
    `starting_after`, or the page just before the request `ending_before`."""
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can see the waiting list.")
    check_limit(limit)
    if starting_after is not None and ending_before is not None:
        raise Invalid.field("ending_before", "Send starting_after or ending_before, not both.")
    backwards = ending_before is not None
    cursor = ending_before if backwards else starting_after
    first = col(_Q.first_in_line_at)
    in_line: Any = _rows().where(first.is_not(None))
    rest: Any = _rows().where(first.is_(None))
    if cursor is not None:
        anchor = (
            await db.execute(select(_Q.first_in_line_at, _Q.created_at).where(col(_Q.id) == cursor))
        ).first()
        if anchor is None:
            name = "ending_before" if backwards else "starting_after"
            raise Invalid.field(name, "That request isn't on the waiting list.")
        line_at, created_at = anchor
        if line_at is None:  # among the rest: everyone first in line lies before it
            key, bound = tuple_(col(_Q.created_at), col(_Q.id)), tuple_(created_at, cursor)
            rest = rest.where(key < bound if backwards else key > bound)
            in_line = in_line if backwards else None
        else:  # among those first in line: all the rest lie after it
            key = tuple_(first, col(_Q.created_at), col(_Q.id))
            bound = tuple_(line_at, created_at, cursor)
            in_line = in_line.where(key < bound if backwards else key > bound)
            rest = None if backwards else rest
    # Going forward: those first in line, then the rest; going back: the rest from the end,
    # then those in line from the end. Each part reads its own index in the needed direction.
    parts = [
        (in_line, (first, col(_Q.created_at), col(_Q.id))),
        (rest, (col(_Q.created_at), col(_Q.id))),
    ]
    if backwards:
        parts = [(q, tuple(c.desc() for c in order)) for q, order in reversed(parts)]
    found: list[Any] = []
    for part, order in parts:
        if part is None or len(found) > limit:
            continue
        found += list((await db.execute(part.order_by(*order).limit(limit + 1 - len(found)))).all())
    page, has_more = found[:limit], len(found) > limit
    if backwards:
        page.reverse()
    labels = await _labels(db, page)
    return Page(
        [_seeker(request, name, confirmed, labels) for request, name, confirmed in page], has_more
    )


async def _labels(db: AsyncSession, rows: list[Any]) -> dict[int, str]:
    wanted = {t for request, *_ in rows for t in request.tag_ids}
    if not wanted:
        return {}
    found = await db.execute(
        select(ExperienceTag.id, ExperienceTag.label).where(
            among(db, col(ExperienceTag.id), wanted)
        )
    )
    return {tag_id: label for tag_id, label in found.all() if tag_id is not None}


def _seeker(
    request: SupportRequest, name: str, confirmed: bool, labels: dict[int, str]
) -> WaitingSeeker:
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
        address_confirmed=bool(confirmed),
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
    found = (await db.execute(_requests().where(col(_Q.id) == request_id))).first()
    if found is None:
        raise NotFound("No such request.")
    return _seeker(found[0], found[1], found[2], await _labels(db, [found]))
