"""Faults under load.

- An API process killed with SIGKILL in the middle of write load (and the job worker too),
  then started again: every write the load generator saw acknowledged is in the database, and
  every event for integrators (api/outbox) reaches a real webhook receiver at least once.
- PostgreSQL restarted during load (a private cluster of this test's own: the shared server is
  never touched): /readyz turns unready, then ready, and requests recover, without restarting
  the API.
"""

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest

from alembic import command
from api.clients.models import IntegratorClient
from api.clients.scopes import SCOPES
from api.db import create_sessionmaker
from api.outbox.service import EVENT_TYPES, TEST
from api.webhooks import endpoints
from tests.conftest import alembic_config
from tests.reliability.cluster import (
    Cluster,
    NoPrivateCluster,
    PrivateCluster,
    job_worker,
    replica,
    server_env,
)
from tests.reliability.load import Tally, record
from tests.reliability.people import Actor, Pair, bearer, pairs
from tests.webhooks.receiver import Receiver, receiving

pytestmark = [pytest.mark.reliability, pytest.mark.postgres_only]

BASE = "/api/v1"
PAIRS = 25  # 50 clients, both people of each pair


@dataclass
class Acknowledged:
    """What the load generator saw acknowledged (2xx), to look for in the database."""

    messages: set[UUID] = field(default_factory=set)
    proposed: set[UUID] = field(default_factory=set)
    confirmed: set[UUID] = field(default_factory=set)


async def _writer(
    urls: list[str],
    pair: Pair,
    me: Actor,
    n: int,
    tally: Tally,
    seen: Acknowledged,
    stop: asyncio.Event,
) -> None:
    """One person writing as fast as answers come: messages, session proposals, confirming the
    other's. A request that gets no answer (its replica died) goes to the next replica, as a
    load balancer would send it; it is not counted as acknowledged."""
    clients = [httpx.AsyncClient(base_url=u, headers=bearer(me), timeout=30) for u in urls]
    rid, k = pair.relationship_id, n
    path = f"{BASE}/relationships/{rid}"
    slots = pair.slots[n % 2 :: 2]  # the two people propose on alternate days: no overlaps

    async def call(op: str, method: str, url: str, **options) -> httpx.Response | None:
        nonlocal k
        for _ in range(len(clients)):
            answer = await tally.call(clients[k % len(clients)], op, method, url, **options)
            if answer is not None:
                return answer
            k += 1
            await asyncio.sleep(0.05)
        return None

    try:
        step = 0
        while not stop.is_set():
            step += 1
            sent = await call("message_send", "POST", f"{path}/messages", json={"body": f"#{step}"})
            if sent is not None and sent.status_code == 201:
                seen.messages.add(UUID(sent.json()["id"]))
            if step % 3 == 0 and slots:
                start = slots.pop(0)
                made = await call(
                    "session_propose",
                    "POST",
                    f"{path}/sessions",
                    json={"start_at": start, "channel": "video"},
                )
                if made is not None and made.status_code == 201:
                    seen.proposed.add(UUID(made.json()["id"]))
            if step % 3 == 1:
                listed = await call("sessions", "GET", f"{path}/sessions?limit=100")
                theirs = [
                    s["id"]
                    for s in (listed.json()["sessions"] if listed and listed.is_success else [])
                    if s["status"] == "proposed" and not s["proposed_by_me"]
                ]
                for session_id in theirs[:2]:
                    done = await call(
                        "session_confirm", "POST", f"{path}/sessions/{session_id}/confirm"
                    )
                    if done is not None and done.status_code == 200:
                        seen.confirmed.add(UUID(session_id))
            k += 1
    finally:
        for c in clients:
            await c.aclose()


@contextlib.contextmanager
def _receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


async def _subscribe(app, settings, conn: asyncpg.Connection, people: list[UUID], url: str):
    """An integrator client that referred everyone here, its endpoint subscribed to every
    event type (the worker tells a client only of the people it referred)."""
    hooked = settings.model_copy(update={"webhook_allow_private_addresses": True})
    client_id = uuid.uuid4()
    async with create_sessionmaker(app.state.engine, hooked)() as db:
        db.add(IntegratorClient(id=client_id, name="Riverside referrals", scopes=list(SCOPES)))
        await db.flush()
        made = await endpoints.create_endpoint(
            db, client_id=client_id, url=url, event_types=[t for t in EVENT_TYPES if t != TEST]
        )
        await db.commit()
    joined = datetime.now(UTC) - timedelta(days=30)
    for person in people:
        await conn.execute(
            "INSERT INTO referral (id, client_id, suggested_tag_ids, created_at, expires_at,"
            " user_id, joined_at) VALUES ($1, $2, '[]', $3, $3, $4, $3)",
            uuid.uuid4(),
            client_id,
            joined,
            person,
        )
    return made


async def _until(check, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.25)
    return False


