"""The domains' timed work, on the queue so it happens even when nobody is reading.

Reading still catches up first where correctness depends on it (introductions expire before
any list of them is read; a person's notices are brought up to date before they are read);
these jobs make the same things happen when nobody is looking (and so their pushes and
e-mails go out: api/tasks/notices.py).
"""

from procrastinate import JobContext

from api.contact import upkeep
from api.idempotency import service as idempotency
from api.matching import introductions
from api.tasks.runtime import runtime_of

EXPIRE_INTRODUCTIONS = "matching.expire_introductions"
CONTACT_SWEEP = "contact.sweep"
PRUNE_IDEMPOTENCY_KEYS = "idempotency.prune"


async def expire_introductions(context: JobContext, timestamp: int) -> None:
    """Unanswered introductions past their time expire; their seekers are told."""
    runtime = runtime_of(context)
    async with runtime.sessionmaker() as db:
        await introductions.expire_due(db)
        await db.commit()


async def contact_sweep(context: JobContext, timestamp: int) -> None:
    """Held messages whose window opened, session reminders, answers waiting: for everyone."""
    runtime = runtime_of(context)
    await upkeep.sweep_now(runtime.sessionmaker)


async def prune_idempotency_keys(context: JobContext, timestamp: int) -> None:
    """Idempotency-Keys (and the answers kept with them) are forgotten after 24 hours."""
    runtime = runtime_of(context)
    async with runtime.sessionmaker() as db:
        await idempotency.prune(db)
        await db.commit()
