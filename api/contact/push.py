"""Web Push: a short, anonymous nudge to a person's devices when a notice is made for them.

Subscriptions come from the browser's PushManager (RFC 8030 endpoint, RFC 8291 keys). A push
is encrypted to the browser (aes128gcm) and signed with the service's VAPID key (RFC 8292) by
pywebpush. It says only that there is something new (no name, no content: phones are shared
and lock screens are public); the app shows the rest once opened.

Endpoints are accepted only on the push services in ``settings.web_push_services``: the server
makes the request, so a subscription naming anywhere else would be a way into our network.
Pushes are sent by the job queue once the notice's transaction has committed
(api/notices/delivery.py, api/tasks/notices.py), each with a short timeout; a subscription
the push service says is gone (404/410) is removed.
"""

import base64
import json
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlsplit
from uuid import UUID

import aiohttp
import structlog
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid, Vapid01
from pywebpush import WebPushException, webpush_async
from sqlalchemy import CursorResult, delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact.models import PushSubscription
from api.contact.notifications import PUSH_DEFAULT, PUSH_TEXT
from api.errors import Invalid, NotFound
from api.notices.delivery import PushDue

log = structlog.get_logger("kindred.push")

TTL_SECONDS = 24 * 60 * 60
TIMEOUT_SECONDS = 5
GIVE_UP_AFTER = 5  # failures in a row before a subscription is dropped


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid(settings: Settings) -> Vapid01 | None:
    """The service's VAPID signing key, or None when push isn't set up."""
    if settings.vapid_private_key is None:
        return None
    key = settings.vapid_private_key.get_secret_value().strip()
    if key.startswith("-----BEGIN"):
        return Vapid.from_pem(key.encode())
    return Vapid.from_string(key)


def public_key(settings: Settings) -> str | None:
    """The applicationServerKey browsers subscribe with: base64url, uncompressed P-256 point."""
    signer = vapid(settings)
    if signer is None:
        return None
    point = signer.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(point)


def _matches(pattern: str, scheme: str, host: str, port: int | None) -> bool:
    parts = urlsplit(pattern)
    if parts.scheme != scheme or (parts.port or None) != port:
        return False
    allowed = (parts.hostname or "").lower()
    if allowed.startswith("*."):
        return host.endswith(allowed[1:])
    return host == allowed


def endpoint_allowed(settings: Settings, endpoint: str) -> bool:
    """Whether `endpoint` is on one of the configured push services."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        return False
    return any(_matches(p, parts.scheme, host, port) for p in settings.web_push_services)


def _check_keys(p256dh: str, auth: str) -> None:
    try:
        point, secret = _unb64(p256dh), _unb64(auth)
    except ValueError:
        point, secret = b"", b""
    if len(point) != 65 or point[0] != 4:
        raise Invalid.field("keys.p256dh", "This isn't a browser's push key (P-256, base64url).")
    if len(secret) != 16:
        raise Invalid.field("keys.auth", "This isn't a browser's push auth secret (16 bytes).")


async def subscribe(
    db: AsyncSession, me: Principal, *, settings: Settings, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Send my notices to this browser (it now belongs to me if someone else used it before)."""
    if not endpoint_allowed(settings, endpoint):
        raise Invalid.field("endpoint", "Push notifications only go through a known push service.")
    _check_keys(p256dh, auth)
    found = await db.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if found is None:
        found = PushSubscription(user_id=me.user_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        db.add(found)
    else:
        found.user_id, found.p256dh, found.auth, found.failures = me.user_id, p256dh, auth, 0
    await db.flush()
    return found


async def mine(db: AsyncSession, me: Principal) -> list[PushSubscription]:
    rows = await db.scalars(
        select(PushSubscription)
        .where(PushSubscription.user_id == me.user_id)
        .order_by(col(PushSubscription.created_at), col(PushSubscription.id))
    )
    return list(rows.all())


async def unsubscribe(db: AsyncSession, me: Principal, *, subscription_id: UUID) -> None:
    """Stop pushes to one of my devices; 404 for anyone else's."""
    result = cast(
        CursorResult[Any],
        await db.execute(
            delete(PushSubscription).where(
                col(PushSubscription.id) == subscription_id,
                col(PushSubscription.user_id) == me.user_id,
            )
        ),
    )
    if result.rowcount != 1:
        raise NotFound("No such push subscription.")


def payload(settings: Settings, kind: str) -> str:
    """What a push carries (encrypted to the browser): a title, a line, where to go."""
    body = PUSH_TEXT.get(kind, PUSH_DEFAULT)
    return json.dumps({"title": settings.service_name, "body": body, "url": "/notices"})


async def _send(
    http: aiohttp.ClientSession,
    signer: Vapid01,
    settings: Settings,
    sub: PushSubscription,
    kind: str,
) -> int | None:
    """Send one push; the push service's status, or None if it couldn't be reached."""
    try:
        response = await webpush_async(
            {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            data=payload(settings, kind),
            vapid_private_key=signer,
            vapid_claims={"sub": settings.vapid_subject},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
            headers={"Urgency": "normal"},
            aiohttp_session=http,
        )
    except WebPushException as exc:
        return exc.status_code
    except (aiohttp.ClientError, TimeoutError):
        return None
    return getattr(response, "status", None)


async def deliver(
    sessionmaker: async_sessionmaker[AsyncSession], *, settings: Settings, items: Sequence[PushDue]
) -> int:
    """Push once to every device of each person owed one (after the commit); pushes sent."""
    signer = vapid(settings)
    if signer is None or not items:
        return 0
    latest = {item.user_id: item.kind for item in items}
    sent = 0
    async with sessionmaker() as db, aiohttp.ClientSession() as http:
        subscriptions = await db.scalars(
            select(PushSubscription).where(col(PushSubscription.user_id).in_(latest))
        )
        for sub in subscriptions.all():
            status = await _send(http, signer, settings, sub, latest[sub.user_id])
            ok = status is not None and 200 <= status < 300
            log.info("push", subscription=str(sub.id), status=status)
            if status in (404, 410):
                await db.execute(delete(PushSubscription).where(col(PushSubscription.id) == sub.id))
            elif ok:
                sent += 1
                await db.execute(
                    update(PushSubscription)
                    .where(col(PushSubscription.id) == sub.id)
                    .values(last_sent_at=utcnow(), failures=0)
                )
            elif sub.failures + 1 >= GIVE_UP_AFTER:
                await db.execute(delete(PushSubscription).where(col(PushSubscription.id) == sub.id))
            else:
                await db.execute(
                    update(PushSubscription)
                    .where(col(PushSubscription.id) == sub.id)
                    .values(failures=PushSubscription.failures + 1)
                )
        await db.commit()
    return sent
