"""Who hears of an event: the webhook fan-out's audience (``may_hear``) and the scope each
event type needs. A client hears of an event only if

- it holds the scope the event needs (``SCOPE_OF_EVENT``) and is not revoked, and
- the event is its business: a referral event names its client (only that client hears
  of it); any other event must be about a person who joined through one of the client's
  referrals before it happened, or keep the client among those to tell after that person
  deleted their account (``outbox_event.kept_for``).

Whether its endpoint subscribed to the type, and existed when it happened, is the fan-out's
part (api/webhooks/deliveries.py).
"""

from uuid import UUID

import structlog
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.clients.models import IntegratorClient
from api.outbox.models import OutboxEvent
from api.referrals.models import Referral
from api.webhooks.models import WebhookEndpoint

log = structlog.get_logger("kindred.webhooks")

#: The scope a client needs to hear of each family of events.
SCOPE_OF_EVENT: dict[str, str] = {
    "referral": "referrals:read",
    "introduction": "relationships:read",
    "relationship": "relationships:read",
    "session": "relationships:read",
    "concern": "relationships:read",
}


def scope_for(event_type: str) -> str | None:
    """The scope needed to hear of this type (None: nobody hears of it through the fan-out)."""
    return SCOPE_OF_EVENT.get(event_type.split(".", 1)[0])


async def may_hear(db: AsyncSession, client_id: UUID, event: OutboxEvent) -> bool:
    """Whether this client may hear of this event (see the module's description)."""
    scope = scope_for(event.type)
    client = await db.get(IntegratorClient, client_id)
    if scope is None or client is None or client.revoked_at is not None:
        return False
    if scope not in client.scopes:
        return False
    if event.type.startswith("referral."):
        return event.data.get("client_id") == str(client_id)
    if str(client_id) in (event.kept_for or []):
        return True
    people = [UUID(u) for u in event.about_users]
    if not people:
        return False
    referred = await db.scalar(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.client_id == client_id,
            col(Referral.user_id).in_(people),
            col(Referral.joined_at) <= event.occurred_at,
        )
    )
    return bool(referred)


async def tell(endpoint: WebhookEndpoint) -> None:
    """Kindred disabled a client's endpoint: the client sees it on the endpoint (``enabled``,
    ``disabled_reason``, ``disabled_at``), administrators on the console's Integrations page;
    it is logged for whoever watches the service (ids only)."""
    log.warning(
        "webhook_endpoint_disabled_by_kindred",
        endpoint_id=str(endpoint.id),
        client_id=str(endpoint.client_id),
        reason=endpoint.disabled_reason,
        disabled_at=endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
    )
