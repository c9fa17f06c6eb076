"""Timed work happens on the queue even when nobody reads: the app's in-process worker
(``RUN_WORKER=1``, as ``make run`` sets) expires introductions and makes the notices time has
made due, with no request at all."""

from datetime import timedelta

from sqlalchemy import select

from api.common import utcnow
from api.jobs.queue import make_queue
from api.main import create_app
from api.notices.models import Notice
from api.relationships import lifecycle
from api.relationships.models import Relationship, State
from api.tasks.worker import register
from tests.contact.helpers import agree, contact_pair, windows_around, windows_away_from
from tests.personas import peer, staff, supporter
from tests.webhooks.conftest import until

LONDON = "Europe/London"


async def test_the_in_process_worker_expires_introductions_and_releases_held_messages(
    client, db, settings
):
    # An introduction nobody answered, past its time.
    coordinator = await staff(client, db, settings)
    bob = await supporter(client, coordinator, "bea")
    ann = await peer(client, "ann")
    waiting = Relationship(
        seeker_id=ann.id,
        supporter_id=bob.id,
        state=State.introduced,
        expires_at=utcnow() - timedelta(minutes=1),
    )
    await lifecycle.start(db, relationship=waiting, actor_id=coordinator.id)
    await db.commit()
    waiting_id = waiting.id
    # A message held outside the agreed times, whose window has now opened.
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(utcnow(), LONDON), timezone=LONDON)
    sent = await client.post(
        f"{pair.base}/messages", json={"body": "See you soon"}, headers=pair.supporter.headers
    )
    assert sent.json()["status"] == "held"
    await agree(db, pair, windows=windows_around(utcnow(), LONDON, 60, 180), timezone=LONDON)

    async def kinds_for(user_id) -> list[str]:
        db.expire_all()
        found = await db.scalars(select(Notice.kind).where(Notice.user_id == user_id))
        return list(found.all())

    async def expired() -> bool:
        db.expire_all()
        row = await db.get(Relationship, waiting_id)
        return row is not None and row.state == State.expired

    assert not await expired() and await kinds_for(pair.seeker.id) == []
    app = create_app(settings.model_copy(update={"run_worker": True}))
    try:
        async with app.router.lifespan_context(app):
            await until(expired, within=30)
            await until(lambda: _has(kinds_for(pair.seeker.id), "message_delivered"), within=30)
        assert "introduction_not_available" in await kinds_for(ann.id)
    finally:
        await app.state.engine.dispose()


async def _has(kinds, kind: str) -> bool:
    return kind in await kinds


async def test_every_timed_job_is_on_the_queue(settings):
    queue = make_queue(settings)
    register(queue, settings)
    for name in ("matching.expire_introductions", "contact.sweep", "idempotency.prune"):
        assert name in queue.tasks
