"""Confirming an address: a link to the address a person signed up with (or changed to).

Until it is confirmed a person can set up a profile but is never introduced to anyone
(``api/matching`` asks ``is_verified``). Changing the address confirms the new one first;
then the old one is told.
"""

import asyncio
from datetime import timedelta
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth import account_mail, links, passwords
from api.auth.email_models import EmailToken, Purpose
from api.auth.links import LINK_GONE, usable
from api.auth.models import User
from api.auth.principal import Principal
from api.auth.service import EMAIL, get_user, normalise_email
from api.common import utcnow
from api.config import Settings
from api.errors import Conflict, Invalid, TooManyRequests
from api.mail import service as mail

LINKS_AN_HOUR = 5


async def _recent_links(db: AsyncSession, user_id: UUID) -> int:
    found = await db.scalar(
        select(func.count())
        .select_from(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            col(EmailToken.purpose).in_([Purpose.verify, Purpose.change]),
            EmailToken.created_at >= utcnow() - timedelta(hours=1),
        )
    )
    return int(found or 0)


async def _limit(db: AsyncSession, user_id: UUID) -> None:
    if await _recent_links(db, user_id) >= LINKS_AN_HOUR:
        raise TooManyRequests(
            "We've sent several links in the last hour. Please wait a while and check your "
            "spam folder.",
            retry_after_seconds=3600,
        )


async def send_again(db: AsyncSession, me: Principal, *, settings: Settings) -> None:
    """Send me another link to confirm my address (a few an hour at most)."""
    user = await get_user(db, user_id=me.user_id)
    if user.email_verified_at is not None:
        raise Conflict("Your e-mail address is already confirmed.")
    await _limit(db, user.id)
    await links.send_confirmation(db, settings=settings, user=user)


async def change_address(
    db: AsyncSession, me: Principal, *, settings: Settings, email: str, password: str
) -> None:
    """Change my address (my password again): a link goes to the new one, which replaces the
    old one only once it is followed."""
    user = await get_user(db, user_id=me.user_id)
    email = normalise_email(email)
    ok = await asyncio.to_thread(passwords.verify_password, settings, password, user.password_hash)
    if not ok:
        raise Invalid.field("password", "That password isn't right.")
    if not EMAIL.match(email):
        raise Invalid.field("email", "Enter an email address, like name@example.org.")
    if email == user.email:
        raise Invalid.field("email", "That is already your address.")
    if await db.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with that email already exists.")
    await _limit(db, user.id)
    await links.send_confirmation(db, settings=settings, user=user, new_email=email)


async def confirm(db: AsyncSession, *, settings: Settings, token: str) -> Purpose:
    """Follow a confirmation link: the address is confirmed (a new one replaces the old one,
    which is told)."""
    found = await usable(db, secret=token, purposes={Purpose.verify, Purpose.change})
    user = None if found is None else await db.get(User, found.user_id)
    if found is None or user is None:
        raise Invalid.field("token", LINK_GONE)
    now = utcnow()
    found.used_at = now
    if found.purpose == Purpose.change and found.new_email:
        if await db.scalar(
            select(User.id).where(User.email == found.new_email, User.id != user.id)
        ):
            raise Conflict("An account with that email already exists.")
        old = user.email
        user.email = found.new_email
        await mail.queue(
            db,
            settings,
            key=f"address-changed/{found.id}",
            to=old,
            message=account_mail.address_changed(settings, name=user.display_name),
            user_id=user.id,
        )
    user.email_verified_at = now
    await db.flush()
    return Purpose(found.purpose)


async def is_verified(db: AsyncSession, *, user_id: UUID) -> bool:
    """Whether this person has confirmed their address (only they are introduced)."""
    return await db.scalar(select(User.email_verified_at).where(User.id == user_id)) is not None


async def status(db: AsyncSession, me: Principal) -> tuple[str, bool]:
    """My address and whether it is confirmed."""
    user = await get_user(db, user_id=me.user_id)
    return user.email, user.email_verified_at is not None
