"""Retention the code enforces: what has been kept past the service's periods
(``policies.retention``) is deleted or anonymised, each domain doing its own part.

Run daily on the queue (``api/tasks/retention.py``); it returns counts only, and only counts
are logged. docs/data-inventory.md names which period each column falls under.

The staff audit log (``api/audit``) is kept for ``audit_days`` too, purged beside the
safeguarding audit trail.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as staff_audit
from api.auth import tokens
from api.auth.models import AuthSession, Role, User
from api.common import utcnow
from api.concerns import retention as concern_retention
from api.config import Settings
from api.contact import retention as contact_retention
from api.notices import service as notices
from api.notices.models import Notice
from api.policies import service as policies
from api.policies.retention import RetentionPeriods
from api.privacy.service import erase_account
from api.safety import retention as safety_retention

INACTIVE_WARNING = "inactive_warning"


@dataclass(frozen=True)
class Purged:
    """How many of each went (never what they said)."""

    messages: int = 0
    concern_details: int = 0
    audit_entries: int = 0
    accounts_warned: int = 0
    accounts_deleted: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


async def purge(db: AsyncSession, settings: Settings, *, now: datetime | None = None) -> Purged:
    """Delete or anonymise everything past its retention period, as of `now`."""
    now = now or utcnow()
    periods = await policies.retention(db)
    messages = await contact_retention.purge_ended_messages(
        db,
        ended_before=now - timedelta(days=periods.ended_messages_days),
        kept_for=concern_retention.relationships_with_open_concerns(),
    )
    details = await concern_retention.erase_resolved_details(
        db, resolved_before=now - timedelta(days=periods.resolved_concern_details_days)
    )
    audit_before = now - timedelta(days=periods.audit_days)
    audit = await safety_retention.purge_audit(db, before=audit_before)
    audit += await staff_audit.purge(db, before=audit_before)
    warned, deleted = await _inactive_accounts(db, settings, periods, now)
    return Purged(messages, details, audit, warned, deleted)


async def _inactive_accounts(
    db: AsyncSession, settings: Settings, periods: RetentionPeriods, now: datetime
) -> tuple[int, int]:
    """Peers nobody has signed in as for ``inactive_account_days`` are warned (a notice; the
    e-mail goes with it once e-mail exists); ``inactive_warning_days`` after a warning that
    came after their last sign-in, the account is deleted. Staff accounts are left to admins."""
    last_used = (
        select(AuthSession.user_id, func.max(AuthSession.last_used_at).label("last"))
        .group_by(col(AuthSession.user_id))
        .subquery()
    )
    people = await db.execute(
        select(User.id, User.email, User.created_at, last_used.c.last)
        .outerjoin(last_used, last_used.c.user_id == User.id)
        .where(User.role == Role.peer)
    )
    warned_at = await _warnings(db)
    inactive_since = now - timedelta(days=periods.inactive_account_days)
    grace = timedelta(days=periods.inactive_warning_days)
    warned = deleted = 0
    for user_id, email, created_at, last in people.all():
        active_at = max(created_at, last) if last is not None else created_at
        if active_at >= inactive_since:
            continue
        warning = warned_at.get(user_id)
        if warning is None or warning[0] <= active_at:
            made = await notices.notify(
                db,
                user_id=user_id,
                relationship_id=None,
                kind=INACTIVE_WARNING,
                key=f"{INACTIVE_WARNING}/{active_at.isoformat()}",
                delete_on=(now + grace).date().isoformat(),
            )
            warned += made
        elif warning[1] <= now.date():
            account_key = tokens.keyed_hash(settings, "login-account", email)
            await erase_account(db, user_id=user_id, account_key=account_key)
            deleted += 1
    return warned, deleted


async def _warnings(db: AsyncSession) -> dict[UUID, tuple[datetime, date]]:
    """Each person's latest inactivity warning: when it was made, and the day it named."""
    rows = await db.execute(
        select(Notice.user_id, Notice.created_at, Notice.params)
        .where(Notice.kind == INACTIVE_WARNING)
        .order_by(col(Notice.created_at))
    )
    return {
        user_id: (at, date.fromisoformat(params["delete_on"])) for user_id, at, params in rows.all()
    }
