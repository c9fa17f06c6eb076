"""The domains' timed work, on the queue so it happens even when nobody is reading.

Reading still catches up first where correctness depends on it (introductions expire before
any list of them is read; a person's notices are brought up to date before they are read);
these jobs make the same things happen, and their pushes go out, when nobody is looking.
"""

from procrastinate import JobContext

from api.contact import notifications, push, upkeep
from api.idempotency import service as idempotency
from api.matching import introductions
from api.tasks.runtime import runtime_of

EXPIRE_INTRODUCTIONS = "matching.expire_introductions"
CONTACT_SWEEP = "contact.sweep"
PRUNE_IDEMPOTENCY_KEYS = "idempotency.prune"


async def expire_introductions(context: JobContext, timestamp: int) -> None:
    """Unanswered introductions past their time expire; their seekers are told (and pushed)."""
    runtime = runtime_of(context)
    async with runtime.sessionmaker() as db:
        await introductions.expire_due(db)
        owed = notifications.take_pushes(db)
        await db.commit()
    await push.deliver(runtime.sessionmaker, settings=runtime.settings, items=owed)


async def contact_sweep(context: JobContext, timestamp: int) -> None:
    """Held messages whose window opened, session reminders, answers waiting: for everyone."""
    runtime = runtime_of(context)
    await upkeep.sweep_and_push(runtime.sessionmaker, settings=runtime.settings)


async def prune_idempotency_keys(context: JobContext, timestamp: int) -> None:
    """Idempotency-Keys (and the answers kept with them) are forgotten after 24 hours."""
    runtime = runtime_of(context)
    async with runtime.sessionmaker() as db:
        await idempotency.prune(db)
        await db.commit()
