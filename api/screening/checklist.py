"""Screening and training: coordinators record each checklist item per supporter (who, when,
the date it was done, when it expires, an optional sealed note); approval waits until every
required item is recorded and in date; items that expire come up as reminders first."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.crypto import seal, unseal
from api.db import settings_of
from api.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from api.policies import service as policies
from api.policies.governance import ChecklistItem
from api.screening.models import ScreeningRecord
from api.supporters.models import OfferStatus, SupporterOffer

NOTE_MAX = 1000
# A reminder comes up this long before an item expires, and stays until it is done again.
DUE_WITHIN = timedelta(days=30)
OLDEST = timedelta(days=366 * 20)


def require_coordinator(me: Principal) -> None:
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can see or record supporters' screening.")


def today() -> date:
    return utcnow().date()


def expiry(item: ChecklistItem, done_on: date) -> date | None:
    if item.expires_after_months is None:
        return None
    return add_months(done_on, item.expires_after_months)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clean_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise Invalid.field("note", f"Please keep the note under {NOTE_MAX} characters.")
    return note


def check_date(field: str, when: date, *, on: date) -> None:
    if when > on:
        raise Invalid.field(field, "Choose a date that has already happened (today or before).")
    if when < on - OLDEST:
        raise Invalid.field(field, "That date is more than 20 years ago: please check it.")


async def offer_of(db: AsyncSession, user_id: UUID) -> SupporterOffer:
    offer = await db.scalar(select(SupporterOffer).where(col(SupporterOffer.user_id) == user_id))
    if offer is None or offer.status == OfferStatus.withdrawn:
        raise NotFound("No such supporter (nobody with an offer to support by that id).")
    return offer


async def record(
    db: AsyncSession,
    me: Principal,
    *,
    user_id: UUID,
    item_key: str,
    done_on: date,
    note: str | None = None,
) -> ScreeningRecord:
    """Record that one checklist item was done for a supporter on a date."""
    require_coordinator(me)
    await offer_of(db, user_id)
    item = {i.key: i for i in await policies.screening_checklist(db)}.get(item_key)
    if item is None:
        raise Invalid.field("item", "That isn't on the service's screening checklist.")
    check_date("done_on", done_on, on=today())
    note = clean_note(note)
    row = ScreeningRecord(
        user_id=user_id,
        item_key=item.key,
        done_on=done_on,
        expires_on=expiry(item, done_on),
        recorded_by=me.user_id,
    )
    row.note_sealed = seal(settings_of(db), note, row.id.bytes)
    db.add(row)
    await db.flush()
    await audit.record(
        db,
        me,
        action=Action.screening_recorded,
        subject_type="supporter",
        subject_id=user_id,
        details={"item": item.key, "done_on": done_on.isoformat()}
        | ({"expires_on": row.expires_on.isoformat()} if row.expires_on else {}),
    )
    return row


@dataclass(frozen=True)
class Missing:
    key: str
    name: str
    expired_on: date | None  # None: never recorded

    @property
    def words(self) -> str:
        if self.expired_on is None:
            return f"{self.name} (not recorded yet)"
        return f"{self.name} (expired on {self.expired_on:%-d %B %Y})"


class ScreeningIncomplete(Conflict):
    type = "screening-incomplete"
    title = "Screening isn't complete yet"


async def missing_for_approval(db: AsyncSession, *, user_id: UUID, on: date) -> list[Missing]:
    """The required items not recorded for this person, or no longer in date."""
    required = [i for i in await policies.screening_checklist(db) if i.required]
    if not required:
        return []
    rows = await db.execute(
        select(
            col(ScreeningRecord.item_key),
            func.count(),
            func.count(col(ScreeningRecord.expires_on)),
            func.max(ScreeningRecord.expires_on),
        )
        .where(
            col(ScreeningRecord.user_id) == user_id,
            col(ScreeningRecord.item_key).in_([i.key for i in required]),
        )
        .group_by(col(ScreeningRecord.item_key))
    )
    latest: dict[str, date | None] = {
        key: (None if with_expiry < records else last) for key, records, with_expiry, last in rows
    }
    missing = []
    for item in required:
        if item.key not in latest:
            missing.append(Missing(item.key, item.name, None))
        elif (until := latest[item.key]) is not None and until < on:
            missing.append(Missing(item.key, item.name, until))
    return missing


async def require_screened(db: AsyncSession, *, user_id: UUID, name: str) -> None:
    """Refuse (409, naming each item) unless every required item is recorded and in date."""
    missing = await missing_for_approval(db, user_id=user_id, on=today())
    if missing:
        raise ScreeningIncomplete(
            f"Before {name} can support others, record: "
            + "; ".join(m.words for m in missing)
            + ".",
            errors=[FieldError(field=f"screening.{m.key}", message=m.words) for m in missing],
        )


@dataclass(frozen=True)
class ItemStatus:
    key: str
    name: str
    required: bool
    expires_after_months: int | None
    state: str  # missing, done, due_soon, expired
    done_on: date | None = None
    expires_on: date | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    note: str | None = None


def state_of(expires_on: date | None, on: date) -> str:
    if expires_on is None or expires_on > on + DUE_WITHIN:
        return "done"
    return "expired" if expires_on < on else "due_soon"


async def checklist_of(
    db: AsyncSession, me: Principal, *, user_id: UUID, on: date | None = None
) -> list[ItemStatus]:
    """Each checklist item for one supporter, from its latest record."""
    require_coordinator(me)
    await offer_of(db, user_id)
    on = on or today()
    rows = await db.execute(
        select(ScreeningRecord, User.display_name)
        .outerjoin(User, col(User.id) == ScreeningRecord.recorded_by)
        .where(col(ScreeningRecord.user_id) == user_id)
        .order_by(col(ScreeningRecord.done_on), col(ScreeningRecord.recorded_at))
    )
    latest = {r.item_key: (r, name) for r, name in rows.all()}
    found = []
    for item in await policies.screening_checklist(db):
        if item.key not in latest:
            found.append(
                ItemStatus(item.key, item.name, item.required, item.expires_after_months, "missing")
            )
            continue
        r, name = latest[item.key]
        found.append(
            ItemStatus(
                item.key,
                item.name,
                item.required,
                item.expires_after_months,
                state_of(r.expires_on, on),
                r.done_on,
                r.expires_on,
                r.recorded_at,
                name,
                unseal(settings_of(db), r.note_sealed, r.id.bytes),
            )
        )
    return found


@dataclass(frozen=True)
class Due:
    user_id: UUID
    display_name: str
    item_key: str
    item_name: str
    expires_on: date
    state: str  # due_soon or expired


async def due(
    db: AsyncSession,
    me: Principal,
    *,
    on: date | None = None,
    checklist: list[ChecklistItem] | None = None,
) -> list[Due]:
    """Approved supporters' items that expire within 30 days or have expired, soonest first
    (against ``checklist`` if the caller has read it already)."""
    require_coordinator(me)
    on = on or today()
    if checklist is None:
        checklist = await policies.screening_checklist(db)
    names = {i.key: i.name for i in checklist if i.expires_after_months}
    if not names:
        return []
    latest = (
        select(
            col(ScreeningRecord.user_id),
            col(ScreeningRecord.item_key),
            func.max(ScreeningRecord.expires_on).label("expires_on"),
        )
        .where(col(ScreeningRecord.item_key).in_(list(names)))
        .group_by(col(ScreeningRecord.user_id), col(ScreeningRecord.item_key))
        # An item recorded once without an expiry (before the checklist said it expires)
        # stays in date.
        .having(func.count() == func.count(col(ScreeningRecord.expires_on)))
        .subquery()
    )
    rows = await db.execute(
        sa.select(
            latest.c.user_id,
            latest.c.item_key,
            latest.c.expires_on,
            col(SupporterOffer.display_name),
        )
        .join(SupporterOffer, col(SupporterOffer.user_id) == latest.c.user_id)
        .where(
            col(SupporterOffer.status) == OfferStatus.approved,
            latest.c.expires_on <= on + DUE_WITHIN,
        )
        .order_by(latest.c.expires_on, latest.c.user_id, latest.c.item_key)
    )
    return [
        Due(
            r.user_id,
            r.display_name,
            r.item_key,
            names[r.item_key],
            r.expires_on,
            state_of(r.expires_on, on),
        )
        for r in rows.all()
    ]


async def supporter_name(db: AsyncSession, me: Principal, *, user_id: UUID) -> tuple[str, str]:
    """A supporter's name and where their offer stands, for the console's pages."""
    require_coordinator(me)
    offer = await offer_of(db, user_id)
    return offer.display_name, offer.status
