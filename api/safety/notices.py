"""Notices: what a person is told when something happens to their relationship, kindly.

A notice stores a kind and a few plain values, never free text; it is worded when it is read,
with the other person's current name ("A former member" once their account is gone). The
closing message of an ending is shown beside it, from the ending itself. Other domains (the
sessions domain, for cancelled sessions) add their own kinds to ``WORDING``.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.common import utcnow
from api.errors import NotFound
from api.relationships.models import Relationship
from api.relationships.service import FORMER_MEMBER
from api.safety.models import Notice

NEW_MATCH = " You can ask for a new match whenever you're ready."


@dataclass(frozen=True)
class Wording:
    """What the notice's reader needs to word it."""

    other_name: str  # the other person's display name, or "A former member"
    other_role: str  # "seeker" or "supporter": the other person's role
    i_am_seeker: bool
    params: dict


def _until(params: dict) -> str:
    until = params.get("until")
    return f" until {date.fromisoformat(until).strftime('%-d %B %Y')}" if until else ""


def _left(w: Wording) -> str:
    who = "Your supporter" if w.other_role == "supporter" else "The person you were supporting"
    return f"{who} has left Kindred, so your support has ended." + (
        NEW_MATCH if w.i_am_seeker else " Thank you for the support you gave."
    )


WORDING: dict[str, Callable[[Wording], str]] = {
    "ended": lambda w: (
        f"{w.other_name} has ended your support. Endings are a normal part of peer support. "
        "Thank you for the time you shared." + (NEW_MATCH if w.i_am_seeker else "")
    ),
    "completed": lambda w: (
        f"{w.other_name} has confirmed your planned sessions are complete, so your support "
        "has come to its planned end. Thank you for the time you shared."
        + (NEW_MATCH if w.i_am_seeker else "")
    ),
    "ended_for_safety": lambda w: (
        "A coordinator has ended this support relationship to keep everyone safe. "
        "A coordinator may be in touch." + (NEW_MATCH if w.i_am_seeker else "")
    ),
    "account_deleted": _left,
    "paused": lambda w: (
        f"{w.other_name} has paused your support{_until(w.params)}. There are no sessions or "
        "messages while it's paused, and nothing else changes."
    ),
    "pause_changed": lambda w: (
        f"{w.other_name} now plans to pause{_until(w.params)}."
        if w.params.get("until")
        else f"{w.other_name} has taken away the pause's planned date."
    ),
    "paused_for_safety": lambda w: (
        "A coordinator has paused your support for now. There are no sessions or messages "
        "while it's paused. A coordinator may be in touch."
    ),
    "pause_lifted": lambda w: (
        "A coordinator has lifted their pause. You can carry on when you are both ready: "
        "one of you asks, the other agrees."
    ),
    "resume_requested": lambda w: (
        f"{w.other_name} would like to carry on. Your support starts again when you agree."
    ),
    "resumed": lambda w: f"{w.other_name} has agreed to carry on. Your support is active again.",
}


# Notices that follow from time passing (a held message now delivered, a session reminder)
# are made just before a person reads theirs, by hooks other domains add here (api/contact).
before_reading: list[Callable[[AsyncSession, Principal], Awaitable[object]]] = []


async def notify(
    db: AsyncSession,
    user_id: UUID | None,
    relationship: Relationship,
    kind: str,
    **params: str,
) -> None:
    """Tell one person something about a relationship (nobody, if their account is gone)."""
    if user_id is None:
        return
    if kind not in WORDING:
        raise ValueError(f"no wording for notice kind {kind!r}")
    db.add(Notice(user_id=user_id, relationship_id=relationship.id, kind=kind, params=params))


def other_of(relationship: Relationship, user_id: UUID | None) -> UUID | None:
    """The other person in the relationship (None if their account is gone)."""
    if user_id == relationship.seeker_id:
        return relationship.supporter_id
    return relationship.seeker_id


@dataclass(frozen=True)
class ShownNotice:
    id: UUID
    relationship_id: UUID | None
    kind: str
    text: str
    created_at: datetime
    read: bool


async def my_notices(db: AsyncSession, me: Principal, limit: int = 50) -> list[ShownNotice]:
    """My notices, newest first, worded for me now."""
    from api.auth.models import User  # names are read at the last moment, never stored here

    for hook in before_reading:
        await hook(db, me)

    rows = list(
        await db.scalars(
            select(Notice)
            .where(Notice.user_id == me.user_id)
            .order_by(Notice.created_at.desc())
            .limit(limit)
        )
    )
    relationships = {
        r.id: r
        for r in await db.scalars(
            select(Relationship).where(Relationship.id.in_({n.relationship_id for n in rows}))
        )
    }
    others = {r.id: other_of(r, me.user_id) for r in relationships.values()}
    names = dict(
        (
            await db.execute(
                select(User.id, User.display_name).where(
                    User.id.in_({o for o in others.values() if o})
                )
            )
        ).all()
    )
    shown = []
    for notice in rows:
        relationship = relationships.get(notice.relationship_id)
        i_am_seeker = relationship is not None and relationship.seeker_id == me.user_id
        other = others.get(notice.relationship_id)
        wording = Wording(
            other_name=names.get(other, FORMER_MEMBER) if other else FORMER_MEMBER,
            other_role="supporter" if i_am_seeker else "seeker",
            i_am_seeker=i_am_seeker,
            params=notice.params or {},
        )
        shown.append(
            ShownNotice(
                id=notice.id,
                relationship_id=notice.relationship_id,
                kind=notice.kind,
                text=WORDING[notice.kind](wording),
                created_at=notice.created_at,
                read=notice.read_at is not None,
            )
        )
    return shown


async def mark_read(db: AsyncSession, me: Principal, notice_id: UUID | None = None) -> None:
    """Mark one of my notices read (or all of them)."""
    query = update(Notice).where(Notice.user_id == me.user_id, Notice.read_at.is_(None))
    if notice_id is not None:
        if await db.scalar(select(Notice.user_id).where(Notice.id == notice_id)) != me.user_id:
            raise NotFound("No such notice.")
        query = query.where(Notice.id == notice_id)
    await db.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
