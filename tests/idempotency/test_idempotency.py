"""Idempotency-Key on POST: one run per key, the first answer replayed, misuse refused."""

import asyncio
from datetime import timedelta

import httpx
from sqlmodel import select

from api.common import utcnow
from api.idempotency import service
from api.idempotency.middleware import _fingerprint
from api.idempotency.models import IdempotencyRecord
from api.main import create_app
from tests.clients.helpers import integrator
from tests.personas import peer

FEED = "/api/v1/me/calendar-feed"
OFFER = "/api/v1/supporter-offer"


def keyed(person, key: str) -> dict[str, str]:
    return {**person.headers, "Idempotency-Key": key}


async def test_a_retry_gets_the_first_answer_and_runs_nothing(client, db):
    alice = await peer(client, "alice")
    first = await client.post(FEED, headers=keyed(alice, "feed-1"))
    again = await client.post(FEED, headers=keyed(alice, "feed-1"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    # A new key is a new request: a new feed, and the first one's URL stops working.
    other = await client.post(FEED, headers=keyed(alice, "feed-2"))
    assert other.json()["url"] != first.json()["url"]
    old_file = first.json()["url"].rsplit("/", 1)[1]
    assert (await client.get(f"/api/v1/calendar/{old_file}")).status_code == 404


async def test_a_refusal_is_replayed_too(client):
    alice = await peer(client, "alice")
    made = await client.post(OFFER, json={"capacity": 2}, headers=keyed(alice, "offer-1"))
    assert made.status_code == 201
    # Without the key the service itself refuses a second offer …
    second = await client.post(OFFER, json={"capacity": 2}, headers=keyed(alice, "offer-2"))
    assert second.status_code == 409
    # … and that refusal, like the success, is what a retry with its key is answered.
    retried = await client.post(OFFER, json={"capacity": 2}, headers=keyed(alice, "offer-2"))
    assert retried.status_code == 409
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.headers["content-type"] == "application/problem+json"
    assert retried.json() == second.json()


async def test_same_key_for_another_request_is_refused(client):
    alice = await peer(client, "alice")
    assert (
        await client.post(OFFER, json={"capacity": 2}, headers=keyed(alice, "k"))
    ).status_code == 201
    other_body = await client.post(OFFER, json={"capacity": 3}, headers=keyed(alice, "k"))
    assert other_body.status_code == 422
    assert other_body.json()["type"] == "/problems/idempotency-key-reused"
    other_path = await client.post(FEED, headers=keyed(alice, "k"))
    assert other_path.status_code == 422
    offer = await client.get(OFFER, headers=alice.headers)
    assert offer.json()["capacity"] == 2


async def test_keys_belong_to_whoever_is_asking(client):
    alice, bea = await peer(client, "alice"), await peer(client, "bea")
    for person in (alice, bea):
        made = await client.post(OFFER, json={"capacity": 2}, headers=keyed(person, "same"))
        assert made.status_code == 201
        assert "Idempotent-Replayed" not in made.headers
        assert (await client.get(OFFER, headers=person.headers)).json()["id"] == made.json()["id"]


async def test_a_key_must_be_1_to_255_characters(client):
    alice = await peer(client, "alice")
    long = await client.post(FEED, headers=keyed(alice, "x" * 256))
    assert long.status_code == 400
    assert long.headers["content-type"] == "application/problem+json"
    assert long.json()["type"] == "/problems/idempotency-key-invalid"
    assert (await client.post(FEED, headers=keyed(alice, ""))).status_code == 400
    assert (await client.post(FEED, headers=keyed(alice, "x" * 255))).status_code == 201
    # Exactly what the documented pattern allows: visible ASCII, spaces only inside.
    assert (await client.post(FEED, headers=keyed(alice, "a key"))).status_code == 201
    for unusable in (" key", "key ", " "):
        assert (await client.post(FEED, headers=keyed(alice, unusable))).status_code == 400


async def test_a_request_refused_before_it_ran_does_not_spend_the_key(client, db):
    alice = await peer(client, "alice")
    unreadable = await client.post(OFFER, json={"capacity": "lots"}, headers=keyed(alice, "k"))
    assert unreadable.status_code == 422
    fixed = await client.post(OFFER, json={"capacity": 2}, headers=keyed(alice, "k"))
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    # Without a valid login nothing is kept at all, and the route says 401 as ever.
    anonymous = await client.post(
        FEED, headers={"Authorization": "Bearer nonsense", "Idempotency-Key": "k2"}
    )
    assert anonymous.status_code == 401
    keys = (await db.execute(select(IdempotencyRecord.key))).scalars().all()
    assert keys == ["k"]


async def test_a_key_in_flight_is_refused_with_409(client, app, settings):
    alice = await peer(client, "alice")
    scope = {"method": "POST", "path": FEED, "query_string": b""}
    async with app.state.sessionmaker() as db:
        taken = await service.claim(
            db,
            settings=settings,
            principal=f"user:{alice.id}",
            key="busy",
            fingerprint=_fingerprint(scope, b""),
        )
        await db.commit()
    assert isinstance(taken, service.Claimed)
    busy = await client.post(FEED, headers=keyed(alice, "busy"))
    assert busy.status_code == 409
    assert busy.json()["type"] == "/problems/idempotency-key-in-flight"
    assert int(busy.headers["Retry-After"]) >= 1
    assert (await client.get(FEED, headers=alice.headers)).json()["live"] is False


async def test_only_one_of_two_replicas_takes_a_key(app, settings):
    """Insert-first on the primary key: two sessions racing for a key, one wins."""

    async def take() -> service.Claim:
        async with app.state.sessionmaker() as db:
            found = await service.claim(
                db, settings=settings, principal="user:x", key="race", fingerprint="f"
            )
            await db.commit()
            return found

    results = await asyncio.gather(take(), take(), take())
    assert sum(isinstance(r, service.Claimed) for r in results) == 1
    assert sum(isinstance(r, service.InFlight) for r in results) == 2


async def test_an_abandoned_key_is_taken_over_after_its_lock(app, settings):
    past = utcnow() - service.LOCK_FOR - timedelta(seconds=1)
    async with app.state.sessionmaker() as db:
        first = await service.claim(
            db, settings=settings, principal="user:x", key="k", fingerprint="f", now=past
        )
        second = await service.claim(
            db, settings=settings, principal="user:x", key="k", fingerprint="f"
        )
        await db.commit()
    assert isinstance(first, service.Claimed) and isinstance(second, service.Claimed)


async def test_keys_are_forgotten_after_24_hours(client, app, db, settings):
    alice = await peer(client, "alice")
    first = await client.post(FEED, headers=keyed(alice, "old"))
    await client.post(FEED, headers=keyed(alice, "new"))
    async with app.state.sessionmaker() as session:
        row = await session.get(IdempotencyRecord, (f"user:{alice.id}", "old"))
        assert row is not None
        row.created_at = utcnow() - service.KEPT_FOR - timedelta(minutes=1)
        await session.commit()
    # Expired but not yet pruned: the key is free for a new request.
    again = await client.post(FEED, headers=keyed(alice, "old"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json()["url"] != first.json()["url"]
    async with app.state.sessionmaker() as session:
        row = await session.get(IdempotencyRecord, (f"user:{alice.id}", "new"))
        assert row is not None
        row.created_at = utcnow() - service.KEPT_FOR - timedelta(minutes=1)
        await session.commit()
        assert await service.prune(session) == 1
        await session.commit()
    keys = (await db.execute(select(IdempotencyRecord.key))).scalars().all()
    assert keys == ["old"]


async def test_the_kept_answer_is_sealed(client, db):
    alice = await peer(client, "alice")
    made = await client.post(FEED, headers=keyed(alice, "sealed"))
    secret = made.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
    row = (await db.execute(select(IdempotencyRecord))).scalar_one()
    assert row.status == 201
    assert row.response_sealed is not None
    assert secret.encode() not in row.response_sealed
    assert b"calendar" not in row.response_sealed


async def test_a_server_error_is_kept_and_replayed(settings):
    """5xx answers are kept like any other: the retry learns what happened, nothing reruns."""
    app = create_app(settings)
    runs = []

    @app.post("/api/v1/test-only/fails")
    async def fails() -> None:
        runs.append(1)
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        alice = await peer(client, "alice")
        first = await client.post("/api/v1/test-only/fails", headers=keyed(alice, "boom"))
        again = await client.post("/api/v1/test-only/fails", headers=keyed(alice, "boom"))
    await app.state.engine.dispose()
    assert first.status_code == again.status_code == 500
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["type"] == "/problems/internal"
    assert runs == [1]


async def test_an_integrators_retried_referral_is_made_once(client, db, settings):
    made = await integrator(client, db, settings)
    body = {"reference": "RSP-9", "email": "retry.me@example.org"}
    headers = {**made.headers, "Idempotency-Key": "refer-RSP-9"}
    first = await client.post("/api/v1/referrals", json=body, headers=headers)
    again = await client.post("/api/v1/referrals", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    listed = await client.get("/api/v1/referrals", headers=made.headers)
    assert [r["id"] for r in listed.json()["data"]] == [first.json()["id"]]
    # The same key for a different referral is refused, and makes nothing.
    other = await client.post(
        "/api/v1/referrals", json={**body, "reference": "RSP-10"}, headers=headers
    )
    assert other.status_code == 422
    listed = await client.get("/api/v1/referrals", headers=made.headers)
    assert len(listed.json()["data"]) == 1
    # Another client's key space is its own.
    elsewhere = await integrator(client, db, settings, name="Another surgery", by=made.admin)
    theirs = await client.post(
        "/api/v1/referrals",
        json=body,
        headers={**elsewhere.headers, "Idempotency-Key": "refer-RSP-9"},
    )
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
