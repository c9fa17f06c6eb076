"""Supervision: coordinators log each supporter's supervision sessions (the date, with whom,
when the next is due: by default the service's interval later); a supporter whose next
session is overdue comes up on the console."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.crypto import seal, unseal
from api.db import settings_of
from api.errors import Invalid
from api.policies import service as policies
from api.policies.governance import Supervision
from api.screening.checklist import check_date, clean_note, offer_of, require_coordinator, today
from api.screening.models import SupervisionSession
from api.supporters.models import OfferStatus, SupporterOffer

WITH_WHOM_MAX = 80


async def log_session(
    db: AsyncSession,
    me: Principal,
    *,
    user_id: UUID,
    held_on: date,
    with_whom: str,
    next_due: date | None = None,
    note: str | None = None,
) -> SupervisionSession:
    """Log a supervision session a supporter had."""
    require_coordinator(me)
    await offer_of(db, user_id)
    check_date("held_on", held_on, on=today())
    with_whom = with_whom.strip()
    if not 2 <= len(with_whom) <= WITH_WHOM_MAX:
        raise Invalid.field("with_whom", "Say who the supervision was with (a name or role).")
    interval = (await policies.supervision(db)).interval_days
    next_due = next_due or held_on + timedelta(days=interval)
    if not held_on < next_due <= held_on + timedelta(days=366):
        raise Invalid.field("next_due", "Choose a date after this session, within a year of it.")
    note = clean_note(note)
    row = SupervisionSession(
        user_id=user_id,
        held_on=held_on,
        with_whom=with_whom,
        next_due=next_due,
        recorded_by=me.user_id,
    )
    row.note_sealed = seal(settings_of(db), note, row.id.bytes)
    db.add(row)
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.supervision_logged,
        subject_type="supporter",
        subject_id=user_id,
        details={"held_on": held_on.isoformat(), "next_due": next_due.isoformat()},
    )
    return row


@dataclass(frozen=True)
class Logged:
    id: UUID
    held_on: date
    with_whom: str
    next_due: date
    note: str | None
    recorded_at: datetime
    recorded_by: str | None


async def sessions_of(db: AsyncSession, me: Principal, *, user_id: UUID) -> list[Logged]:
    """One supporter's supervision sessions, newest first."""
    require_coordinator(me)
    await offer_of(db, user_id)
    rows = await db.execute(
        select(SupervisionSession, User.display_name)
        .outerjoin(User, col(User.id) == SupervisionSession.recorded_by)
        .where(col(SupervisionSession.user_id) == user_id)
        .order_by(col(SupervisionSession.held_on).desc(), col(SupervisionSession.id))
    )
    settings = settings_of(db)
    return [
        Logged(
            s.id,
            s.held_on,
            s.with_whom,
            s.next_due,
            unseal(settings, s.note_sealed, s.id.bytes),
            s.recorded_at,
            name,
        )
        for s, name in rows.all()
    ]


@dataclass(frozen=True)
class Overdue:
    user_id: UUID
    display_name: str
    due_on: date  # the next session's due date (or when the first was due)
    never: bool  # no supervision logged since they were approved


async def overdue(
    db: AsyncSession,
    me: Principal,
    *,
    on: date | None = None,
    policy: Supervision | None = None,
) -> list[Overdue]:
    """Approved supporters whose supervision is overdue, longest overdue first (against
    ``policy`` if the caller has read it already)."""
    require_coordinator(me)
    on = on or today()
    if policy is None:
        policy = await policies.supervision(db)
    interval = timedelta(days=policy.interval_days)
    latest = (
        select(
            col(SupervisionSession.user_id),
            func.max(SupervisionSession.next_due).label("next_due"),
        )
        .group_by(col(SupervisionSession.user_id))
        .subquery()
    )
    approved_by = datetime.combine(on, datetime.min.time(), tzinfo=utcnow().tzinfo) - interval
    rows = await db.execute(
        select(
            SupporterOffer.user_id,
            SupporterOffer.display_name,
            SupporterOffer.decided_at,
            latest.c.next_due,
        )
        .outerjoin(latest, latest.c.user_id == SupporterOffer.user_id)
        .where(
            col(SupporterOffer.status) == OfferStatus.approved,
            or_(
                latest.c.next_due < on,
                latest.c.next_due.is_(None) & (col(SupporterOffer.decided_at) < approved_by),
            ),
        )
    )
    found = [
        Overdue(
            r.user_id,
            r.display_name,
            r.next_due or (r.decided_at + interval).date(),
            r.next_due is None,
        )
        for r in rows.all()
    ]
    return sorted(found, key=lambda o: (o.due_on, o.display_name, o.user_id))
