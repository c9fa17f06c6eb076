"""The purge runs on the queue once a day and logs how many of each went, never content."""

from datetime import timedelta

import httpx
from sqlalchemy import update
from structlog.testing import capture_logs

from api.common import utcnow
from api.jobs.queue import make_queue
from api.relationships.models import Relationship
from api.tasks import retention as retention_task
from api.tasks.runtime import Runtime
from api.tasks.worker import register
from tests.contact.helpers import contact_pair, rid

WORDS = "I told him about my brother's overdose."


async def test_the_purge_is_a_daily_job_on_the_queue(settings):
    queue = make_queue(settings)
    register(queue, settings)
    assert retention_task.PURGE in queue.tasks
    [periodic] = [
        p
        for p in queue.periodic_registry.periodic_tasks.values()
        if p.periodic_id == retention_task.PURGE
    ]
    assert periodic.cron == "41 3 * * *"


async def test_the_job_purges_and_logs_only_counts(app, client, db, settings):
    pair = await contact_pair(client, db, settings)
    sent = await client.post(
        f"{pair.base}/messages", json={"body": WORDS}, headers=pair.seeker.headers
    )
    assert sent.status_code == 201, sent.text
    assert (
        await client.post(f"{pair.base}/end", json={}, headers=pair.seeker.headers)
    ).status_code == 200
    # The clock moved forward: the ending was 100 days ago.
    await db.execute(
        update(Relationship)
        .where(Relationship.id == rid(pair))
        .values(ended_at=utcnow() - timedelta(days=100))
    )
    await db.commit()
    async with httpx.AsyncClient() as http:
        runtime = Runtime(settings=settings, sessionmaker=app.state.sessionmaker, http=http)
        with capture_logs() as logs:
            await retention_task.purge_now(runtime)
    [entry] = [e for e in logs if e["event"] == "retention_purged"]
    assert entry["messages"] == 1
    assert set(entry) == {
        "event",
        "log_level",
        "messages",
        "concern_details",
        "audit_entries",
        "accounts_warned",
        "accounts_deleted",
    }
    assert WORDS not in repr(logs)
