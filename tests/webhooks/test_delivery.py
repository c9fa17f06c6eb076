"""Webhooks end to end: an event committed with its change reaches a receiver on 127.0.0.1
through the real worker, signed as Standard Webhooks says; failures are retried on the
schedule with the same webhook-id; 410 and Retry-After are honoured; a rollback sends nothing."""

import itertools
import json
from uuid import UUID

from sqlalchemy import select

from api.outbox.service import emit
from api.paging import Window
from api.webhooks import deliveries, endpoints
from api.webhooks.health import GIVEN_UP, GONE
from api.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.conftest import CLIENT_A, running, until
from tests.webhooks.receiver import Answer


async def _endpoint(sessions, url: str, types=("relationship.ended",), client=CLIENT_A):
    async with sessions() as db:
        made = await endpoints.create_endpoint(
            db, client_id=client, url=url, event_types=list(types)
        )
        await db.commit()
    return made


async def _emit(sessions, type_: str = "relationship.ended", **data) -> str:
    async with sessions() as db:
        event = emit(db, type=type_, data={"relationship_id": "r-1", **data})
        await db.commit()
    return event.id


async def _delivery(sessions, event_id: str) -> WebhookDelivery:
    found = await _maybe_delivery(sessions, event_id)
    assert found is not None
    return found


async def _maybe_delivery(sessions, event_id: str) -> WebhookDelivery | None:
    async with sessions() as db:
        return (
            await db.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event_id))
        ).first()


async def test_an_event_reaches_its_subscribers_signed_thin_and_once(
    sessions, hook_settings, receiver
):
    hears = await _endpoint(sessions, receiver.script("/a"))
    other_type = await _endpoint(sessions, receiver.script("/b"), types=["session.held"])
    async with running(hook_settings, sessions):
        event_id = await _emit(sessions, state="ended", end_kind="completed")
        await until(lambda: len(receiver.at("/a")) == 1)
        late = await _endpoint(sessions, receiver.script("/late"))  # after the event
        await until(lambda: _delivered(sessions, event_id))
    (arrival,) = receiver.at("/a")
    assert arrival.webhook_id == event_id and event_id.startswith("msg_")
    assert arrival.headers["webhook-signature"].startswith("v1,")
    assert arrival.headers["content-type"] == "application/json"
    body = arrival.verified(hears.secret)  # the reference library's own check
    assert body["type"] == "relationship.ended" and body["timestamp"].endswith("Z")
    assert body["data"] == {"relationship_id": "r-1", "state": "ended", "end_kind": "completed"}
    assert set(body) == {"type", "timestamp", "data"}  # never about_users
    assert receiver.at("/b") == [] and receiver.at("/late") == []
    assert other_type.endpoint.id != late.endpoint.id
    delivery = await _delivery(sessions, event_id)
    assert delivery.attempts == 1 and delivery.last_status_code == 204
    assert delivery.next_attempt_at is None and delivery.failed_at is None


async def _delivered(sessions, event_id: str) -> bool:
    found = await _maybe_delivery(sessions, event_id)
    return found is not None and found.delivered_at is not None


async def test_a_receiver_failing_twice_gets_the_same_webhook_id_three_times(
    sessions, hook_settings, receiver
):
    made = await _endpoint(
        sessions, receiver.script("/flaky", Answer(500), Answer(502), Answer(200))
    )
    async with running(hook_settings, sessions):
        event_id = await _emit(sessions)
        await until(lambda: _delivered(sessions, event_id))
    arrivals = receiver.at("/flaky")
    assert [a.webhook_id for a in arrivals] == [event_id] * 3
    assert all(a.verified(made.secret)["type"] == "relationship.ended" for a in arrivals)
    # The bodies are identical; each attempt is signed at its own time.
    assert len({a.body for a in arrivals}) == 1
    gaps = [b.at - a.at for a, b in itertools.pairwise(arrivals)]
    assert all(gap >= 0.25 for gap in gaps), gaps  # the (shortened) schedule: 0.3 s
    delivery = await _delivery(sessions, event_id)
    assert delivery.attempts == 3 and delivery.step == 2 and delivery.last_status_code == 200
    assert delivery.last_error is None


async def test_a_410_disables_the_endpoint_at_once_and_nothing_more_is_sent(
    sessions, hook_settings, receiver
):
    gone = await _endpoint(sessions, receiver.script("/gone", Answer(410)))
    waiting = {await _emit(sessions), await _emit(sessions)}
    async with running(hook_settings, sessions, concurrency=1):
        await until(lambda: _disabled(sessions, gone.endpoint.id))
        kept = await _endpoint(sessions, receiver.script("/kept"))
        later = await _emit(sessions)
        await until(lambda: len(receiver.at("/kept")) == 1)
    (answered,) = receiver.at("/gone")  # one attempt, then no more
    assert answered.webhook_id in waiting and receiver.at("/kept")[0].webhook_id == later
    async with sessions() as db:
        endpoint = await db.get(WebhookEndpoint, gone.endpoint.id)
        assert endpoint is not None and endpoint.disabled_reason == GONE
        assert endpoint.client_told_at is not None  # the sweep told the client
        rows = (await db.scalars(select(WebhookDelivery))).all()
    theirs = {r.event_id: r for r in rows if r.endpoint_id == gone.endpoint.id}
    assert set(theirs) == waiting  # the later event was never meant for a disabled endpoint
    sent, other = theirs[answered.webhook_id], theirs[(waiting - {answered.webhook_id}).pop()]
    assert sent.last_status_code == 410 and sent.last_error == "HTTP 410" and sent.attempts == 1
    assert other.attempts == 0 and other.last_error == GIVEN_UP  # given up with the endpoint
    assert (
        sent.failed_at and other.failed_at and not (sent.next_attempt_at or other.next_attempt_at)
    )
    assert kept.endpoint.enabled


