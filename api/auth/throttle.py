"""Login throttling kept in the database, so every replica sees the same counts."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col, select

from api.auth.models import LoginAttempt
from api.common import utcnow
from api.config import Settings
from api.errors import TooManyRequests


async def _failures(
    db: AsyncSession, column: Mapped[str], key: str, since: datetime
) -> tuple[int, datetime]:
    row = (
        await db.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                column == key, LoginAttempt.at >= since
            )
        )
    ).one()
    return row[0], row[1]


async def check_allowed(
    db: AsyncSession, settings: Settings, account_key: str, address_key: str
) -> None:
    """Refuse before the password is even checked when either limit is reached."""
    window = timedelta(minutes=settings.login_window_minutes)
    now = utcnow()
    since = now - window
    for column, key, limit in (
        (col(LoginAttempt.account_key), account_key, settings.login_max_failures_per_account),
        (col(LoginAttempt.address_key), address_key, settings.login_max_failures_per_address),
    ):
        count, oldest = await _failures(db, column, key, since)
        if count >= limit:
            wait = int((oldest + window - now).total_seconds()) + 1
            minutes = max(1, -(-wait // 60))
            raise TooManyRequests(
                f"Too many unsuccessful attempts. Please wait {minutes} minute"
                f"{'s' if minutes != 1 else ''} and try again.",
                retry_after_seconds=wait,
            )


async def record_failure(
    db: AsyncSession, settings: Settings, account_key: str, address_key: str
) -> None:
    db.add(LoginAttempt(account_key=account_key, address_key=address_key))
    # Keep the table small: forget what is older than the window.
    cutoff = utcnow() - timedelta(minutes=settings.login_window_minutes)
    await db.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < cutoff))


async def forget_failures(db: AsyncSession, account_key: str) -> None:
    await db.execute(delete(LoginAttempt).where(col(LoginAttempt.account_key) == account_key))
