"""The service's audience: a client hears of an event only with the scope it needs, only about
people who joined through its referrals (since they joined), referral events only for their
own client; and a referrer still hears of the ending when the person deletes their account."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from api.common import utcnow
from api.integrations import audience
from api.outbox.models import OutboxEvent
from api.outbox.service import emit
from api.relationships.models import Relationship
from api.webhooks import deliveries, endpoints
from api.webhooks.models import WebhookDelivery
from tests.clients.helpers import admin, integrator
from tests.factories import agreeing_pair
from tests.personas import PASSWORD
from tests.referrals.helpers import agree_terms, join, person, refer
from tests.safety.helpers import rid
from tests.web.conftest import other_client

__all__ = ["other_client"]
EVERY = ["referral.joined", "relationship.active", "relationship.ended", "session.held"]
URL = "https://hooks.example.org/"


async def _clients(client, db, settings):
    ada = await admin(client, db, settings)
    made = await integrator(client, db, settings, by=ada)
    narrow = await integrator(
        client, db, settings, scopes=["referrals:read"], name="Referrals only", by=ada
    )
    stranger = await integrator(client, db, settings, name="Another service", by=ada)
    return made, narrow, stranger


async def _endpoints(sessions, *made) -> dict[UUID, UUID]:
    found = {}
    async with sessions() as db:
        for m in made:
            new = await endpoints.create_endpoint(
                db, client_id=UUID(m.client_id), url=URL, event_types=EVERY
            )
            found[new.endpoint.id] = UUID(m.client_id)
        await db.commit()
    return found


async def _heard(sessions, owners: dict[UUID, UUID]) -> set[tuple[UUID, str]]:
    async with sessions() as db:
        await deliveries.fan_out(db, may_hear=audience.may_hear)
        await db.commit()
        rows = await db.execute(
            select(WebhookDelivery.endpoint_id, OutboxEvent.type).join(
                OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id
            )
        )
        return {(owners[e], t) for e, t in rows.all()}


async def test_scope_referral_and_time_decide_who_hears(
    client, other_client, db, settings, sessions
):
    made, narrow, stranger = await _clients(client, db, settings)
    owners = await _endpoints(sessions, made, narrow, stranger)
    referral = await refer(client, made)
    assert (await join(other_client, referral, tags=[1])).status_code == 303
    sam = await person(client, "sam", "sam.referred@example.org")
    async with sessions() as s:
        before = emit(s, type="relationship.active", data={"r": "0"}, about_users=[sam.id])
        before.occurred_at = utcnow() - timedelta(days=1)  # support begun before joining
        emit(s, type="relationship.active", data={"r": "1"}, about_users=[sam.id])
        emit(s, type="session.held", data={"r": "2"}, about_users=[UUID(int=7)])  # someone else
        await s.commit()
    mine, theirs = UUID(made.client_id), UUID(narrow.client_id)
    heard = await _heard(sessions, owners)
    # The referral event goes to its own client only; the relationship event to the client
    # holding relationships:read that referred Sam; nobody hears of anyone else.
    assert heard == {(mine, "referral.joined"), (mine, "relationship.active")}
    async with sessions() as s:
        active = (
            await s.scalars(
                select(WebhookDelivery)
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .where(OutboxEvent.type == "relationship.active")
            )
        ).all()
    assert len(active) == 1 and theirs not in {owners[d.endpoint_id] for d in active}


async def test_a_referrer_still_hears_the_ending_when_the_person_deletes_their_account(
    client, other_client, db, settings, sessions
):
    made, _narrow, stranger = await _clients(client, db, settings)
    owners = await _endpoints(sessions, made, stranger)
    referral = await refer(client, made)
    assert (await join(other_client, referral, tags=[1])).status_code == 303
    sam = await person(client, "sam", "sam.referred@example.org")
    pair = await agreeing_pair(client, db, settings, seeker_name="first", supporter_name="bob")
    await db.execute(
        update(Relationship).where(Relationship.id == rid(pair)).values(seeker_id=sam.id)
    )
    await db.commit()
    await agree_terms(db, rid(pair), pair.supporter.id)
    await _heard(sessions, owners)  # what came before is sent out already

    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=sam.headers
    )
    assert gone.status_code == 204, gone.text
    async with sessions() as s:
        (ending,) = (
            await s.scalars(select(OutboxEvent).where(OutboxEvent.type == "relationship.ended"))
        ).all()
    assert str(sam.id) not in ending.about_users  # Sam is forgotten…
    assert ending.kept_for == [made.client_id]  # …and Sam's referrer is kept to be told
    heard = await _heard(sessions, owners)
    assert (UUID(made.client_id), "relationship.ended") in heard
    assert UUID(stranger.client_id) not in {c for c, _ in heard}
