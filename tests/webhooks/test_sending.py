"""One attempt, step by step, against a receiver on 127.0.0.1: each attempt is claimed once,
redirects are never followed, addresses outside http(s) and the public internet are refused,
and both signatures are sent while a rotated secret overlaps the new one."""

from sqlalchemy import select

from api.outbox.service import emit
from api.webhooks import deliveries, endpoints, sending
from api.webhooks.addresses import refusal
from api.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.conftest import CLIENT_A
from tests.webhooks.receiver import Answer


async def _one_delivery(sessions, url: str) -> tuple[WebhookDelivery, str]:
    async with sessions() as db:
        made = await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url=url, event_types=["session.held"]
        )
        emit(db, type="session.held", data={"session_id": "s"})
        await db.commit()
    async with sessions() as db:
        await deliveries.fan_out(db, may_hear=deliveries.everyone)
        await db.commit()
        delivery = (await db.scalars(select(WebhookDelivery))).one()
    return delivery, made.secret


async def test_an_attempt_is_claimed_once_and_a_stale_result_is_ignored(
    sessions, hook_settings, receiver
):
    delivery, _ = await _one_delivery(sessions, receiver.script("/once"))
    async with sessions() as db:
        first = await sending.claim(db, delivery_id=delivery.id, settings=hook_settings)
        await db.commit()
    async with sessions() as db:
        second = await sending.claim(db, delivery_id=delivery.id, settings=hook_settings)
        await db.commit()
    assert first is not None and first.attempt == 1 and second is None
    async with sessions() as db:
        stale = sending.Claim(**{**first.__dict__, "attempt": 0})
        ignored = await sending.record(
            db, claimed=stale, outcome=sending.Outcome(500, "HTTP 500"), settings=hook_settings
        )
        assert ignored is None
        async with _client(hook_settings) as client:
            outcome = await sending.send(first, client=client, settings=hook_settings)
        assert outcome.delivered and outcome.status_code == 204
        await sending.record(db, claimed=first, outcome=outcome, settings=hook_settings)
        await db.commit()
        row = await db.get(WebhookDelivery, delivery.id)
    assert row is not None and row.delivered_at is not None and row.last_error is None
    assert len(receiver.at("/once")) == 1


def _client(settings):
    return sending.http_client(settings)


async def test_a_redirect_is_never_followed(sessions, hook_settings, receiver):
    target = receiver.script("/elsewhere")
    delivery, _ = await _one_delivery(
        sessions, receiver.script("/moved", Answer(307, {"Location": target}))
    )
    async with sessions() as db:
        claimed = await sending.claim(db, delivery_id=delivery.id, settings=hook_settings)
        await db.commit()
    assert claimed is not None
    async with _client(hook_settings) as client:
        outcome = await sending.send(claimed, client=client, settings=hook_settings)
    assert outcome.status_code == 307 and not outcome.delivered
    assert outcome.error == "HTTP 307: redirects are not followed"
    assert len(receiver.at("/moved")) == 1 and receiver.at("/elsewhere") == []
    async with sessions() as db:
        next_at = await sending.record(db, claimed=claimed, outcome=outcome, settings=hook_settings)
        await db.commit()
    assert next_at is not None  # an ordinary failure: tried again on the schedule


async def test_private_and_non_http_addresses_are_refused_before_sending(sessions, settings):
    assert await refusal("ftp://example.org/x", allow_private=True) == (
        "refused: not an http(s) URL"
    )
    refused = "refused: the host name resolves to a private address"
    assert await refusal("http://localhost:9/x", allow_private=False) == refused
    assert await refusal("http://127.0.0.1:9/x", allow_private=False) == refused
    assert await refusal("http://127.0.0.1:9/x", allow_private=True) is None


async def test_both_signatures_are_sent_while_a_rotated_secret_overlaps(
    sessions, hook_settings, receiver
):
    delivery, old = await _one_delivery(sessions, receiver.script("/rotating"))
    async with sessions() as db:
        endpoint = await db.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        new = await endpoints.rotate_secret(db, client_id=CLIENT_A, endpoint_id=endpoint.id)
        claimed = await sending.claim(db, delivery_id=delivery.id, settings=hook_settings)
        await db.commit()
    assert claimed is not None
    async with _client(hook_settings) as client:
        assert (await sending.send(claimed, client=client, settings=hook_settings)).delivered
    (arrival,) = receiver.at("/rotating")
    signatures = arrival.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    # A receiver holding either secret verifies the same request.
    assert arrival.verified(old) == arrival.verified(new.secret)
