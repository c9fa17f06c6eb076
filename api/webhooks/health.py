"""Endpoints that stop working: disabled, with a reason the integrator is shown, and told.

An endpoint is disabled
- at once when it answers ``410 Gone`` (the receiver says it is gone for good), or
- when it has taken no delivery for ``webhook_disable_after_seconds`` (five days by default)
  while attempts to it kept failing: ``failing_since`` is the first failure after the last
  success, cleared by the next success.
Deliveries still waiting for it are given up (failed), so nothing piles up; once it is
enabled again the integrator can send any of them again from the delivery log.

Telling the client is the caller's part (``tell_clients`` with a function that reaches
them); the queue's sweep calls it, and each disabled endpoint is told about once.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.webhooks.models import WebhookDelivery, WebhookEndpoint

log = structlog.get_logger("kindred.webhooks")

GONE = "The endpoint answered 410 Gone, which means it no longer accepts webhooks."
GIVEN_UP = "given up: the endpoint was disabled"
BY_THE_CLIENT = "Disabled by you."


def failing_for_too_long(days: float) -> str:
    days_text = f"{days:g} day" + ("" if days == 1 else "s")
    return f"No delivery has succeeded for {days_text}; every attempt failed."


async def disable(
    db: AsyncSession, *, endpoint: WebhookEndpoint, reason: str, now: datetime
) -> None:
    """Disable the endpoint with a reason and give up its waiting deliveries."""
    endpoint.enabled = False
    endpoint.disabled_reason, endpoint.disabled_at, endpoint.client_told_at = reason, now, None
    endpoint.updated_at = now
    await db.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.endpoint_id) == endpoint.id,
            col(WebhookDelivery.next_attempt_at).is_not(None),
        )
        .values(next_attempt_at=None, failed_at=now, last_error=GIVEN_UP)
    )
    log.warning(
        "webhook_endpoint_disabled", endpoint_id=str(endpoint.id), client_id=str(endpoint.client_id)
    )


def attempt_succeeded(endpoint: WebhookEndpoint) -> None:
    endpoint.failing_since = None


async def attempt_failed(
    db: AsyncSession,
    *,
    endpoint: WebhookEndpoint,
    status_code: int | None,
    now: datetime,
    disable_after: timedelta,
) -> bool:
    """Count a failed attempt against the endpoint; True when it is now disabled."""
    if not endpoint.enabled:
        return False
    if status_code == 410:
        await disable(db, endpoint=endpoint, reason=GONE, now=now)
        return True
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if now - endpoint.failing_since >= disable_after:
        days = disable_after.total_seconds() / 86400
        await disable(db, endpoint=endpoint, reason=failing_for_too_long(days), now=now)
        return True
    return False


Tell = Callable[[WebhookEndpoint], Awaitable[None]]


async def log_only(endpoint: WebhookEndpoint) -> None:
    """Until integrators have a way to be reached, the disabling is logged (no personal data)."""
    log.warning(
        "webhook_endpoint_disabled_client_to_tell",
        endpoint_id=str(endpoint.id),
        client_id=str(endpoint.client_id),
    )


async def tell_clients(db: AsyncSession, *, tell: Tell, now: datetime) -> int:
    """Tell each client whose endpoint Kindred disabled (once); how many were told."""
    found = await db.scalars(
        select(WebhookEndpoint)
        .where(
            col(WebhookEndpoint.enabled).is_(False),
            col(WebhookEndpoint.client_told_at).is_(None),
        )
        .with_for_update(skip_locked=True)
    )
    told = 0
    for endpoint in found.all():
        await tell(endpoint)
        endpoint.client_told_at = now
        told += 1
    return told


async def disabled_by_kindred(
    db: AsyncSession, *, client_ids: list[UUID]
) -> dict[UUID, list[WebhookEndpoint]]:
    """Each client's endpoints that Kindred disabled (not those the client turned off),
    most recent first: what the console's Integrations page shows administrators."""
    if not client_ids:
        return {}
    found = await db.scalars(
        select(WebhookEndpoint)
        .where(
            col(WebhookEndpoint.client_id).in_(client_ids),
            col(WebhookEndpoint.enabled).is_(False),
            col(WebhookEndpoint.disabled_reason) != BY_THE_CLIENT,
        )
        .order_by(col(WebhookEndpoint.disabled_at).desc())
    )
    by_client: dict[UUID, list[WebhookEndpoint]] = {}
    for endpoint in found.all():
        by_client.setdefault(endpoint.client_id, []).append(endpoint)
    return by_client
