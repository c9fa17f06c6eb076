"""An integrator's webhook endpoints: create, list, change, delete, rotate the secret.

Every function takes the ``client_id`` of the integrator asking and only ever reaches that
client's endpoints (another client's is "not found"). Routes check the ``webhooks:manage``
scope before calling these.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.common import utcnow
from api.db import settings_of
from api.errors import Invalid, NotFound
from api.outbox.service import EVENT_TYPES
from api.paging import Order, Page, Window, page
from api.webhooks import signing
from api.webhooks.addresses import check_url
from api.webhooks.models import WebhookEndpoint, WebhookSecret

LONGEST_DESCRIPTION = 200
BY_THE_CLIENT = "Disabled by you."  # as api/webhooks/health.py


class _Unchanged:
    """Marks an argument of ``update_endpoint`` that was not given."""


UNCHANGED = _Unchanged()


@dataclass(frozen=True)
class NewSecret:
    """A secret as it is shown to the integrator once (on creation and on each rotation)."""

    endpoint: WebhookEndpoint
    secret: str
    previous_expires_at: datetime | None = None


def _event_types(types: Iterable[str]) -> list[str]:
    chosen = sorted(set(types))
    if not chosen:
        raise Invalid.field("event_types", "Choose at least one event type.")
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        known = ", ".join(EVENT_TYPES)
        raise Invalid.field(
            "event_types", f"Unknown event type {unknown[0]!r}; the types are: {known}."
        )
    return chosen


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > LONGEST_DESCRIPTION:
        raise Invalid.field(
            "description", f"Please keep the description under {LONGEST_DESCRIPTION} characters."
        )
    return text


async def _add_secret(db: AsyncSession, endpoint: WebhookEndpoint, secret: str) -> None:
    row = WebhookSecret(endpoint_id=endpoint.id, secret_sealed=b"")
    row.secret_sealed = signing.seal_secret(settings_of(db), row.id, secret)
    db.add(row)
    await db.flush()


async def create_endpoint(
    db: AsyncSession,
    *,
    client_id: UUID,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    secret: str | None = None,
) -> NewSecret:
    """A new endpoint, enabled, with its signing secret (given, or made here)."""
    allow_private = settings_of(db).webhook_allow_private_addresses
    endpoint = WebhookEndpoint(
        client_id=client_id,
        url=check_url(url, allow_private=allow_private),
        event_types=_event_types(event_types),
        description=_description(description),
    )
    secret = signing.check_secret(secret) if secret else signing.new_secret()
    db.add(endpoint)
    await db.flush()
    await _add_secret(db, endpoint, secret)
    return NewSecret(endpoint=endpoint, secret=secret)


def _order() -> Order:
    return Order(col(WebhookEndpoint.created_at), col(WebhookEndpoint.id), descending=False)


async def list_endpoints(db: AsyncSession, *, client_id: UUID) -> list[WebhookEndpoint]:
    """This client's endpoints, oldest first."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.client_id == client_id)
    return list((await db.scalars(query.order_by(*_order().by()))).all())


async def page_of_endpoints(
    db: AsyncSession, *, client_id: UUID, window: Window
) -> Page[WebhookEndpoint]:
    """A page of this client's endpoints, oldest first."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.client_id == client_id)
    found = await page(db, query, _order(), window)
    return Page([row[0] for row in found.items], found.has_more)


async def get_endpoint(db: AsyncSession, *, client_id: UUID, endpoint_id: UUID) -> WebhookEndpoint:
    """One of this client's endpoints (404 for anyone else's)."""
    endpoint = await db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.client_id != client_id:
        raise NotFound("No such webhook endpoint.")
    return endpoint


async def update_endpoint(
    db: AsyncSession,
    *,
    client_id: UUID,
    endpoint_id: UUID,
    url: str | _Unchanged = UNCHANGED,
    event_types: Iterable[str] | _Unchanged = UNCHANGED,
    description: str | _Unchanged = UNCHANGED,
    enabled: bool | _Unchanged = UNCHANGED,
) -> WebhookEndpoint:
    """Change what is given. Enabling a disabled endpoint clears the reason; deliveries it
    missed meanwhile stay failed in the log and can be sent again one by one."""
    endpoint = await get_endpoint(db, client_id=client_id, endpoint_id=endpoint_id)
    if not isinstance(url, _Unchanged):
        allow_private = settings_of(db).webhook_allow_private_addresses
        endpoint.url = check_url(url, allow_private=allow_private)
    if not isinstance(event_types, _Unchanged):
        endpoint.event_types = _event_types(event_types)
    if not isinstance(description, _Unchanged):
        endpoint.description = _description(description)
    if not isinstance(enabled, _Unchanged) and enabled != endpoint.enabled:
        endpoint.enabled = enabled
        if enabled:
            endpoint.disabled_reason = endpoint.disabled_at = endpoint.client_told_at = None
            endpoint.failing_since = None
        else:
            endpoint.disabled_at, endpoint.disabled_reason = utcnow(), BY_THE_CLIENT
            endpoint.client_told_at = endpoint.disabled_at  # they did it: nothing to tell
    endpoint.updated_at = utcnow()
    await db.flush()
    return endpoint


async def delete_endpoint(db: AsyncSession, *, client_id: UUID, endpoint_id: UUID) -> None:
    """Delete the endpoint with its secrets and its delivery log."""
    endpoint = await get_endpoint(db, client_id=client_id, endpoint_id=endpoint_id)
    await db.delete(endpoint)
    await db.flush()


async def rotate_secret(
    db: AsyncSession, *, client_id: UUID, endpoint_id: UUID, secret: str | None = None
) -> NewSecret:
    """A new signing secret. The ones in use keep signing too, for the overlap (24 h by
    default), so every request carries both signatures until the receiver has switched."""
    endpoint = await get_endpoint(db, client_id=client_id, endpoint_id=endpoint_id)
    now = utcnow()
    overlap_ends = now + timedelta(hours=settings_of(db).webhook_secret_overlap_hours)
    for old in await _active(db, endpoint.id, now):
        if old.expires_at is None or old.expires_at > overlap_ends:
            old.expires_at = overlap_ends
    secret = signing.check_secret(secret) if secret else signing.new_secret()
    await _add_secret(db, endpoint, secret)
    endpoint.updated_at = now
    await db.flush()
    return NewSecret(endpoint=endpoint, secret=secret, previous_expires_at=overlap_ends)


async def _active(db: AsyncSession, endpoint_id: UUID, now: datetime) -> list[WebhookSecret]:
    found = await db.scalars(
        select(WebhookSecret)
        .where(
            WebhookSecret.endpoint_id == endpoint_id,
            or_(col(WebhookSecret.expires_at).is_(None), col(WebhookSecret.expires_at) > now),
        )
        .order_by(col(WebhookSecret.created_at).desc(), col(WebhookSecret.id))
    )
    return list(found.all())


async def signing_secrets(
    db: AsyncSession, *, endpoint_id: UUID, now: datetime | None = None
) -> list[str]:
    """The secrets that sign a request now, newest first."""
    settings = settings_of(db)
    rows = await _active(db, endpoint_id, now or utcnow())
    return [signing.open_secret(settings, row.id, row.secret_sealed) for row in rows]
