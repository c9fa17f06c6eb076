"""The one pipeline: every notice is in the app at once, and is owed to Web Push (where the
person subscribed) and to e-mail (the kinds they chose, at once or in a daily digest), after
their quiet hours.

``route`` runs inside ``notify``, in the notice's own transaction: it writes one
``notice_delivery`` row per channel owed, so nothing is lost if the process stops. The job
queue (``api/tasks/notices.py``) then takes what is due: ``take_due`` marks each row done as it
takes it (never sent twice), queues the e-mails in ``api/mail`` (which retries them) and
hands the pushes to ``api/contact/push``. ``digests_due`` sends each person's daily summary.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, func, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.config import Settings
from api.mail import service as mail
from api.notices import emails, preferences
from api.notices.models import Notice, NoticeDelivery

PUSH, EMAIL, DIGEST = "push", "email", "digest"
DIGEST_HOUR = 8  # a digest goes out from 08:00 on the person's own clock


_OWE = insert(NoticeDelivery.__table__)  # type: ignore[attr-defined]


async def route(
    db: AsyncSession, *, notice_id: UUID, user_id: UUID, kind: str, now: datetime
) -> None:
    """Owe this new notice to the channels its person chose for its kind."""
    choices = await preferences.of(db, user_id)
    channels = []
    if kind not in choices.push_off:
        channels.append(PUSH)
    if kind in choices.email_kinds:
        channels.append(DIGEST if choices.digest else EMAIL)
    if not channels:
        return
    due = now
    if choices.quiet_from is not None:
        due = preferences.quiet_end(choices, await preferences.zone_of(db, user_id), now)
    await db.execute(
        _OWE,
        [
            {"notice_id": notice_id, "channel": c, "user_id": user_id, "due_at": due}
            for c in channels
        ],
    )


@dataclass(frozen=True)
class PushDue:
    user_id: UUID
    kind: str


async def _take(db: AsyncSession, notice_id: UUID, channel: str, now: datetime) -> bool:
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(NoticeDelivery)
            .where(
                col(NoticeDelivery.notice_id) == notice_id,
                col(NoticeDelivery.channel) == channel,
                col(NoticeDelivery.done_at).is_(None),
            )
            .values(done_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


async def _recipient(db: AsyncSession, user_id: UUID) -> tuple[str, str] | None:
    """Address and pseudonym, only for an active account whose address is confirmed."""
    found = (
        await db.execute(
            select(User.email, User.display_name).where(
                User.id == user_id, col(User.is_active), col(User.email_verified_at).is_not(None)
            )
        )
    ).first()
    return (found[0], found[1]) if found else None


async def take_due(
    db: AsyncSession, *, settings: Settings, now: datetime, limit: int = 500
) -> list[PushDue]:
    """Take every push and e-mail now due (each once): e-mails are queued, pushes returned
    for the caller to send once this transaction commits."""
    rows = (
        await db.execute(
            select(NoticeDelivery.notice_id, NoticeDelivery.channel, NoticeDelivery.user_id)
            .add_columns(col(Notice.kind))
            .join(Notice, col(Notice.id) == NoticeDelivery.notice_id)
            .where(
                col(NoticeDelivery.done_at).is_(None),
                col(NoticeDelivery.due_at) <= now,
                col(NoticeDelivery.channel).in_([PUSH, EMAIL]),
            )
            .order_by(col(NoticeDelivery.due_at))
            .limit(limit)
        )
    ).all()
    pushes = []
    for notice_id, channel, user_id, kind in rows:
        if not await _take(db, notice_id, channel, now):
            continue
        if channel == PUSH:
            pushes.append(PushDue(user_id, kind))
            continue
        recipient = await _recipient(db, user_id)
        if recipient is None:
            continue
        await mail.queue(
            db,
            settings,
            key=f"notice/{notice_id}",
            to=recipient[0],
            user_id=user_id,
            message=emails.notice_mail(
                settings,
                name=recipient[1],
                unsubscribe_token=preferences.unsubscribe_token(settings, user_id),
            ),
        )
    return pushes


async def digests_due(db: AsyncSession, *, settings: Settings, now: datetime) -> int:
    """Each person's daily summary, from 08:00 their time (after quiet hours), at most one a
    day; how many were queued."""
    people = (
        await db.execute(
            select(NoticeDelivery.user_id, func.count())
            .where(
                col(NoticeDelivery.done_at).is_(None),
                col(NoticeDelivery.channel) == DIGEST,
                col(NoticeDelivery.due_at) <= now,
            )
            .group_by(col(NoticeDelivery.user_id))
        )
    ).all()
    queued = 0
    for user_id, count in people:
        choices = await preferences.of(db, user_id)
        zone = await preferences.zone_of(db, user_id)
        local = now.astimezone(zone)
        if local.hour < DIGEST_HOUR or preferences.quiet_end(choices, zone, now) > now:
            continue
        recipient = await _recipient(db, user_id)
        made = recipient is not None and await mail.queue(
            db,
            settings,
            key=f"digest/{user_id}/{local.date().isoformat()}",
            to=recipient[0],
            user_id=user_id,
            message=emails.digest_mail(
                settings,
                name=recipient[1],
                count=count,
                unsubscribe_token=preferences.unsubscribe_token(settings, user_id),
            ),
        )
        if recipient is not None and not made:
            continue  # today's summary has gone: these wait for tomorrow's
        queued += bool(made)
        await db.execute(
            update(NoticeDelivery)
            .where(
                col(NoticeDelivery.user_id) == user_id,
                col(NoticeDelivery.channel) == DIGEST,
                col(NoticeDelivery.done_at).is_(None),
                col(NoticeDelivery.due_at) <= now,
            )
            .values(done_at=now)
            .execution_options(synchronize_session=False)
        )
    return queued
