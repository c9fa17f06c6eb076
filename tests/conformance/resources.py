"""A real resource of each kind the API names by id, made the way people and integrators make
them (through the API, or the tests' usual helpers), for tests/conformance/test_resource_access.

Each maker returns the ids to put in the routes' paths, whose resource it is (a person or an
integrator), others who must not see it either (the other person of a pair), and what must
never appear in an answer to someone who may not see it (names, what people wrote)."""

import base64
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api.common import utcnow
from tests.clients.helpers import Integrator, integrator
from tests.contact.helpers import add_session
from tests.matching.people import ready_supporter, seeker_with_request
from tests.moderation.helpers import REPORTED, decide, reported
from tests.personas import Person, peer, supporter
from tests.referrals.helpers import NOTE, REFERRER, refer
from tests.safety.helpers import active_pair
from tests.screening.helpers import offering

GOING, FURTHER = [(1, "going_through")], [(1, "further_along")]
WORDS = "Wilhelmina talked about the funeral; I felt shaky after and want to talk it through."


@dataclass
class Callers:
    """Who asks, besides the resource's own person: the same in every row."""

    coordinator: Person
    admin: Person
    unproven: Person  # a coordinator whose session hasn't proved a second factor: a peer
    peer: Person  # another peer, who owns nothing here
    integrator: Integrator  # another integrator, holding every scope


@dataclass
class Made:
    ids: dict[str, str]
    owner: Person | Integrator | None = None
    bystanders: list[Person] = field(default_factory=list)  # may not see it either
    secrets: list[str] = field(default_factory=list)  # never in an answer to an outsider


Maker = Callable[[httpx.AsyncClient, object, object, Callers], Awaitable[Made]]


async def account(client, db, settings, who: Callers) -> Made:
    ottoline = await peer(client, "ottoline")
    return Made({"user_id": str(ottoline.id)}, ottoline, secrets=["Ottoline", ottoline.email])


async def client_record(client, db, settings, who: Callers) -> Made:
    made = await integrator(client, db, settings, name="Tamarisk referrals", by=who.admin)
    return Made({"client_id": made.client_id}, made, secrets=["Tamarisk"])


async def referral(client, db, settings, who: Callers) -> Made:
    made = await integrator(client, db, settings, name="Tamarisk referrals", by=who.admin)
    found = await refer(client, made)
    return Made(
        {"referral_id": found["id"]},
        made,
        secrets=[REFERRER["name"], NOTE, "sam.referred@example.org", "RSP-2041"],
    )


async def webhook_endpoint(client, db, settings, who: Callers) -> Made:
    made = await integrator(client, db, settings, name="Tamarisk referrals", by=who.admin)
    created = await client.post(
        "/api/v1/webhooks/endpoints",
        json={
            "url": "https://hooks.tamarisk.example/kindred",
            "event_types": ["session.held"],
            "description": "Tamarisk CRM",
        },
        headers=made.headers,
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()["id"]
    sent = await client.post(f"/api/v1/webhooks/endpoints/{endpoint}/test", headers=made.headers)
    assert sent.status_code == 202, sent.text
    return Made(
        {"endpoint_id": endpoint, "delivery_id": sent.json()["id"]},
        made,
        secrets=["hooks.tamarisk.example", "Tamarisk CRM", created.json()["secret"]],
    )


async def debrief(client, db, settings, who: Callers) -> Made:
    pair = await active_pair(
        client, db, settings, seeker_name="wilhelmina", supporter_name="barnaby"
    )
    held = await add_session(db, pair, utcnow() - timedelta(days=1), status="held")
    written = await client.post(
        "/api/v1/me/debriefs",
        json={"session_id": str(held.id), "text": WORDS},
        headers=pair.supporter.headers,
    )
    assert written.status_code == 201, written.text
    return Made(
        {"note_id": written.json()["id"]},
        pair.supporter,
        [pair.seeker],
        secrets=["Wilhelmina", "Barnaby", "funeral"],
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def push_subscription(client, db, settings, who: Callers) -> Made:
    pemberton = await peer(client, "pemberton")
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    device = f"pemberton-phone-{os.urandom(4).hex()}"
    made = await client.post(
        "/api/v1/me/push-subscriptions",
        json={
            "endpoint": f"https://fcm.googleapis.com/fcm/send/{device}",
            "keys": {"p256dh": _b64(point), "auth": _b64(os.urandom(16))},
            "expirationTime": None,
        },
        headers=pemberton.headers,
    )
    assert made.status_code == 201, made.text
    return Made({"subscription_id": made.json()["id"]}, pemberton, secrets=["Pemberton", device])


async def support_request(client, db, settings, who: Callers) -> Made:
    await ready_supporter(client, who.coordinator, "fenwick", FURTHER)
    marguerite, request = await seeker_with_request(client, "marguerite", GOING)
    return Made({"request_id": request["id"]}, marguerite, secrets=["Marguerite", "Fenwick"])


async def introduction(client, db, settings, who: Callers) -> Made:
    fenwick = await ready_supporter(client, who.coordinator, "fenwick", FURTHER)
    marguerite, request = await seeker_with_request(client, "marguerite", GOING)
    proposed = await client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request["id"], "supporter_id": str(fenwick.id)},
        headers=who.coordinator.headers,
    )
    assert proposed.status_code == 201, proposed.text
    return Made(
        {"relationship_id": proposed.json()["id"]},
        fenwick,
        [marguerite],
        secrets=["Marguerite", "Fenwick"],
    )


