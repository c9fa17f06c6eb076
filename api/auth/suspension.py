"""Suspended accounts: no log-in (so no contact) until a moment, with words the person reads
when they try. Moderation (api/moderation) decides a suspension and records its reason; it
lifts by itself, because every log-in and every session check compares the moment."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth.models import AuthSession, Role, User
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.errors import Conflict, Forbidden, NotFound


class AccountSuspended(Forbidden):
    """The password was right, but a coordinator has suspended the account for a time."""

    type = "account-suspended"
    title = "Your account is suspended for now"


def _context(user_id: UUID) -> bytes:
    return user_id.bytes + b"suspension"


def is_suspended(user: User) -> bool:
    return user.suspended_until is not None and user.suspended_until > utcnow()


def suspension_text(settings: Settings, user: User) -> str:
    """What a suspended person reads when they try to log in: until when, and why."""
    assert user.suspended_until is not None
    until = user.suspended_until.strftime("%-d %B %Y at %H:%M UTC")
    why = unseal(settings, user.suspension_note_sealed, _context(user.id))
    text = f"A coordinator has suspended your account until {until}. You can log in again then."
    if why:
        text += f" They told us why: {why}"
    return text + " If you think it isn't right, you can ask another coordinator to look again."


async def suspend(
    db: AsyncSession, settings: Settings, *, user_id: UUID, until: datetime, why: str
) -> User:
    """No log-in until `until` (every session ends now); `why` is what the person reads."""
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    if user.role != Role.peer:
        raise Conflict("Only a peer's account can be suspended this way.")
    user.suspended_until = until
    user.suspension_note_sealed = seal(settings, why, _context(user.id))
    await db.execute(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    await db.flush()
    return user


async def lift(db: AsyncSession, *, user_id: UUID) -> bool:
    """End a suspension early (an appeal overturned it). True if one was in force."""
    user = await db.get(User, user_id)
    if user is None or user.suspended_until is None:
        return False
    was_in_force = user.suspended_until > utcnow()
    user.suspended_until = None
    user.suspension_note_sealed = None
    await db.flush()
    return was_in_force