async def test_a_replica_killed_mid_load_loses_no_acknowledged_write_nor_any_event(
    app, settings, pg: str, conn: asyncpg.Connection, logs: Path
) -> None:
    random.seed(16)
    made = await pairs(conn, settings, PAIRS)
    people = [p.seeker.user_id for p in made] + [p.supporter.user_id for p in made]
    env = server_env(settings, pg)
    worker = job_worker(env, logs)
    cluster = Cluster([replica(f"kill-{n}", env, logs) for n in range(3)], extra=[worker])
    tally, seen, stop = Tally(), Acknowledged(), asyncio.Event()
    kills = Counter()
    with _receiver() as receiver:
        url = receiver.script("/kindred")
        await _subscribe(app, settings, conn, people, url)
        try:
            await cluster.start()
            writers = [
                asyncio.create_task(_writer(cluster.urls, pair, person, n + i, tally, seen, stop))
                for n, pair in enumerate(made)
                for i, person in enumerate((pair.seeker, pair.supporter))
            ]
            began = time.perf_counter()
            await asyncio.sleep(6)
            victim = cluster.replicas[0]
            victim.kill()  # in the middle of the writes: no shutdown, transactions cut off
            kills[victim.name] += 1
            await asyncio.sleep(3)
            worker.kill()
            kills["worker"] += 1
            victim.start()
            await victim.wait_ready()
            await asyncio.sleep(2)
            worker.start()
            cluster.replicas[1].kill()
            kills[cluster.replicas[1].name] += 1
            await asyncio.sleep(2)
            cluster.replicas[1].start()
            await cluster.replicas[1].wait_ready()
            await asyncio.sleep(4)
            stop.set()
            await asyncio.gather(*writers)
            seconds = round(time.perf_counter() - began, 1)

            # Every acknowledged write is in the database.
            messages = {
                r["id"]
                for r in await conn.fetch(
                    "SELECT id FROM message WHERE relationship_id = ANY($1::uuid[])",
                    [p.relationship_id for p in made],
                )
            }
            assert seen.messages and seen.messages <= messages
            sessions = {
                r["id"]: r["status"]
                for r in await conn.fetch(
                    "SELECT id, status FROM contact_session WHERE relationship_id ="
                    " ANY($1::uuid[])",
                    [p.relationship_id for p in made],
                )
            }
            assert seen.proposed and seen.proposed <= set(sessions)
            assert seen.confirmed and all(sessions[s] == "confirmed" for s in seen.confirmed)

            # Every event recorded for integrators reaches the receiver at least once.
            async def delivered() -> bool:
                events = {r["id"] for r in await conn.fetch("SELECT id FROM outbox_event")}
                arrived = {a.webhook_id for a in receiver.at("/kindred")}
                return bool(events) and events <= arrived

            assert await _until(delivered, 90), await _missing(conn, receiver)
            events = await conn.fetch("SELECT id, type FROM outbox_event")
            arrivals = receiver.at("/kindred")
        finally:
            stop.set()
            cluster.stop()
    assert tally.server_errors == [], tally.server_errors[:5]
    assert sum(tally.transport_errors.values()) > 0  # the kills cut requests off mid-flight
    by_type = Counter(r["type"] for r in events)
    # One event for each session confirmed in the database: those whose answer the kill cut
    # off (committed, never acknowledged) included, so at least every acknowledged one.
    in_database = sum(1 for status in sessions.values() if status == "confirmed")
    assert by_type["session.scheduled"] == in_database >= len(seen.confirmed)
    record(
        "kill_replica",
        {
            "replicas": 3,
            "clients": len(made) * 2,
            "seconds": seconds,
            "sigkills": dict(kills),
            "restarts": {p.name: p.starts - 1 for p in [*cluster.replicas, worker]},
            "acknowledged_writes": len(seen.messages) + len(seen.proposed) + len(seen.confirmed),
            "acknowledged_present": True,
            "outbox_events": len(events),
            "outbox_delivered_at_least_once": len({r["id"] for r in events}),
            "webhook_arrivals": len(arrivals),
            "events_by_type": dict(by_type),
            **tally.summary(),
        },
    )


async def _missing(conn: asyncpg.Connection, receiver: Receiver) -> str:
    events = {r["id"] for r in await conn.fetch("SELECT id FROM outbox_event")}
    arrived = {a.webhook_id for a in receiver.at("/kindred")}
    left = events - arrived
    return f"{len(left)} of {len(events)} events never arrived"


# ---- PostgreSQL restarted ------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _private_database(settings) -> AsyncIterator[tuple[PrivateCluster, str]]:
    try:
        server = PrivateCluster()
        await asyncio.to_thread(server.init)
    except NoPrivateCluster as exc:
        pytest.skip(f"can't start a private PostgreSQL cluster to restart: {exc}")
    try:
        admin = await asyncpg.connect(server.url)
        await admin.execute("CREATE DATABASE kindred")
        await admin.close()
        url = server.url.rsplit("/", 1)[0] + "/kindred"
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield server, url
    finally:
        await asyncio.to_thread(server.destroy)


