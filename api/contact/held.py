"""When held messages arrive: under the agreement *now* in force, in the order they were written.

A held message's ``deliver_at`` is worked out when it is sent, from the windows then in force
(``windows_version``). When another version comes into force its windows may open sooner (or
later), so before anything is released the held messages are timed again (``retime``): for
each version agreed after the message's own, in order, a message not yet due when that version
came in arrives at the first opening of *its* windows from then. Contact details kept back are
looked at again too: once both people's limits allow them, the message goes through.

Then the times are made to keep the order of writing: no message arrives before one written
earlier in the same relationship (``in_order``). This runs whenever anyone reads (and in the
sweep), so no path that agrees a version has to remember to call contact.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import and_, col, or_, select

from api.contact import contact_details
from api.contact.models import Message
from api.db import fast_rows
from api.relationships.models import AgreementVersion, Relationship
from api.relationships.terms import AgreementTerms
from api.weekly.occurrences import next_window_opening


def waiting(relationship_id: Any) -> ColumnElement[bool]:
    """Messages of a relationship not yet delivered nor dropped (the recipient not told)."""
    return and_(
        col(Message.relationship_id) == relationship_id,
        col(Message.notified_at).is_(None),
        col(Message.dropped_at).is_(None),
    )


def timed_by_old_terms(relationship: type[Relationship]) -> ColumnElement[bool]:
    """For the sweep: a relationship has a waiting message timed by a version no longer in
    force (or kept back), so it needs ``retime``."""
    return and_(
        waiting(col(relationship.id)),
        col(relationship.agreed_version).is_not(None),
        or_(
            col(Message.windows_version).is_(None),
            col(Message.windows_version) != col(relationship.agreed_version),
        ),
    )


def opening(terms: AgreementTerms, after: datetime) -> datetime:
    """The first moment inside the agreed windows from `after` (itself, inside one)."""
    return next_window_opening(after, terms.windows, terms.timezone) or after


_M = Message.__table__.c  # type: ignore[attr-defined]
# `waiting(…)` with a parameter, for statements built once.
_WAITING = (
    _M.relationship_id == bindparam("relationship_id"),
    _M.notified_at.is_(None),
    _M.dropped_at.is_(None),
)
# A waiting message timed by another version than `current` (every read of a conversation
# asks it, alone or beside another question: ``messages.release``).
ANY_STALE = (
    sa_select(_M.id)
    .where(
        *_WAITING,
        or_(_M.windows_version.is_(None), _M.windows_version != bindparam("current")),
    )
    .limit(1)
)


async def retime(db: AsyncSession, *, relationship: Relationship, known_stale: bool = False) -> int:
    """Time waiting messages again under the versions agreed since; how many changed.
    `known_stale`: the caller has just found some (``ANY_STALE``)."""
    current = relationship.agreed_version
    if current is None:
        return 0
    if not known_stale and not await fast_rows(
        db, ANY_STALE, {"relationship_id": relationship.id, "current": current}
    ):
        return 0  # the usual case, on every read of a conversation: one prebuilt statement
    stale = list(
        await db.scalars(
            select(Message)
            .where(
                waiting(relationship.id),
                or_(
                    col(Message.windows_version).is_(None),
                    col(Message.windows_version) != current,
                ),
            )
            .order_by(col(Message.sent_at), col(Message.id))
        )
    )
    if not stale:
        return 0
    # Every version that has been in force, in order (agreed_at is when it came in).
    versions = list(
        await db.execute(
            select(AgreementVersion.number, AgreementVersion.agreed_at, AgreementVersion.terms)
            .where(
                AgreementVersion.relationship_id == relationship.id,
                col(AgreementVersion.agreed_at).is_not(None),
                col(AgreementVersion.number) <= current,
            )
            .order_by(col(AgreementVersion.number))
        )
    )
    changed = 0
    for message in stale:
        deliver_at, kept = message.deliver_at, contact_details.parse_kinds(message.withheld)
        for number, agreed_at, data in versions:
            if message.windows_version is not None and number <= message.windows_version:
                continue
            if agreed_at is None or (deliver_at <= agreed_at and not kept):
                continue  # it arrived before this version came in
            terms = AgreementTerms.model_validate(data)
            kept = [d for d in kept if not contact_details.allowed(terms, d)]
            deliver_at = opening(terms, max(agreed_at, message.sent_at))
        message.deliver_at = max(deliver_at, message.sent_at)
        message.held = message.held or message.deliver_at > message.sent_at
        message.withheld = ",".join(kept) or None
        message.windows_version = current
        changed += 1
    await db.flush()
    await in_order(db, relationship_id=relationship.id)
    return changed


async def in_order(db: AsyncSession, *, relationship_id: UUID) -> None:
    """No waiting message arrives before one written earlier (kept-back ones wait apart)."""
    rows = await db.scalars(
        select(Message)
        .where(waiting(relationship_id), col(Message.withheld).is_(None))
        .order_by(col(Message.sent_at), col(Message.id))
    )
    latest: datetime | None = None
    for message in rows.all():
        if latest is not None and message.deliver_at < latest:
            message.deliver_at = latest
            message.held = True
        latest = message.deliver_at
    await db.flush()


# The latest arrival among messages written before now and still on their way; built once.
_LAST_WAITING = (
    sa_select(_M.deliver_at)
    .where(
        *_WAITING,
        _M.withheld.is_(None),
        _M.sent_at <= bindparam("now"),
        _M.deliver_at > bindparam("now"),
    )
    .order_by(_M.deliver_at.desc())
    .limit(1)
)


async def release_time(
    db: AsyncSession, *, relationship_id: UUID, terms: AgreementTerms, now: datetime
) -> datetime:
    """When a message written now arrives: the next opening, never before an earlier one."""
    earliest = opening(terms, now)
    found = await fast_rows(db, _LAST_WAITING, {"relationship_id": relationship_id, "now": now})
    return max(earliest, found[0][0]) if found else earliest