async def _disabled(sessions, endpoint_id) -> bool:
    async with sessions() as db:
        endpoint = await db.get(WebhookEndpoint, endpoint_id)
        return endpoint is not None and not endpoint.enabled


async def test_retry_after_is_honoured_on_429_and_503(sessions, hook_settings, receiver):
    await _endpoint(
        sessions,
        receiver.script(
            "/busy",
            Answer(429, {"Retry-After": "2"}),
            Answer(503, {"Retry-After": "1"}),
            Answer(200),
        ),
    )
    async with running(hook_settings, sessions):
        event_id = await _emit(sessions)
        await until(lambda: _delivered(sessions, event_id))
    first, second, third = receiver.at("/busy")
    assert second.at - first.at >= 1.9  # asked for 2 s; the schedule said 0.3 s
    assert third.at - second.at >= 0.9
    assert {first.webhook_id, second.webhook_id, third.webhook_id} == {event_id}


async def test_an_endpoint_failing_for_too_long_is_disabled_and_its_client_told(
    sessions, hook_settings, receiver
):
    settings = hook_settings.model_copy(
        update={"webhook_disable_after_seconds": 0.5, "webhook_retry_schedule": [0] + [0.3] * 9}
    )
    broken = await _endpoint(sessions, receiver.script("/broken", Answer(500)))
    told: list[UUID] = []

    async def tell(endpoint: WebhookEndpoint) -> None:
        told.append(endpoint.client_id)

    async with running(settings, sessions, tell=tell):
        event_id = await _emit(sessions)
        await until(lambda: _disabled(sessions, broken.endpoint.id))
        await until(lambda: told == [CLIENT_A])
        await _emit(sessions)
        waited = len(receiver.at("/broken"))
        await until(lambda: _all_dispatched(sessions))
    assert 2 <= waited <= 4 and len(receiver.at("/broken")) == waited
    assert told == [CLIENT_A]  # once
    async with sessions() as db:
        endpoint = await db.get(WebhookEndpoint, broken.endpoint.id)
        assert endpoint is not None and "No delivery has succeeded" in str(endpoint.disabled_reason)
    delivery = await _delivery(sessions, event_id)
    assert delivery.failed_at is not None and delivery.next_attempt_at is None
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"


async def _all_dispatched(sessions) -> bool:
    from api.outbox.models import OutboxEvent

    async with sessions() as db:
        pending = await db.scalars(select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)))
        return pending.first() is None


async def test_a_failed_delivery_is_sent_again_on_request_with_the_same_webhook_id(
    sessions, hook_settings, receiver
):
    settings = hook_settings.model_copy(update={"webhook_retry_schedule": [0]})
    made = await _endpoint(sessions, receiver.script("/later", Answer(500), Answer(200)))
    async with running(settings, sessions):
        event_id = await _emit(sessions)
        await until(lambda: _failed(sessions, event_id))
        delivery = await _delivery(sessions, event_id)
        async with sessions() as db:
            log = await deliveries.list_deliveries(
                db, client_id=CLIENT_A, endpoint_id=made.endpoint.id, window=Window()
            )
            assert [(e.event_type, e.status) for e in log.items] == [
                ("relationship.ended", "failed")
            ]
            again = await deliveries.redeliver(db, client_id=CLIENT_A, delivery_id=delivery.id)
            assert deliveries.status_of(again) == "pending"
            await db.commit()
        await until(lambda: _delivered(sessions, event_id))
    assert [a.webhook_id for a in receiver.at("/later")] == [event_id, event_id]
    done = await _delivery(sessions, event_id)
    assert done.attempts == 2 and done.failed_at is None


async def _failed(sessions, event_id: str) -> bool:
    found = await _maybe_delivery(sessions, event_id)
    return found is not None and found.failed_at is not None


async def test_a_rolled_back_change_sends_nothing(sessions, hook_settings, receiver):
    await _endpoint(sessions, receiver.script("/a"))
    async with running(hook_settings, sessions):
        async with sessions() as db:
            emit(db, type="relationship.ended", data={"relationship_id": "undone"})
            await db.rollback()
        kept = await _emit(sessions, state="ended")
        await until(lambda: len(receiver.at("/a")) == 1)
    (arrival,) = receiver.at("/a")
    assert arrival.webhook_id == kept
    assert json.loads(arrival.body)["data"]["relationship_id"] == "r-1"
    async with sessions() as db:
        assert len((await db.scalars(select(WebhookDelivery))).all()) == 1