async def notice(client, db, settings, who: Callers) -> Made:
    fenwick = await supporter(client, who.coordinator, "fenwick")  # told their offer is approved
    found = await client.get("/api/v1/notices", headers=fenwick.headers)
    assert found.status_code == 200, found.text
    [told] = found.json()["data"]
    return Made({"notice_id": told["id"]}, fenwick, secrets=["Fenwick", told["text"]])


async def concern(client, db, settings, who: Callers) -> Made:
    r = await reported(client, db, settings)  # Sam reported a message Bob sent
    return Made(
        {"concern_id": r.concern_id},
        r.pair.seeker,
        [r.pair.supporter],
        secrets=["Sam", "Bob", REPORTED, "This made me uneasy."],
    )


async def moderation_decision(client, db, settings, who: Callers) -> Made:
    r = await reported(client, db, settings)
    # Casey decides, so the coordinator asking may decide the appeal.
    made = await decide(client, r, "warn", by=r.casey)
    return Made(
        {"decision_id": made["id"]},
        r.pair.supporter,  # the decision is about Bob
        [r.pair.seeker],  # Sam reported the message: it is not about them
        secrets=["Sam", "Bob", REPORTED, "keep to what you both agreed"],
    )


async def _access(client, by: Person, relationship_id: str) -> dict:
    opened = await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={
            "relationship_id": relationship_id,
            "reason": "A reported message needs reading today.",
            "minutes": 60,
        },
        headers=by.headers,
    )
    assert opened.status_code == 201, opened.text
    return opened.json()


OWN_WORDS = "The winter after my father died I stopped answering the door."


async def relationship(client, db, settings, who: Callers) -> Made:
    r = await reported(client, db, settings)
    rid = str(r.pair.relationship_id)
    told = await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": 1, "stage": "going_through", "description": OWN_WORDS}],
        headers=r.pair.seeker.headers,
    )
    assert told.status_code == 200, told.text
    await _access(client, who.coordinator, rid)  # the administrator has none
    return Made(
        {"relationship_id": rid},
        r.pair.seeker,
        [r.pair.supporter],
        secrets=["Sam", "Bob", REPORTED, OWN_WORDS],
    )


async def safeguarding_access(client, db, settings, who: Callers) -> Made:
    r = await reported(client, db, settings)
    rule = "/api/v1/coordination/settings/two_person_access"
    turned = await client.put(
        rule, json={"value": {"enabled": True}}, headers=who.coordinator.headers
    )
    assert turned.status_code == 200, turned.text
    asked = await _access(client, r.casey, str(r.pair.relationship_id))
    assert asked["approved_at"] is None
    return Made(
        {"access_id": asked["id"]},
        r.pair.seeker,
        [r.pair.supporter],
        secrets=["Sam", "Bob", "Casey", "A reported message needs reading today."],
    )


async def supporter_record(client, db, settings, who: Callers) -> Made:
    hollis = await supporter(client, who.coordinator, "hollis")
    return Made({"user_id": str(hollis.id)}, hollis, secrets=["Hollis"])


async def offer(client, db, settings, who: Callers) -> Made:
    quincey, offer_id = await offering(client, "quincey")
    return Made({"offer_id": offer_id}, quincey, secrets=["Quincey"])


async def batch(client, db, settings, who: Callers) -> Made:
    await ready_supporter(client, who.coordinator, "fenwick", FURTHER)
    marguerite, _ = await seeker_with_request(client, "marguerite", GOING)
    drafted = await client.post("/api/v1/coordination/batches", headers=who.coordinator.headers)
    assert drafted.status_code == 201, drafted.text
    draft = drafted.json()
    return Made(
        {"draft_id": draft["id"], "item_id": draft["items"][0]["id"]},
        marguerite,
        secrets=["Marguerite", "Fenwick"],
    )


async def service(client, db, settings, who: Callers) -> Made:
    """The service's own things: a setting, a statistics table, the seeded taxonomy."""
    return Made(
        {"key": "introduction_ttl_hours", "table": "waiting", "category_id": "1", "tag_id": "1"}
    )


async def lists(client, db, settings, who: Callers) -> Made:
    """Nothing named by id; someone waiting, so the lists have a name in them."""
    marguerite, _ = await seeker_with_request(client, "marguerite", GOING)
    return Made({}, marguerite, secrets=["Marguerite"])


async def calendar(client, db, settings, who: Callers) -> Made:
    pemberton = await peer(client, "pemberton")
    made = await client.post("/api/v1/me/calendar-feed", headers=pemberton.headers)
    assert made.status_code == 201, made.text
    feed = urlparse(made.json()["url"]).path.rsplit("/", 1)[1]  # <token>.ics
    return Made({"file": feed}, pemberton, secrets=["Pemberton"])
