"""Debriefs: after a session they held, a supporter may write a short private note for
coordinators. It is sealed like own words, never shown to the other person of the
relationship; its author reads and deletes it; coordinators read it, and each reading is in
the staff audit log."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.contact.models import ContactSession, SessionStatus
from api.crypto import seal, unseal
from api.db import settings_of
from api.errors import Conflict, Invalid, NotFound
from api.relationships.models import Relationship
from api.screening.checklist import offer_of, require_coordinator
from api.screening.models import DebriefNote

TEXT_MAX = 2000


def _context(note_id: UUID) -> bytes:
    return b"debrief_note:" + note_id.bytes


@dataclass(frozen=True)
class Debrief:
    id: UUID
    session_id: UUID
    relationship_id: UUID
    session_at: datetime
    other_person: str | None  # shown to the author only
    text: str
    created_at: datetime


async def write(db: AsyncSession, me: Principal, *, session_id: UUID, text: str) -> DebriefNote:
    """Write a debrief after a session I held as the supporter (one per session)."""
    found = (
        await db.execute(
            select(ContactSession, Relationship)
            .join(Relationship, col(Relationship.id) == ContactSession.relationship_id)
            .where(col(ContactSession.id) == session_id)
        )
    ).first()
    if found is None or found[1].supporter_id != me.user_id:
        raise NotFound("No session of yours to debrief here.")
    session, relationship = found
    if session.status != SessionStatus.held:
        raise Conflict("A debrief comes after a session is held: mark it held first.")
    text = text.strip()
    if not 1 <= len(text) <= TEXT_MAX:
        raise Invalid.field("text", f"Write your debrief in up to {TEXT_MAX} characters.")
    if await db.scalar(select(DebriefNote.id).where(col(DebriefNote.session_id) == session_id)):
        raise Conflict("You've written a debrief for this session; delete it to write another.")
    note = DebriefNote(
        author_id=me.user_id,
        relationship_id=relationship.id,
        session_id=session.id,
        body_sealed=b"",
    )
    note.body_sealed = seal(settings_of(db), text, _context(note.id)) or b""
    db.add(note)
    await db.flush()
    return note


async def _listed(db: AsyncSession, *where: object, names: bool) -> list[Debrief]:
    rows = await db.execute(
        select(DebriefNote, ContactSession.start_at, Relationship.seeker_id)
        .join(ContactSession, col(ContactSession.id) == DebriefNote.session_id)
        .join(Relationship, col(Relationship.id) == DebriefNote.relationship_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(col(DebriefNote.created_at).desc(), col(DebriefNote.id))
    )
    found = rows.all()
    seekers: dict[UUID, str] = {}
    if names:
        ids = {seeker for _, _, seeker in found if seeker is not None}
        if ids:
            rows = await db.execute(select(User.id, User.display_name).where(col(User.id).in_(ids)))
            seekers = {user_id: name for user_id, name in rows.all()}
    settings = settings_of(db)
    return [
        Debrief(
            note.id,
            note.session_id,
            note.relationship_id,
            start_at,
            seekers.get(seeker) if seeker else None,
            unseal(settings, note.body_sealed, _context(note.id)) or "",
            note.created_at,
        )
        for note, start_at, seeker in found
    ]


async def mine(db: AsyncSession, me: Principal) -> list[Debrief]:
    """My debriefs, newest first."""
    return await _listed(db, col(DebriefNote.author_id) == me.user_id, names=True)


async def delete(db: AsyncSession, me: Principal, *, note_id: UUID) -> None:
    """Delete one of my debriefs (gone for coordinators too)."""
    note = await db.get(DebriefNote, note_id)
    if note is None or note.author_id != me.user_id:
        raise NotFound("No such debrief of yours.")
    await db.delete(note)
    await db.flush()


async def for_coordinators(db: AsyncSession, me: Principal, *, user_id: UUID) -> list[Debrief]:
    """A supporter's debriefs for coordinators (the reading is audited)."""
    require_coordinator(me)
    await offer_of(db, user_id)
    found = await _listed(db, col(DebriefNote.author_id) == user_id, names=False)
    await audit.record(
        db,
        me,
        action=Action.debriefs_read,
        subject_type="supporter",
        subject_id=user_id,
        details={"debriefs": len(found)},
    )
    return found


@dataclass(frozen=True)
class ToDebrief:
    session_id: UUID
    start_at: datetime
    other_person: str | None


async def to_write(db: AsyncSession, me: Principal, *, limit: int = 20) -> list[ToDebrief]:
    """Sessions I held as the supporter, newest first, that I haven't debriefed."""
    rows = await db.execute(
        select(ContactSession.id, ContactSession.start_at, User.display_name)
        .join(Relationship, col(Relationship.id) == ContactSession.relationship_id)
        .outerjoin(User, col(User.id) == Relationship.seeker_id)
        .outerjoin(DebriefNote, col(DebriefNote.session_id) == ContactSession.id)
        .where(
            col(Relationship.supporter_id) == me.user_id,
            col(ContactSession.status) == SessionStatus.held,
            col(DebriefNote.id).is_(None),
        )
        .order_by(col(ContactSession.start_at).desc(), col(ContactSession.id))
        .limit(limit)
    )
    return [ToDebrief(*r) for r in rows.all()]
