"""The outbox keeps no one longer than it must: a deleted account is no longer named in any
event, and events (with their delivery log) go once they are older than the log is kept."""

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import select

from api.common import utcnow
from api.outbox.models import OutboxEvent
from api.outbox.service import emit, forget_user, prune
from api.webhooks import deliveries, endpoints
from api.webhooks.models import WebhookDelivery
from tests.webhooks.conftest import CLIENT_A, add_clients


async def test_a_forgotten_person_is_no_longer_named_in_any_event(db):
    leaver, other, stranger = uuid4(), uuid4(), uuid4()
    both = emit(
        db, type="relationship.ended", data={"relationship_id": "r"}, about_users=[leaver, other]
    )
    theirs = emit(db, type="session.held", data={"session_id": "s"}, about_users=[stranger])
    await db.commit()
    assert await forget_user(db, user_id=leaver) == 1
    await db.commit()
    db.expire_all()
    kept = {e.id: e.about_users for e in (await db.scalars(select(OutboxEvent))).all()}
    assert kept == {both.id: [str(other)], theirs.id: [str(stranger)]}


async def test_events_sent_out_longer_ago_than_the_log_is_kept_go_with_their_deliveries(
    app, hook_settings
):
    from api.db import create_sessionmaker

    sessions = create_sessionmaker(app.state.engine, hook_settings)
    await add_clients(sessions, CLIENT_A)
    now = utcnow()
    async with sessions() as db:
        await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url="https://hooks.example.org/", event_types=["session.held"]
        )
        await db.commit()
    async with sessions() as db:
        old = emit(db, type="session.held", data={"session_id": "old"})
        recent = emit(db, type="session.held", data={"session_id": "recent"})
        await db.commit()
    async with sessions() as db:
        await deliveries.fan_out(db, may_hear=deliveries.everyone)
        waiting = emit(db, type="session.held", data={"session_id": "waiting"})
        await db.commit()
    async with sessions() as db:
        for event_id, dispatched in ((old.id, now - timedelta(days=31)), (waiting.id, None)):
            event = await db.get(OutboxEvent, event_id)
            assert event is not None
            event.dispatched_at = dispatched
            event.occurred_at = now - timedelta(days=40)
        await db.commit()
    async with sessions() as db:
        assert await prune(db, dispatched_before=now - timedelta(days=30)) == 1
        await db.commit()
        left = {e.id for e in (await db.scalars(select(OutboxEvent))).all()}
        logged = {d.event_id for d in (await db.scalars(select(WebhookDelivery))).all()}
    assert left == {recent.id, waiting.id}  # never an event not yet sent out
    assert logged == {recent.id}
