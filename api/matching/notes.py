"""The notes a coordinator sends with an introduction they propose.

One note is for the supporter (why they thought of them); the supporter reads it with the
introduction. The seeker never reads that one: it may say things about them they would rather
not see written down, and if the supporter can't take them on, a note about why they were
asked would make "not available right now" harder to hear. A coordinator may write the seeker
a note of their own. Both are sealed, bound to the introduction and to whose note it is.
"""

from typing import Literal
from uuid import UUID

from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.crypto import seal, unseal
from api.db import settings_of
from api.errors import Invalid
from api.matching.models import IntroductionNote
from api.relationships.models import Relationship

NOTE_MAX = 600
Reader = Literal["supporter", "seeker"]


def _context(relationship_id: UUID, reader: Reader) -> bytes:
    return relationship_id.bytes + reader.encode()


def clean(text: str | None, field: str) -> str | None:
    """A note as kept: trimmed, None when empty; 422 when it is too long."""
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise Invalid.field(field, f"Please keep a note under {NOTE_MAX} characters.")
    return text or None


async def add(
    db: AsyncSession,
    *,
    relationship_id: UUID,
    written_by: UUID,
    to_supporter: str | None,
    to_seeker: str | None,
) -> None:
    """Keep the notes sent with this introduction (nothing when there are none)."""
    if to_supporter is None and to_seeker is None:
        return
    settings = settings_of(db)
    db.add(
        IntroductionNote(
            relationship_id=relationship_id,
            written_by=written_by,
            to_supporter_sealed=seal(
                settings, to_supporter, _context(relationship_id, "supporter")
            ),
            to_seeker_sealed=seal(settings, to_seeker, _context(relationship_id, "seeker")),
        )
    )
    await db.flush()


async def for_reader(
    db: AsyncSession, *, relationship_ids: list[UUID], reader: Reader
) -> dict[UUID, str]:
    """The note each of these introductions carries for its supporter or its seeker."""
    if not relationship_ids:
        return {}
    rows = await db.scalars(
        select(IntroductionNote).where(col(IntroductionNote.relationship_id).in_(relationship_ids))
    )
    settings = settings_of(db)
    found: dict[UUID, str] = {}
    for note in rows.all():
        sealed = note.to_supporter_sealed if reader == "supporter" else note.to_seeker_sealed
        text = unseal(settings, sealed, _context(note.relationship_id, reader))
        if text:
            found[note.relationship_id] = text
    return found


async def erase_for(db: AsyncSession, *, user_id: UUID) -> None:
    """An account is deleted: the notes about introductions it was part of go with it (they
    name the person, and the relationship itself stays, anonymised)."""
    theirs = select(Relationship.id).where(
        or_(col(Relationship.seeker_id) == user_id, col(Relationship.supporter_id) == user_id)
    )
    await db.execute(
        delete(IntroductionNote).where(col(IntroductionNote.relationship_id).in_(theirs))
    )
