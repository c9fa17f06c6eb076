"""Integrators' webhook endpoints (scope ``webhooks:manage``): create, list, read, change and
delete them, rotate a secret, read the delivery log, send a delivery again, send a test.
A client only ever reaches its own endpoints; any other id is a 404."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.clients.deps import require_scopes
from api.clients.principal import ClientPrincipal
from api.db import SessionDep
from api.deps import PageDep
from api.errors import problem_response_docs
from api.integrations.webhook_schemas import (
    DeliveryOut,
    EndpointChange,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    SecretIn,
    SecretRotated,
)
from api.paging import ListOut
from api.webhooks import deliveries, endpoints

router = APIRouter(prefix="/webhooks/endpoints", tags=["integrations: webhooks"])
Manager = Annotated[ClientPrincipal, require_scopes("webhooks:manage")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointCreated,
    responses=problem_response_docs(409),
)
async def create_endpoint(body: EndpointIn, client: Manager, db: SessionDep) -> EndpointCreated:
    """A new endpoint for the event types named. The answer holds its `whsec_` signing
    secret, shown only here: keep it to verify every request Kindred sends."""
    made = await endpoints.create_endpoint(
        db,
        client_id=client.client_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        secret=body.secret,
    )
    return EndpointCreated(**EndpointOut.of(made.endpoint).model_dump(), secret=made.secret)


@router.get("", response_model=ListOut[EndpointOut])
async def list_endpoints(client: Manager, db: SessionDep, window: PageDep) -> ListOut[EndpointOut]:
    """Your endpoints, oldest first, with whether each is enabled (and if not, why)."""
    found = await endpoints.page_of_endpoints(db, client_id=client.client_id, window=window)
    return ListOut(data=[EndpointOut.of(e) for e in found.items], has_more=found.has_more)


@router.get("/{endpoint_id}", response_model=EndpointOut)
async def get_endpoint(endpoint_id: UUID, client: Manager, db: SessionDep) -> EndpointOut:
    """One of your endpoints: `enabled`, and when Kindred disabled it, `disabled_reason` and
    `disabled_at`."""
    return EndpointOut.of(
        await endpoints.get_endpoint(db, client_id=client.client_id, endpoint_id=endpoint_id)
    )


@router.patch("/{endpoint_id}", response_model=EndpointOut)
async def change_endpoint(
    endpoint_id: UUID, body: EndpointChange, client: Manager, db: SessionDep
) -> EndpointOut:
    """Change what is sent: the URL, the event types, the description; `enabled: false`
    stops sending, `enabled: true` starts again (what it missed stays in the delivery log,
    to send again one by one)."""
    given = body.model_dump(exclude_unset=True, exclude_none=True)
    changed = await endpoints.update_endpoint(
        db, client_id=client.client_id, endpoint_id=endpoint_id, **given
    )
    return EndpointOut.of(changed)


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_endpoint(endpoint_id: UUID, client: Manager, db: SessionDep) -> Response:
    """Delete the endpoint, its secrets and its delivery log; nothing more is sent to it."""
    await endpoints.delete_endpoint(db, client_id=client.client_id, endpoint_id=endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{endpoint_id}/secret/rotate", response_model=SecretRotated)
async def rotate_secret(
    endpoint_id: UUID, body: SecretIn, client: Manager, db: SessionDep
) -> SecretRotated:
    """A new signing secret, shown only here. The previous one keeps signing too until
    `previous_expires_at` (24 hours), so every request carries both signatures meanwhile."""
    made = await endpoints.rotate_secret(
        db, client_id=client.client_id, endpoint_id=endpoint_id, secret=body.secret
    )
    return SecretRotated(secret=made.secret, previous_expires_at=made.previous_expires_at)


@router.get("/{endpoint_id}/deliveries", response_model=ListOut[DeliveryOut])
async def list_deliveries(
    endpoint_id: UUID,
    client: Manager,
    db: SessionDep,
    window: PageDep,
    status: Annotated[
        Literal["pending", "delivered", "failed"] | None, Query(description="Only these")
    ] = None,
) -> ListOut[DeliveryOut]:
    """The endpoint's delivery log (30 days), newest first: each event sent here, its
    attempts and how they went."""
    found = await deliveries.list_deliveries(
        db, client_id=client.client_id, endpoint_id=endpoint_id, window=window, status=status
    )
    return ListOut(data=[DeliveryOut.of(e) for e in found.items], has_more=found.has_more)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
)
async def redeliver(
    endpoint_id: UUID, delivery_id: UUID, client: Manager, db: SessionDep
) -> DeliveryOut:
    """Send this delivery again soon, on a fresh round of the retry schedule, with the same
    `webhook-id` (so your receiver can tell it has seen it). 409 while it is still waiting
    to be sent, or while the endpoint is disabled."""
    delivery = await deliveries.redeliver(
        db, client_id=client.client_id, delivery_id=delivery_id, endpoint_id=endpoint_id
    )
    entry = await deliveries.entry_of(db, delivery=delivery)
    return DeliveryOut.of(entry)


@router.post(
    "/{endpoint_id}/test", status_code=status.HTTP_202_ACCEPTED, response_model=DeliveryOut
)
async def send_test(endpoint_id: UUID, client: Manager, db: SessionDep) -> DeliveryOut:
    """Send a `webhook.test` event to this endpoint alone, soon, signed like every other, to
    check your receiver. It appears in the delivery log."""
    entry = await deliveries.send_test(db, client_id=client.client_id, endpoint_id=endpoint_id)
    return DeliveryOut.of(entry)
