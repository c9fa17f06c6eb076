"""Telling people things, and reading what I've been told.

``notify`` is the one way any domain tells a person something about a relationship. With a
``key`` a notice is made at most once ever: its id is derived from what it is about and it is
inserted with ON CONFLICT DO NOTHING, so however many replicas or requests get there at once,
each is made exactly once. Notices that follow from time passing (a held message now
delivered, a session reminder) are made by api/contact before a person's notices are read
(``api.contact.inbox``).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.errors import NotFound
from api.notices import delivery, preferences
from api.notices.models import Notice
from api.notices.wording import WORDING, Wording
from api.paging import Order, Page, Period, Window, page
from api.relationships.models import Relationship
from api.relationships.service import FORMER_MEMBER, other_of

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kindred.example/notices")


def notice_id(user_id: UUID, key: str) -> UUID:
    """The id of the one notice about `key` for this person (the same on every replica)."""
    return uuid.uuid5(_NAMESPACE, f"{user_id}/{key}")


async def notify(
    db: AsyncSession,
    *,
    user_id: UUID | None,
    relationship_id: UUID | None,
    kind: str,
    key: str | None = None,
    **params: str,
) -> bool:
    """Tell one person (nobody, if their account is gone); with a `key`, at most once ever.
    True when a notice was made.

    The one way anyone is told anything: the notice is in the app at once and owed to push
    and e-mail as they chose for its kind (``delivery.route``). A reminder they turned off is
    not made at all."""
    return await _make(db, user_id, relationship_id, kind, key, params, nudge=True)


async def notify_in_app(
    db: AsyncSession,
    *,
    user_id: UUID | None,
    relationship_id: UUID | None,
    kind: str,
    key: str | None = None,
    **params: str,
) -> bool:
    """``notify``, in the app only: for what the person did themselves."""
    return await _make(db, user_id, relationship_id, kind, key, params, nudge=False)


# A notice, once: a second with the same id (a key's) is nothing. Built once per dialect.
_MAKE = {
    "postgresql": postgresql_insert(Notice.__table__).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["id"]
    ),
    "sqlite": sqlite_insert(Notice.__table__).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["id"]
    ),
}


async def _make(
    db: AsyncSession,
    user_id: UUID | None,
    relationship_id: UUID | None,
    kind: str,
    key: str | None,
    params: dict[str, str],
    *,
    nudge: bool,
) -> bool:
    if user_id is None:
        return False
    if kind not in WORDING:
        raise ValueError(f"no wording for notice kind {kind!r}")
    if kind in preferences.REMINDERS and kind in (await preferences.of(db, user_id)).reminders_off:
        return False
    made_id, now = notice_id(user_id, key) if key else uuid.uuid4(), utcnow()
    values = {
        "id": made_id,
        "user_id": user_id,
        "relationship_id": relationship_id,
        "kind": kind,
        "params": params,
        "created_at": now,
        "read_at": None,
    }
    result = cast(CursorResult[Any], await db.execute(_MAKE[db.get_bind().dialect.name], values))
    made = bool(result.rowcount == 1)
    if made and nudge:
        await delivery.route(db, notice_id=made_id, user_id=user_id, kind=kind, now=now)
    return made


@dataclass(frozen=True)
class ShownNotice:
    id: UUID
    relationship_id: UUID | None
    kind: str
    text: str
    created_at: datetime
    read: bool


async def my_notices(db: AsyncSession, me: Principal, *, limit: int = 50) -> list[ShownNotice]:
    """My notices, newest first, worded for me now (names are read now, never stored)."""
    rows = list(
        await db.scalars(
            select(Notice)
            .where(Notice.user_id == me.user_id)
            .order_by(col(Notice.created_at).desc(), col(Notice.id).desc())
            .limit(limit)
        )
    )
    return await _shown(db, me, rows)


async def notices_page(
    db: AsyncSession,
    me: Principal,
    *,
    window: Window,
    period: Period = Period(),
    unread: bool | None = None,
) -> Page[ShownNotice]:
    """A page of my notices, newest first; only unread (or read) ones, made in a period."""
    query = select(Notice).where(Notice.user_id == me.user_id, *period.where(Notice.created_at))
    if unread is not None:
        read_at = col(Notice.read_at)
        query = query.where(read_at.is_(None) if unread else read_at.is_not(None))
    found = await page(
        db,
        query,
        Order(col(Notice.created_at), col(Notice.id), descending=True),
        window,
        anchor=lambda cursor: select(Notice.created_at).where(
            Notice.id == cursor, Notice.user_id == me.user_id
        ),
    )
    return Page(await _shown(db, me, [row[0] for row in found.items]), found.has_more)


async def _shown(db: AsyncSession, me: Principal, rows: list[Notice]) -> list[ShownNotice]:
    relationships = {
        r.id: r
        for r in await db.scalars(
            select(Relationship).where(col(Relationship.id).in_({n.relationship_id for n in rows}))
        )
    }
    others = {r.id: other_of(r, me.user_id) for r in relationships.values()}
    found = await db.execute(
        select(User.id, User.display_name).where(
            col(User.id).in_({o for o in others.values() if o})
        )
    )
    names: dict[UUID, str] = {user_id: name for user_id, name in found.all()}
    shown = []
    for notice in rows:
        relationship = relationships.get(notice.relationship_id)  # type: ignore[arg-type]
        i_am_seeker = relationship is not None and relationship.seeker_id == me.user_id
        other = others.get(notice.relationship_id)  # type: ignore[arg-type]
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


async def unread_count(db: AsyncSession, me: Principal) -> int:
    """How many of my notices I haven't read (the PWA's header shows it)."""
    found = await db.scalar(
        select(func.count())
        .select_from(Notice)
        .where(Notice.user_id == me.user_id, col(Notice.read_at).is_(None))
    )
    return int(found or 0)


async def mark_read(db: AsyncSession, me: Principal, *, notice_id: UUID | None = None) -> None:
    """Mark one of my notices read (or all of them)."""
    query = update(Notice).where(col(Notice.user_id) == me.user_id, col(Notice.read_at).is_(None))
    if notice_id is not None:
        if await db.scalar(select(Notice.user_id).where(Notice.id == notice_id)) != me.user_id:
            raise NotFound("No such notice.")
        query = query.where(col(Notice.id) == notice_id)
    await db.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))


async def mark_kind_read(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, kind: str, at: datetime
) -> None:
    """Mark my unread notices of one kind about one relationship read (e.g. messages I've
    now seen in the conversation itself)."""
    await db.execute(
        update(Notice)
        .where(
            col(Notice.user_id) == me.user_id,
            col(Notice.relationship_id) == relationship_id,
            col(Notice.kind) == kind,
            col(Notice.read_at).is_(None),
        )
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )


def worded(kind: str, wording: Wording) -> str:
    """The text of one kind of notice (an ending page shows the same words as its notice)."""
    return WORDING[kind](wording)
