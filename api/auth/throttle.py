"""Login throttling kept in the database, so every replica sees the same counts.

Two limits on unsuccessful attempts in a sliding window: per account and per client address.
Both are advertised with the IETF RateLimit header fields
(draft-ietf-httpapi-ratelimit-headers-10): ``RateLimit-Policy`` names each quota once, and
``RateLimit`` says what is left of the address's quota (the account's only once it is spent,
so nobody learns of attempts on someone else's account). A refusal is a 429 with Retry-After.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col, select

from api.auth.models import LoginAttempt
from api.common import utcnow
from api.config import Settings
from api.errors import TooManyRequests


@dataclass(frozen=True)
class Quota:
    """What is left of one policy: ``remaining`` attempts, one more back in ``reset`` s."""

    policy: str
    remaining: int
    reset_seconds: int

    def header(self) -> str:
        return f'"{self.policy}";r={self.remaining};t={self.reset_seconds}'


def policy_header(settings: Settings) -> str:
    """``RateLimit-Policy``: unsuccessful attempts allowed per window, per account and address."""
    window = settings.login_window_minutes * 60
    return (
        f'"account";q={settings.login_max_failures_per_account};w={window}, '
        f'"address";q={settings.login_max_failures_per_address};w={window}'
    )


def headers_for(settings: Settings, quota: Quota) -> dict[str, str]:
    return {"RateLimit-Policy": policy_header(settings), "RateLimit": quota.header()}


async def _failures(
    db: AsyncSession, column: Mapped[str], key: str, since: datetime
) -> tuple[int, datetime | None]:
    row = (
        await db.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                column == key, LoginAttempt.at >= since
            )
        )
    ).one()
    return row[0], row[1]


def _reset(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    return 0 if oldest is None else max(1, int((oldest + window - now).total_seconds()) + 1)


async def check_allowed(
    db: AsyncSession, settings: Settings, account_key: str, address_key: str
) -> None:
    """Refuse before the password is even checked when either limit is reached."""
    window = timedelta(minutes=settings.login_window_minutes)
    now = utcnow()
    since = now - window
    for policy, column, key, limit in (
        (
            "account",
            col(LoginAttempt.account_key),
            account_key,
            settings.login_max_failures_per_account,
        ),
        (
            "address",
            col(LoginAttempt.address_key),
            address_key,
            settings.login_max_failures_per_address,
        ),
    ):
        count, oldest = await _failures(db, column, key, since)
        if count >= limit:
            wait = _reset(oldest, window, now)
            minutes = max(1, -(-wait // 60))
            refusal = TooManyRequests(
                f"Too many unsuccessful attempts. Please wait {minutes} minute"
                f"{'s' if minutes != 1 else ''} and try again.",
                retry_after_seconds=wait,
            )
            refusal.headers.update(headers_for(settings, Quota(policy, 0, wait)))
            raise refusal


async def address_quota(db: AsyncSession, settings: Settings, address_key: str) -> Quota:
    """What is left of this address's quota of unsuccessful attempts."""
    window = timedelta(minutes=settings.login_window_minutes)
    now = utcnow()
    count, oldest = await _failures(db, col(LoginAttempt.address_key), address_key, now - window)
    remaining = max(0, settings.login_max_failures_per_address - count)
    return Quota("address", remaining, _reset(oldest, window, now))


async def record_failure(
    db: AsyncSession, settings: Settings, account_key: str, address_key: str
) -> dict[str, str]:
    """Count an unsuccessful attempt; the RateLimit headers to send with the refusal."""
    db.add(LoginAttempt(account_key=account_key, address_key=address_key))
    # Keep the table small: forget what is older than the window.
    cutoff = utcnow() - timedelta(minutes=settings.login_window_minutes)
    await db.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < cutoff))
    await db.flush()
    return headers_for(settings, await address_quota(db, settings, address_key))


async def forget_failures(db: AsyncSession, account_key: str) -> None:
    await db.execute(delete(LoginAttempt).where(col(LoginAttempt.account_key) == account_key))
