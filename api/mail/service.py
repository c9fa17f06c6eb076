"""The outgoing queue: ``queue`` in the caller's transaction, ``send_due`` from the job queue.

An e-mail is queued at most once for its ``key`` (ON CONFLICT DO NOTHING), then sent by a
worker that claims it first, so two workers never send the same row. A server that refuses
or can't be reached is tried again on ``settings.mail_retry_schedule``; after that the row is
marked failed. Once sent, the sealed body (which may hold a link's token) is erased.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, cast
from uuid import UUID

import aiosmtplib
import structlog
from sqlalchemy import CursorResult, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.mail.compose import Composed
from api.mail.models import MailOut, MailState

log = structlog.get_logger("kindred.mail")

CLAIM_FOR = timedelta(minutes=2)


async def queue(
    db: AsyncSession,
    settings: Settings,
    *,
    key: str,
    to: str,
    message: Composed,
    user_id: UUID | None = None,
    send_after: datetime | None = None,
) -> bool:
    """Queue one e-mail (at most once for `key`); True when it was queued now."""
    mail_id = uuid.uuid4()
    body = json.dumps({"text": message.text, "html": message.html, "headers": message.headers})
    values = {
        "id": mail_id,
        "key": key,
        "user_id": user_id,
        "to_address": to,
        "subject": message.subject,
        "body_sealed": seal(settings, body, mail_id.bytes),
        "state": MailState.waiting,
        "send_after": send_after or utcnow(),
        "attempts": 0,
        "created_at": utcnow(),
    }
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = cast(
        CursorResult[Any],
        await db.execute(
            insert(MailOut).values(**values).on_conflict_do_nothing(index_elements=["key"])
        ),
    )
    return bool(result.rowcount == 1)


@dataclass(frozen=True)
class Claimed:
    id: UUID
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    attempt: int


async def due(db: AsyncSession, *, now: datetime, limit: int = 100) -> list[UUID]:
    """E-mails due now, and any whose worker stopped before it finished, oldest first."""
    rows = await db.scalars(
        select(MailOut.id)
        .where(
            or_(
                (col(MailOut.state) == MailState.waiting) & (col(MailOut.send_after) <= now),
                (col(MailOut.state) == MailState.sending) & (col(MailOut.claimed_until) < now),
            )
        )
        .order_by(col(MailOut.send_after))
        .limit(limit)
    )
    return list(rows.all())


async def claim(db: AsyncSession, settings: Settings, *, mail_id: UUID) -> Claimed | None:
    """Claim one e-mail for this worker (None when it isn't due or another has it)."""
    now = utcnow()
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(MailOut)
            .where(
                col(MailOut.id) == mail_id,
                or_(
                    (col(MailOut.state) == MailState.waiting) & (col(MailOut.send_after) <= now),
                    (col(MailOut.state) == MailState.sending) & (col(MailOut.claimed_until) < now),
                ),
            )
            .values(
                state=MailState.sending,
                claimed_until=now + CLAIM_FOR,
                attempts=MailOut.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        return None
    row = (
        await db.execute(
            select(
                MailOut.to_address, MailOut.subject, MailOut.body_sealed, MailOut.attempts
            ).where(MailOut.id == mail_id)
        )
    ).one()
    body = json.loads(unseal(settings, row.body_sealed, mail_id.bytes) or "{}")
    return Claimed(
        id=mail_id,
        to=row.to_address,
        subject=row.subject,
        text=body["text"],
        html=body["html"],
        headers=body.get("headers", {}),
        attempt=row.attempts,
    )


def message_of(settings: Settings, claimed: Claimed) -> EmailMessage:
    """The MIME message: plain text first, the same words as HTML as the alternative."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = claimed.to
    message["Subject"] = claimed.subject
    message["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "kindred.example"
    message["Message-ID"] = make_msgid(idstring=claimed.id.hex, domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in claimed.headers.items():
        message[name] = value
    message.set_content(claimed.text)
    message.add_alternative(claimed.html, subtype="html")
    return message


async def send(settings: Settings, claimed: Claimed) -> str | None:
    """Hand one e-mail to the SMTP server; None when it took it, else what went wrong."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            message_of(settings, claimed),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            start_tls=settings.smtp_starttls,
            use_tls=settings.smtp_tls,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return type(exc).__name__
    return None


async def record(
    db: AsyncSession, settings: Settings, *, claimed: Claimed, error: str | None
) -> datetime | None:
    """Sent (its body erased), or due again later, or given up; when it is due again."""
    now = utcnow()
    values: dict[str, Any]
    next_at = None
    if error is None:
        values = {"state": MailState.sent, "sent_at": now, "body_sealed": b""}
        values["claimed_until"] = None
    elif claimed.attempt <= len(settings.mail_retry_schedule):
        next_at = now + timedelta(seconds=settings.mail_retry_schedule[claimed.attempt - 1])
        values = {"state": MailState.waiting, "send_after": next_at, "claimed_until": None}
    else:
        values = {"state": MailState.failed, "body_sealed": b"", "claimed_until": None}
    await db.execute(
        update(MailOut)
        .where(col(MailOut.id) == claimed.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return next_at


async def send_due(sessionmaker: async_sessionmaker[AsyncSession], *, settings: Settings) -> int:
    """Send every e-mail now due, one at a time, each claimed first; how many were sent."""
    async with sessionmaker() as db:
        found = await due(db, now=utcnow())
    sent = 0
    for mail_id in found:
        async with sessionmaker() as db:
            claimed = await claim(db, settings, mail_id=mail_id)
            await db.commit()
        if claimed is None:
            continue
        error = await send(settings, claimed)
        async with sessionmaker() as db:
            next_at = await record(db, settings, claimed=claimed, error=error)
            await db.commit()
        # Never the address or the subject: ids and outcomes only.
        log.info(
            "mail",
            mail_id=str(mail_id),
            attempt=claimed.attempt,
            error=error,
            next_attempt_at=next_at.isoformat() if next_at else None,
        )
        sent += error is None
    return sent


async def prune(db: AsyncSession, *, before: datetime) -> int:
    """Forget e-mails sent (or given up on) before `before`."""
    result = cast(
        CursorResult[Any],
        await db.execute(
            delete(MailOut).where(
                col(MailOut.state).in_([MailState.sent, MailState.failed]),
                col(MailOut.created_at) < before,
            )
        ),
    )
    return int(result.rowcount or 0)
