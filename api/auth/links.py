"""Single-use links by e-mail: made (only their hash kept) and checked; see recovery.py and
addresses.py for what they are for."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from api.auth import account_mail, tokens
from api.auth.email_models import EmailToken, Purpose
from api.auth.models import User
from api.common import utcnow
from api.config import Settings
from api.mail import service as mail

LINK_GONE = "This link has expired or was already used. You can ask for a new one."


async def usable(db: AsyncSession, *, secret: str, purposes: set[Purpose]) -> EmailToken | None:
    """The link's row if it is one of these, unused and not expired."""
    token = await db.scalar(
        select(EmailToken).where(EmailToken.token_hash == tokens.hash_secret(secret))
    )
    if (
        token is None
        or token.purpose not in purposes
        or token.used_at is not None
        or token.expires_at <= utcnow()
    ):
        return None
    return token


async def send_confirmation(
    db: AsyncSession, *, settings: Settings, user: User, new_email: str | None = None
) -> None:
    """Queue a link to confirm the account's address (or the new one it is changing to)."""
    secret = tokens.new_secret()
    token = EmailToken(
        user_id=user.id,
        purpose=Purpose.change if new_email else Purpose.verify,
        token_hash=tokens.hash_secret(secret),
        new_email=new_email,
        expires_at=utcnow() + timedelta(hours=settings.address_link_hours),
    )
    db.add(token)
    await db.flush()
    await mail.queue(
        db,
        settings,
        key=f"confirm/{token.id}",
        to=new_email or user.email,
        message=account_mail.confirm_address(
            settings, name=user.display_name, token=secret, new=new_email is not None
        ),
        user_id=user.id,
    )
