"""One attempt at one delivery: claim it, send it, record how it went.

Each attempt is a job on the queue, and the three steps are separate so that no transaction
stays open while a receiver takes its time:

1. ``claim`` (its own transaction): the delivery's row is locked (``SELECT … FOR UPDATE SKIP
   LOCKED`` on PostgreSQL) and claimed with a conditional update that moves its next attempt
   a lease ahead. Of several workers handed the same delivery, exactly one claims each
   attempt; if that worker dies, the lease runs out and the queue's sweep tries again
   (at least once overall, every time with the same ``webhook-id``).
2. ``send`` (no database): a signed POST with a short timeout, never following a redirect,
   never to a private address (the address checked is the one called); the receiver's body
   is not read.
3. ``record`` (its own transaction): delivered; or the next attempt on Standard Webhooks'
   schedule (a ``Retry-After`` on 429 and 503 is honoured when it asks for longer); or given
   up after the last; ``410 Gone`` disables the endpoint (``health``).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from uuid import UUID

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.config import Settings
from api.outbox.models import OutboxEvent
from api.webhooks import health, signing
from api.webhooks.addresses import destination
from api.webhooks.endpoints import signing_secrets
from api.webhooks.models import WebhookDelivery, WebhookEndpoint

# A receiver's Retry-After is honoured up to a day.
LONGEST_RETRY_AFTER = 24 * 3600.0
LEASE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class Claim:
    """An attempt this worker now owns, with everything needed to send it."""

    delivery_id: UUID
    attempt: int
    step: int
    url: str
    msg_id: str
    body: str
    secrets: list[str]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None = None
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def payload(event: OutboxEvent) -> str:
    """The body: thin (type, when, ids and states), the same on every attempt."""
    when = event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps(
        {"type": event.type, "timestamp": when, "data": event.data}, separators=(",", ":")
    )


def http_client(settings: Settings) -> httpx.AsyncClient:
    """The client every attempt uses: a short timeout, redirects never followed."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        follow_redirects=False,
        trust_env=False,
    )


async def claim(
    db: AsyncSession, *, delivery_id: UUID, settings: Settings, now: datetime | None = None
) -> Claim | None:
    """Take the attempt that is due, or None if it isn't due or another worker has it."""
    now = now or utcnow()
    if db.get_bind().dialect.name == "postgresql":
        locked = await db.scalar(
            select(WebhookDelivery.id)
            .where(col(WebhookDelivery.id) == delivery_id)
            .with_for_update(skip_locked=True)
        )
        if locked is None:
            return None  # another worker is claiming it this very moment
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds) + LEASE_MARGIN
    claimed = await db.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=lease, last_attempt_at=now)
        .returning(
            col(WebhookDelivery.attempts),
            col(WebhookDelivery.step),
            col(WebhookDelivery.endpoint_id),
            col(WebhookDelivery.event_id),
        )
        .execution_options(synchronize_session=False)
    )
    row = claimed.first()
    if row is None:
        return None
    attempt, step, endpoint_id, event_id = row
    endpoint = await db.get(WebhookEndpoint, endpoint_id)
    event = await db.get(OutboxEvent, event_id)
    if endpoint is None or event is None or not endpoint.enabled:
        return None
    return Claim(
        delivery_id=delivery_id,
        attempt=attempt,
        step=step,
        url=endpoint.url,
        msg_id=event.id,
        body=payload(event),
        secrets=await signing_secrets(db, endpoint_id=endpoint_id, now=now),
    )


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) in seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


async def send(claimed: Claim, *, client: httpx.AsyncClient, settings: Settings) -> Outcome:
    """POST the signed event; what came back (the receiver's body is never read)."""
    to = await destination(claimed.url, allow_private=settings.webhook_allow_private_addresses)
    if isinstance(to, str):
        return Outcome(status_code=None, error=to)
    if not claimed.secrets:
        return Outcome(status_code=None, error="no signing secret")
    at = utcnow()
    headers = signing.headers(claimed.secrets, msg_id=claimed.msg_id, at=at, body=claimed.body)
    try:
        async with client.stream(
            "POST",
            to.url,
            content=claimed.body.encode(),
            headers={**headers, **to.headers},
            extensions={"sni_hostname": to.sni_hostname} if to.sni_hostname else {},
        ) as response:
            code = response.status_code
            wait = None
            if code in (429, 503):
                wait = retry_after_seconds(response.headers.get("retry-after"), now=utcnow())
    except httpx.TimeoutException:
        return Outcome(status_code=None, error="timed out")
    except httpx.ConnectError:
        return Outcome(status_code=None, error="could not connect")
    except httpx.HTTPError as exc:
        return Outcome(status_code=None, error=f"request failed ({type(exc).__name__})")
    if 300 <= code < 400:
        return Outcome(status_code=code, error=f"HTTP {code}: redirects are not followed")
    return Outcome(
        status_code=code, error=None if 200 <= code < 300 else f"HTTP {code}", retry_after=wait
    )


async def record(
    db: AsyncSession,
    *,
    claimed: Claim,
    outcome: Outcome,
    settings: Settings,
    now: datetime | None = None,
) -> datetime | None:
    """Write down how the attempt went; when the next one is due (None: no more)."""
    now = now or utcnow()
    delivery = await db.scalar(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.id) == claimed.delivery_id)
        .with_for_update()
    )
    if delivery is None or delivery.attempts != claimed.attempt:
        return None  # deleted, or the lease ran out and a later attempt owns it now
    endpoint = await db.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        return None
    if outcome.delivered:
        delivery.last_status_code, delivery.last_error = outcome.status_code, None
        delivery.delivered_at, delivery.failed_at, delivery.next_attempt_at = now, None, None
        health.attempt_succeeded(endpoint)
        return None
    # First the endpoint's health: disabling it gives up its waiting deliveries, this one too.
    disabled = await health.attempt_failed(
        db,
        endpoint=endpoint,
        status_code=outcome.status_code,
        now=now,
        disable_after=timedelta(seconds=settings.webhook_disable_after_seconds),
    )
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
    schedule = settings.webhook_retry_schedule
    step = delivery.step + 1
    if disabled or step >= len(schedule):
        delivery.next_attempt_at, delivery.failed_at = None, now
        return None
    delay = schedule[step]
    if outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, LONGEST_RETRY_AFTER))
    delivery.step, delivery.next_attempt_at = step, now + timedelta(seconds=delay)
    return delivery.next_attempt_at
