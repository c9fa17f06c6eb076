"""How each person wants to hear of their notices: which kinds by e-mail (at once or in a
daily digest), which never pushed, which reminders at all, how long before a session, and
quiet hours. Read by ``delivery.route`` when a notice is made; docs/notifications.md."""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from api.auth.models import User
from api.auth.principal import Principal
from api.auth.tokens import keyed_hash
from api.common import utcnow
from api.config import Settings
from api.db import fast_rows
from api.errors import FieldError, Invalid
from api.notices.models import NoticePreference
from api.notices.wording import WORDING
from api.profiles.models import Profile
from api.weekly.windows import FALLBACK_TIMEZONE, is_known_timezone

KINDS = tuple(WORDING)
REMINDERS = ("session_reminder", "review_due", "introduction_expiring")
DAY = 24 * 60
# How the PWA's settings page groups the kinds (every kind is in exactly one group).
GROUPS: dict[str, tuple[str, ...]] = {
    "Messages": ("message_delivered",),
    "Sessions": (
        "session_proposed",
        "session_rescheduled",
        "session_confirmed",
        "session_cancelled",
        "session_cancelled_ended",
        "sessions_complete",
    ),
    "Reminders": REMINDERS,
    "Introductions and matches": (
        "introduction_received",
        "introduction_accepted",
        "introduction_not_available",
        "match_proposed",
        "proposal_to_review",
    ),
}
GROUPS["Your support and your offer"] = tuple(
    k for k in KINDS if not any(k in kinds for kinds in GROUPS.values())
)


@dataclass(frozen=True)
class Choices:
    email_kinds: list[str]
    digest: bool
    push_off: list[str]
    reminders_off: list[str]
    remind_before_minutes: int
    quiet_from: int | None
    quiet_until: int | None


_P = NoticePreference.__table__.c  # type: ignore[attr-defined]
# One person's choices, built once: every notice made reads them.
_CHOICES = sa_select(
    _P.email_kinds,
    _P.digest,
    _P.push_off,
    _P.reminders_off,
    _P.remind_before_minutes,
    _P.quiet_from,
    _P.quiet_until,
).where(_P.user_id == bindparam("user_id"))


def defaults(user_id: UUID) -> NoticePreference:
    return NoticePreference(user_id=user_id)


def _choices_of(row: NoticePreference) -> Choices:
    return Choices(
        list(row.email_kinds),
        row.digest,
        list(row.push_off),
        list(row.reminders_off),
        row.remind_before_minutes,
        row.quiet_from,
        row.quiet_until,
    )


_USUAL = defaults(UUID(int=0))  # the model's defaults, made once


async def of(db: AsyncSession, user_id: UUID) -> Choices:
    """This person's choices (the defaults when they never changed any)."""
    found = await fast_rows(db, _CHOICES, {"user_id": user_id})
    return Choices(*found[0]) if found else _choices_of(_USUAL)


async def mine(db: AsyncSession, me: Principal) -> Choices:
    return await of(db, me.user_id)


def _problems(choices: Choices) -> list[FieldError]:
    errors = []
    for field, kinds, allowed in (
        ("email_kinds", choices.email_kinds, KINDS),
        ("push_off", choices.push_off, KINDS),
        ("reminders_off", choices.reminders_off, REMINDERS),
    ):
        unknown = sorted(set(kinds) - set(allowed))
        if unknown:
            errors.append(FieldError(field=field, message=f"Not a kind of notice: {unknown[0]}."))
    if not 15 <= choices.remind_before_minutes <= 7 * DAY:
        errors.append(
            FieldError(
                field="remind_before_minutes",
                message="Choose between 15 minutes and a week before.",
            )
        )
    quiet = (choices.quiet_from, choices.quiet_until)
    if (quiet[0] is None) != (quiet[1] is None):
        errors.append(
            FieldError(field="quiet_until", message="Quiet hours need a start and an end.")
        )
    elif quiet[0] is not None and quiet[1] is not None:
        if not (0 <= quiet[0] < DAY and 0 <= quiet[1] < DAY):
            errors.append(
                FieldError(field="quiet_from", message="Use times of day, 00:00 to 23:59.")
            )
        elif quiet[0] == quiet[1]:
            errors.append(
                FieldError(field="quiet_until", message="Quiet hours can't start and end at once.")
            )
    return errors


async def change(db: AsyncSession, me: Principal, *, choices: Choices) -> Choices:
    """Save my choices (all of them at once)."""
    errors = _problems(choices)
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    found = await db.get(NoticePreference, me.user_id)
    if found is None:
        found = defaults(me.user_id)
        db.add(found)
    found.email_kinds = sorted(set(choices.email_kinds))
    found.digest = choices.digest
    found.push_off = sorted(set(choices.push_off))
    found.reminders_off = sorted(set(choices.reminders_off))
    found.remind_before_minutes = choices.remind_before_minutes
    found.quiet_from, found.quiet_until = choices.quiet_from, choices.quiet_until
    found.updated_at = utcnow()
    await db.flush()
    return _choices_of(found)


# ---- one-click unsubscribe (RFC 8058): a link that needs no login -----------------------------


def unsubscribe_token(settings: Settings, user_id: UUID) -> str:
    return f"{user_id.hex}.{keyed_hash(settings, 'unsubscribe', user_id.hex)[:32]}"


def _user_of(settings: Settings, token: str) -> UUID | None:
    hex_id, _, mac = token.partition(".")
    try:
        user_id = UUID(hex=hex_id)
    except ValueError:
        return None
    good = keyed_hash(settings, "unsubscribe", user_id.hex)[:32]
    return user_id if hmac.compare_digest(good, mac) else None


async def unsubscribe(db: AsyncSession, *, settings: Settings, token: str) -> bool:
    """Stop every e-mail about notices to the person the link was made for; False if the link
    is not one of ours (or their account is gone)."""
    user_id = _user_of(settings, token)
    if user_id is None or await db.get(User, user_id) is None:
        return False
    found = await db.get(NoticePreference, user_id)
    if found is None:
        found = defaults(user_id)
        db.add(found)
    found.email_kinds, found.digest, found.updated_at = [], False, utcnow()
    await db.flush()
    return True


# ---- quiet hours -----------------------------------------------------------------------------


async def zone_of(db: AsyncSession, user_id: UUID) -> ZoneInfo:
    """The person's own time zone (from their profile; the fallback without one)."""
    tz = await db.scalar(select(Profile.timezone).where(Profile.user_id == user_id))
    return ZoneInfo(tz if tz and is_known_timezone(tz) else FALLBACK_TIMEZONE)


def quiet_end(choices: Choices, zone: ZoneInfo, now: datetime) -> datetime:
    """`now`, or the end of the quiet hours `now` falls in (their own clock)."""
    start, end = choices.quiet_from, choices.quiet_until
    if start is None or end is None:
        return now
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return now
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    wake = datetime(day.year, day.month, day.day, end // 60, end % 60, tzinfo=zone)
    return max(now, wake.astimezone(now.tzinfo))
