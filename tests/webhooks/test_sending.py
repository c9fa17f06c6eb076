"""One attempt, step by step, against a receiver on 127.0.0.1: each attempt is claimed once,
redirects are never followed, addresses outside http(s) and the public internet are refused,
and both signatures are sent while a rotated secret overlaps the new one."""

import asyncio
import socket

from sqlalchemy import select

from api.outbox.service import emit
from api.webhooks import deliveries, endpoints, sending
from api.webhooks.addresses import Destination, destination
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
    assert await destination("ftp://example.org/x", allow_private=True) == (
        "refused: not an http(s) URL"
    )
    assert await destination("http://localhost:9/x", allow_private=False) == (
        "refused: the host name resolves to a private address"
    )
    assert await destination("http://127.0.0.1:9/x", allow_private=False) == (
        "refused: the address isn't on the public internet"
    )
    assert await destination("http://127.0.0.1:9/x", allow_private=True) == Destination(
        "http://127.0.0.1:9/x"
    )


async def test_the_address_checked_is_the_address_called(monkeypatch):
    """DNS rebinding: a name may answer a public address to the check and a private one a
    moment later. The attempt connects to the address that was checked, addressed to the
    endpoint's host (Host header, TLS server name)."""
    answers = {
        "hooks.example.org": ["93.184.216.34"],
        "rebind.example.org": ["93.184.216.34", "10.0.0.7"],
    }

    async def resolve(host, port, **_):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolve)
    to = await destination("https://hooks.example.org/kindred?x=1", allow_private=False)
    assert to == Destination(
        url="https://93.184.216.34/kindred?x=1",
        headers={"Host": "hooks.example.org"},
        sni_hostname="hooks.example.org",
    )
    with_port = await destination("http://hooks.example.org:8443/k", allow_private=False)
    assert isinstance(with_port, Destination)
    assert with_port.url == "http://93.184.216.34:8443/k" and with_port.sni_hostname is None
    assert with_port.headers == {"Host": "hooks.example.org:8443"}
    # Any private answer among the addresses refuses the attempt.
    assert await destination("https://rebind.example.org/k", allow_private=False) == (
        "refused: the host name resolves to a private address"
    )


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
