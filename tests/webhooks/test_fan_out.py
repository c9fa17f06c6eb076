"""From the outbox to deliveries: subscribed types only, endpoints that existed at the time,
the audience hook decides which clients hear of an event, and each event is dispatched once."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from api.common import utcnow
from api.outbox.models import OutboxEvent
from api.outbox.service import emit
from api.webhooks import deliveries, endpoints
from api.webhooks.models import WebhookDelivery
from tests.webhooks.conftest import CLIENT_A, CLIENT_B, CLIENT_C

URL = "https://hooks.example.org/"


async def test_each_event_goes_once_to_the_subscribed_endpoints_whose_client_may_hear(sessions):
    async with sessions() as db:
        await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url=URL + "a", event_types=["relationship.ended"]
        )
        b = await endpoints.create_endpoint(
            db,
            client_id=CLIENT_B,
            url=URL + "b",
            event_types=["relationship.ended", "session.held"],
        )
        off = await endpoints.create_endpoint(
            db, client_id=CLIENT_C, url=URL + "c", event_types=["relationship.ended"]
        )
        await endpoints.update_endpoint(
            db, client_id=CLIENT_C, endpoint_id=off.endpoint.id, enabled=False
        )
        await db.commit()
    async with sessions() as db:
        ended = emit(db, type="relationship.ended", data={"relationship_id": "r"})
        held = emit(db, type="session.held", data={"session_id": "s"})
        concern = emit(db, type="concern.raised", data={"concern_id": "c"})
        await db.commit()

    heard: list[tuple[UUID, str]] = []

    def only_b_hears_of_sessions(db, client_id: UUID, event: OutboxEvent) -> bool:
        heard.append((client_id, event.type))
        return not (client_id == CLIENT_A and event.type == "relationship.ended")

    async with sessions() as db:
        made = await deliveries.fan_out(db, may_hear=only_b_hears_of_sessions)
        await db.commit()
    assert made == 2
    async with sessions() as db:
        rows = (await db.scalars(select(WebhookDelivery))).all()
        events = {e.id: e for e in (await db.scalars(select(OutboxEvent))).all()}
    assert {(r.event_id, r.endpoint_id) for r in rows} == {
        (ended.id, b.endpoint.id),
        (held.id, b.endpoint.id),
    }
    # The hook is asked only about subscribed, enabled endpoints; client-a was refused.
    assert sorted(heard) == [
        (CLIENT_A, "relationship.ended"),
        (CLIENT_B, "relationship.ended"),
        (CLIENT_B, "session.held"),
    ]
    assert all(e.dispatched_at is not None for e in events.values())  # the concern too
    assert events[concern.id].dispatched_at is not None
    assert all(r.next_attempt_at is not None and r.attempts == 0 for r in rows)

    async with sessions() as db:  # dispatched once: a second sweep makes nothing
        assert await deliveries.fan_out(db, may_hear=deliveries.everyone) == 0


async def test_an_endpoint_hears_only_of_what_happened_after_it_was_made(sessions):
    async with sessions() as db:
        before = emit(db, type="session.held", data={"session_id": "old"})
        before.occurred_at = utcnow() - timedelta(minutes=5)
        await db.commit()
    async with sessions() as db:
        await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url=URL, event_types=["session.held"]
        )
        await db.commit()
    async with sessions() as db:
        after = emit(db, type="session.held", data={"session_id": "new"})
        await db.commit()
    async with sessions() as db:
        assert await deliveries.fan_out(db, may_hear=deliveries.everyone) == 1
        await db.commit()
        (row,) = (await db.scalars(select(WebhookDelivery))).all()
    assert row.event_id == after.id


async def test_an_async_audience_is_awaited_and_nobody_is_the_safe_default(sessions):
    async with sessions() as db:
        await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url=URL, event_types=["session.held"]
        )
        await db.commit()
    async with sessions() as db:
        emit(db, type="session.held", data={"session_id": "s1"})
        await db.commit()
    async with sessions() as db:
        assert await deliveries.fan_out(db, may_hear=deliveries.nobody) == 0
        await db.commit()
    async with sessions() as db:
        emit(db, type="session.held", data={"session_id": "s2"})
        await db.commit()

    async def looks_it_up(db, client_id: UUID, event: OutboxEvent) -> bool:
        return event.data["session_id"] == "s2"

    async with sessions() as db:
        assert await deliveries.fan_out(db, may_hear=looks_it_up) == 1
