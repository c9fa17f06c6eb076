"""Forgot my password: a single-use link by e-mail (30 minutes), then a new password.

Asking never says whether the address has an account: the answer, the work done and the
throttling are the same either way, and only an address with an account gets an e-mail.
Asks are limited per address and per client (the login throttle's table, keys of their own).
"""

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth import account_mail, passwords, throttle, tokens
from api.auth.email_models import EmailToken, Purpose
from api.auth.links import LINK_GONE, usable
from api.auth.models import AuthSession, User
from api.auth.service import normalise_email
from api.common import utcnow
from api.config import Settings
from api.errors import Invalid
from api.mail import service as mail

SENT = (
    "If there's an account for that address, we've sent it a link to choose a new password. "
    "It works for 30 minutes. Check your spam folder if it doesn't arrive."
)


async def ask_for_reset(
    db: AsyncSession, *, settings: Settings, email: str, address: str
) -> dict[str, str]:
    """Send a reset link if the address has an account; the RateLimit headers either way."""
    email = normalise_email(email)
    account_key = tokens.keyed_hash(settings, "reset-account", email)
    address_key = tokens.keyed_hash(settings, "reset-address", address)
    await throttle.check_allowed(db, settings, account_key, address_key)
    limits = await throttle.record_failure(db, settings, account_key, address_key)
    user = await db.scalar(select(User).where(User.email == email, col(User.is_active)))
    secret = tokens.new_secret()
    token = EmailToken(
        user_id=user.id if user else uuid.uuid4(),
        purpose=Purpose.reset,
        token_hash=tokens.hash_secret(secret),
        expires_at=utcnow() + timedelta(minutes=settings.password_reset_minutes),
    )
    message = account_mail.reset_link(
        settings, name=user.display_name if user else "", token=secret
    )
    if user is None:
        return limits
    # A new link replaces any earlier one.
    await db.execute(
        update(EmailToken)
        .where(
            col(EmailToken.user_id) == user.id,
            col(EmailToken.purpose) == Purpose.reset,
            col(EmailToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    db.add(token)
    await db.flush()
    await mail.queue(
        db, settings, key=f"reset/{token.id}", to=user.email, message=message, user_id=user.id
    )
    return limits


async def reset_password(
    db: AsyncSession, *, settings: Settings, token: str, password: str
) -> None:
    """Choose a new password with a reset link: every session ends and the person is told."""
    found = await usable(db, secret=token, purposes={Purpose.reset})
    if found is None:
        raise Invalid.field("token", LINK_GONE)
    user = await db.get(User, found.user_id)
    if user is None or not user.is_active:
        raise Invalid.field("token", LINK_GONE)
    problem = passwords.password_problem(password, email=user.email, display_name=user.display_name)
    if problem:
        raise Invalid.field("password", problem)
    now = utcnow()
    user.password_hash = await asyncio.to_thread(passwords.hash_password, settings, password)
    found.used_at = now
    if user.email_verified_at is None:  # the link reached them: the address is theirs
        user.email_verified_at = now
    await db.execute(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    await throttle.forget_failures(db, tokens.keyed_hash(settings, "login-account", user.email))
    await db.flush()
    await mail.queue(
        db,
        settings,
        key=f"password-changed/{found.id}",
        to=user.email,
        message=account_mail.password_changed(settings, name=user.display_name),
        user_id=user.id,
    )
