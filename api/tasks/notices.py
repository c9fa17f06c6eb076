"""Telling people outside the app: the pushes and e-mails their notices owe, daily digests,
and the e-mails about their account (api/notices/delivery.py, api/mail).

One sweep every ``notice_sweep_seconds`` (one at a time, whatever the number of workers)
takes what is due, so a slow mail server never slows a request; whatever a restart left
undone is still in the tables and goes at the next sweep.
"""

from datetime import timedelta

import structlog
from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.common import utcnow
from api.config import Settings
from api.contact import push
from api.mail import service as mail
from api.notices import delivery
from api.tasks.runtime import runtime_of

SWEEP = "notices.sweep"
PRUNE_MAIL = "mail.prune"
KEEP_MAIL_DAYS = 7

log = structlog.get_logger("kindred.notices")


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession], *, settings: Settings
) -> tuple[int, int]:
    """Pushes and e-mails now due, digests included: (pushes, e-mails) sent."""
    now = utcnow()
    async with sessionmaker() as db:
        pushes = await delivery.take_due(db, settings=settings, now=now)
        await delivery.digests_due(db, settings=settings, now=now)
        await db.commit()
    pushed = await push.deliver(sessionmaker, settings=settings, items=pushes)
    sent = await mail.send_due(sessionmaker, settings=settings)
    return pushed, sent


async def sweep(context: JobContext, timestamp: int) -> None:
    runtime = runtime_of(context)
    pushed, sent = await deliver_due(runtime.sessionmaker, settings=runtime.settings)
    if pushed or sent:
        log.info("notices_sent", pushes=pushed, emails=sent)


async def prune_mail(context: JobContext, timestamp: int) -> None:
    """E-mails sent (or given up on) are forgotten after a week."""
    runtime = runtime_of(context)
    async with runtime.sessionmaker() as db:
        await mail.prune(db, before=utcnow() - timedelta(days=KEEP_MAIL_DAYS))
        await db.commit()
