"""Web Push as far as it can be tested here: subscriptions kept (only on known push services),
a payload encrypted to the browser and signed with a locally made VAPID key, sent to a fake
push service on 127.0.0.1 that decrypts it and checks the signature. Never the internet."""

import base64
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import time

import http_ece
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pydantic import SecretStr
from sqlalchemy import func, select

from api.contact import push
from api.contact.models import PushSubscription
from api.notices.delivery import PushDue
from api.tasks.notices import deliver_due
from tests.contact.helpers import contact_pair, next_weekday


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakePushService:
    """A push service on 127.0.0.1: keeps what it receives, answers `status`."""

    url: str
    received: list[dict] = field(default_factory=list)
    status: int = 201


@dataclass
class Browser:
    """A browser's push keys, as PushManager.subscribe() makes them."""

    key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> "Browser":
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)

    def subscription(self, endpoint: str) -> dict:
        return {
            "endpoint": endpoint,
            "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)},
            "expirationTime": None,
        }

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


@pytest.fixture
async def push_service() -> AsyncIterator[FakePushService]:
    service = FakePushService(url="")

    async def receive(request: web.Request) -> web.Response:
        service.received.append(
            {
                "path": request.path,
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "body": await request.read(),
            }
        )
        return web.Response(status=service.status)

    app = web.Application()
    app.router.add_post("/push/{device}", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    service.url = f"http://127.0.0.1:{port}"
    try:
        yield service
    finally:
        await runner.cleanup()


@pytest.fixture
def vapid_key() -> Vapid:
    key = Vapid()
    key.generate_keys()
    return key


@pytest.fixture
def push_on(settings, monkeypatch, vapid_key, push_service):
    """The app's settings with a VAPID key and the fake push service allowed."""
    pem = vapid_key.private_pem().decode()
    monkeypatch.setattr(settings, "vapid_private_key", SecretStr(pem))
    monkeypatch.setattr(settings, "web_push_services", [push_service.url])
    return settings


def verify_vapid(headers: dict, vapid_key: Vapid, service: FakePushService, subject: str) -> None:
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    public = vapid_key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert unb64(fields["k"]) == public
    claims = jwt.decode(
        fields["t"], vapid_key.public_key, algorithms=["ES256"], audience=service.url
    )
    assert claims["sub"] == subject and claims["exp"] > 0


async def test_the_public_key_is_the_vapid_key_and_404_without_one(client, push_on, vapid_key):
    answer = await client.get("/api/v1/push/public-key")
    assert answer.status_code == 200
    key = unb64(answer.json()["public_key"])
    assert len(key) == 65 and key[0] == 4
    assert key == vapid_key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


async def test_without_a_vapid_key_push_is_off(client, settings):
    assert settings.vapid_private_key is None
    assert (await client.get("/api/v1/push/public-key")).status_code == 404


async def test_subscriptions_only_on_known_push_services(client, db, settings):
    pair = await contact_pair(client, db, settings)
    browser = Browser.new()
    url = "/api/v1/me/push-subscriptions"
    for endpoint in (
        "http://127.0.0.1:9/push/x",  # our own network
        "http://169.254.169.254/latest/meta-data",
        "https://fcm.googleapis.com.evil.example/x",
        "https://user:pw@fcm.googleapis.com/x",
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "not a url",
    ):
        refused = await client.post(
            url, json=browser.subscription(endpoint), headers=pair.seeker.headers
        )
        assert refused.status_code == 422, endpoint
        assert refused.json()["errors"][0]["field"] == "endpoint"
    endpoint = "https://fcm.googleapis.com/fcm/send/abc123"
    bad_keys = browser.subscription(endpoint)
    bad_keys["keys"]["p256dh"] = b64(b"\x04" + b"0" * 10)
    assert (await client.post(url, json=bad_keys, headers=pair.seeker.headers)).status_code == 422
    made = await client.post(url, json=browser.subscription(endpoint), headers=pair.seeker.headers)
    assert made.status_code == 201, made.text
    assert made.json()["service"] == "fcm.googleapis.com" and "abc123" not in made.text
    mozilla = "https://updates.push.services.mozilla.com/wpush/v2/xyz"
    also = await client.post(url, json=browser.subscription(mozilla), headers=pair.seeker.headers)
    assert also.status_code == 201
    listed = await client.get(url, headers=pair.seeker.headers)
    assert len(listed.json()) == 2
    # The same browser, now used by Bob, is Bob's (one row per endpoint).
    mine = await client.post(
        url, json=browser.subscription(endpoint), headers=pair.supporter.headers
    )
    assert mine.status_code == 201
    assert len((await client.get(url, headers=pair.seeker.headers)).json()["data"]) == 1
    # Nobody removes anyone else's.
    sid = mine.json()["id"]
    assert (await client.delete(f"{url}/{sid}", headers=pair.seeker.headers)).status_code == 404
    assert (await client.delete(f"{url}/{sid}", headers=pair.supporter.headers)).status_code == 204


async def test_a_notice_pushes_an_anonymous_signed_encrypted_nudge(
    client, db, app, push_on, push_service, vapid_key
):
    settings = push_on
    pair = await contact_pair(client, db, settings)
    browser = Browser.new()
    endpoint = f"{push_service.url}/push/bob-phone"
    made = await client.post(
        "/api/v1/me/push-subscriptions",
        json=browser.subscription(endpoint),
        headers=pair.supporter.headers,
    )
    assert made.status_code == 201, made.text

    # Sam proposes a session: Bob's phone gets a push from the job queue's next sweep (the
    # one pipeline), once however often it sweeps.
    start = next_weekday(1, time(19), "Europe/London").isoformat()
    proposed = await client.post(
        f"{pair.base}/sessions",
        json={"start_at": start, "channel": "video"},
        headers=pair.seeker.headers,
    )
    assert proposed.status_code == 201
    assert push_service.received == []  # never in the request itself
    assert (await deliver_due(app.state.sessionmaker, settings=settings))[0] == 1
    assert (await deliver_due(app.state.sessionmaker, settings=settings))[0] == 0
    assert len(push_service.received) == 1
    sent = push_service.received[0]
    assert sent["path"] == "/push/bob-phone"
    assert sent["headers"]["content-encoding"] == "aes128gcm"
    assert int(sent["headers"]["ttl"]) == push.TTL_SECONDS
    verify_vapid(sent["headers"], vapid_key, push_service, settings.vapid_subject)
    assert b"session" not in sent["body"]  # encrypted
    payload = browser.decrypt(sent["body"])
    assert payload == {
        "title": settings.service_name,
        "body": "A session is waiting for your answer.",
        "url": "/notices",
    }
    assert "Sam" not in json.dumps(payload)
    # Sam did it: Sam's own devices (none here) would not be pushed; Bob's were, once.
    db.expire_all()
    stored = await db.scalar(select(PushSubscription))
    assert stored.last_sent_at is not None and stored.failures == 0


async def test_a_subscription_the_push_service_says_is_gone_is_removed(
    db, push_on, push_service, client, app
):
    settings = push_on
    pair = await contact_pair(client, db, settings)
    browser = Browser.new()
    sub = await push.subscribe(
        db,
        _principal(pair.supporter),
        settings=settings,
        endpoint=f"{push_service.url}/push/old-phone",
        p256dh=browser.p256dh,
        auth=b64(browser.auth),
    )
    await db.commit()
    sub_id = sub.id
    push_service.status = 500
    items = [PushDue(pair.supporter.id, "message_delivered")]
    assert await push.deliver(app.state.sessionmaker, settings=settings, items=items) == 0
    db.expire_all()
    assert (await db.get(PushSubscription, sub_id)).failures == 1
    payload = browser.decrypt(push_service.received[0]["body"])
    assert payload["body"] == "You have a new message."
    push_service.status = 410
    assert await push.deliver(app.state.sessionmaker, settings=settings, items=items) == 0
    db.expire_all()
    assert await db.scalar(select(func.count()).select_from(PushSubscription)) == 0


async def test_an_unreachable_push_service_doesnt_break_anything(db, push_on, client, app):
    settings = push_on
    pair = await contact_pair(client, db, settings)
    browser = Browser.new()
    # Allowed by the settings, but nothing listens there.
    settings.web_push_services.append("http://127.0.0.1:9")
    await push.subscribe(
        db,
        _principal(pair.seeker),
        settings=settings,
        endpoint="http://127.0.0.1:9/push/x",
        p256dh=browser.p256dh,
        auth=b64(browser.auth),
    )
    await db.commit()
    items = [PushDue(pair.seeker.id, "session_confirmed")]
    assert await push.deliver(app.state.sessionmaker, settings=settings, items=items) == 0


def _principal(person):
    from tests.contact.helpers import principal

    return principal(person)