async def test_postgres_restarted_under_load_readiness_and_requests_recover(
    settings, pg: str, logs: Path
) -> None:
    async with _private_database(settings) as (server, url):
        conn = await asyncpg.connect(url)
        try:
            made = await pairs(conn, settings, 10)
        finally:
            await conn.close()
        env = server_env(settings, url)
        cluster = Cluster([replica(f"pg-{n}", env, logs) for n in range(2)])
        tally, stop = Tally(), asyncio.Event()
        readiness: list[tuple[float, str, int]] = []  # (time, replica, status)
        ok_writes: list[float] = []
        try:
            await cluster.start()
            began = time.monotonic()

            async def probe(r) -> None:
                async with httpx.AsyncClient(base_url=r.url, timeout=5) as api:
                    while not stop.is_set():
                        answer = await tally.call(api, "readyz", "GET", "/readyz")
                        code = answer.status_code if answer is not None else 0
                        readiness.append((time.monotonic() - began, r.name, code))
                        await asyncio.sleep(0.1)

            async def write(pair: Pair, n: int) -> None:
                """Both people in turn: a read, and every other time a message (under the
                service's 20 messages a day for each of them)."""
                url, path = cluster.urls[n % 2], f"{BASE}/relationships/{pair.relationship_id}"
                people = [
                    httpx.AsyncClient(base_url=url, headers=bearer(p), timeout=15)
                    for p in (pair.seeker, pair.supporter)
                ]
                step = 0
                try:
                    while not stop.is_set():
                        api, step = people[step % 2], step + 1
                        await tally.call(api, "relationship", "GET", path)
                        if step % 4 < 2:
                            sent = await tally.call(
                                api, "message_send", "POST", f"{path}/messages", json={"body": "hi"}
                            )
                            if sent is not None and sent.status_code == 201:
                                ok_writes.append(time.monotonic() - began)
                        await asyncio.sleep(0.2)
                finally:
                    for api in people:
                        await api.aclose()

            tasks = [asyncio.create_task(probe(r)) for r in cluster.replicas]
            tasks += [asyncio.create_task(write(p, n)) for n, p in enumerate(made)]
            await asyncio.sleep(4)
            down_at = time.monotonic() - began
            await asyncio.to_thread(server.stop, "fast")
            await asyncio.sleep(3)
            await asyncio.to_thread(server.start)
            up_at = time.monotonic() - began
            await asyncio.sleep(8)
            stop.set()
            await asyncio.gather(*tasks)
            pids = [r.proc.pid for r in cluster.replicas if r.proc]
        finally:
            stop.set()
            cluster.stop()
    for r in cluster.replicas:
        assert r.starts == 1  # never restarted
        statuses = [(t, s) for t, name, s in readiness if name == r.name]
        assert any(s == 200 for t, s in statuses if t < down_at), r.name
        unready = [t for t, s in statuses if down_at <= t and s == 503]
        assert unready, f"{r.name} never said it was unready"
        ready_again = [t for t, s in statuses if t > up_at and s == 200]
        assert ready_again, f"{r.name} never became ready again"
        last = max(t for t, s in statuses)
        assert all(s == 200 for t, s in statuses if t > ready_again[0]), r.name
        assert last > ready_again[0]
    recovered = min(t for t in ok_writes if t > up_at)
    ready = max(
        min(t for t, name, s in readiness if name == r.name and t > up_at and s == 200)
        for r in cluster.replicas
    )
    # Once every replica is ready again, requests succeed: not one 5xx from then on.
    late = [t for t in tally.server_error_times if t - began > ready]
    assert late == [], [
        e
        for e, t in zip(tally.server_errors, tally.server_error_times, strict=True)
        if t - began > ready
    ]
    unavailable = tally.count(status=503) - tally.count(op="readyz", status=503)
    assert unavailable > tally.count(status=500), tally.summary()["by_operation"]
    record(
        "postgres_restart",
        {
            "replicas": len(cluster.replicas),
            "clients": len(made) + len(cluster.replicas),
            "database_down_seconds": round(up_at - down_at, 2),
            "readyz_ready_after_database_up_seconds": round(ready - up_at, 2),
            "first_write_after_database_up_seconds": round(recovered - up_at, 2),
            "api_restarts": 0,
            "api_pids": pids,
            "writes_acknowledged": len(ok_writes),
            "server_errors_during_outage": len(tally.server_errors),
            # An unreachable database is a 503 with Retry-After (api/handlers.py); a 500 is a
            # connection left unusable by the restart, met once before the pool replaced it.
            "unavailable_503_during_outage": unavailable,
            "internal_500_during_outage": tally.count(status=500),
            "server_errors_after_ready": 0,
            **tally.summary(),
        },
    )
