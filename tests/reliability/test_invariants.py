"""The domain's invariants under concurrency: well over 50 clients at once, spread over three
API processes on one PostgreSQL database, racing for the same supporters, agreements, session
times and contact windows. One run per module (``run``); each test checks one invariant with
SQL afterwards, and the replicas are compared with each other answer by answer.

- a supporter is never above capacity;
- an agreement version is never in force without both people's consent;
- no two confirmed sessions of a pair overlap;
- no message is delivered outside an agreed contact window;
- no lost update on agreements: every write acknowledged is there, each moved the revision on
  by exactly one, and every refusal was a 409/412/422, never a 5xx.
"""

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from tests.reliability.cluster import Cluster
from tests.reliability.load import Tally, record
from tests.reliability.people import Actor, Pair, Seeker, bearer, pairs, seekers, supporters

pytestmark = [pytest.mark.reliability, pytest.mark.postgres_only]

SUPPORTERS, CAPACITY, SEEKERS = 6, 2, 60
AGREEMENT_PAIRS, SESSION_PAIRS, MESSAGE_PAIRS = 10, 10, 12
AGREEMENT_ROUNDS, SESSION_ROUNDS, MESSAGES_EACH = 12, 10, 8
BASE = "/api/v1"
# Conflicts are the answer to a race; anything else would be a defect.
REFUSALS = {409, 412, 422}


@dataclass
class Run:
    cluster: Cluster
    tally: Tally
    supporters: list[Actor]
    seekers: list[Seeker]
    agreement_pairs: list[Pair]
    session_pairs: list[Pair]
    message_pairs: list[Pair]
    closed_pairs: set[UUID]  # message pairs whose windows are closed during the run
    seconds: float = 0.0
    clients: int = 0
    # The load generator's own record of acknowledged writes.
    proposals: list[tuple[UUID, int, UUID, int]] = field(default_factory=list)  # rel, n, who, min
    consents: list[tuple[UUID, int, UUID]] = field(default_factory=list)
    agreement_writes: Counter = field(default_factory=Counter)  # relationship -> 2xx writes
    stale_412: int = 0
    messages: list[tuple[UUID, UUID, str]] = field(default_factory=list)  # rel, id, sender
    sessions_confirmed: int = 0
    accepted: list[tuple[UUID, UUID]] = field(default_factory=list)  # supporter, relationship


def _client(url: str, actor: Actor) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, headers=bearer(actor), timeout=120)


# ---- the racers ----------------------------------------------------------------------------


async def _seeker(run: Run, n: int, seeker: Seeker, go: asyncio.Event) -> None:
    """Look at the shortlist and choose; most seekers want the same few supporters."""
    urls, tally = run.cluster.urls, run.tally
    async with _client(urls[n % len(urls)], seeker.actor) as api:
        await go.wait()
        request = f"{BASE}/support-requests/{seeker.request_id}"
        found = await tally.call(api, "shortlist", "GET", f"{request}/shortlist?k={SUPPORTERS}")
        if found is None or found.status_code != 200 or not found.json():
            return
        ids = [c["supporter_id"] for c in found.json()]
        favourite = str(run.supporters[n % 2].user_id)  # two supporters most want
        chosen = favourite if favourite in ids else ids[0]
        await tally.call(api, "choose", "POST", f"{request}/choice", json={"supporter_id": chosen})
        if n % 5 == 0:  # some stop looking while the supporter answers
            await asyncio.sleep(random.random() * 0.5)
            await tally.call(api, "withdraw_request", "DELETE", request)


async def _supporter(run: Run, supporter: Actor, go: asyncio.Event, done: asyncio.Event) -> None:
    """Accept every introduction at once, each through a different replica, until the seekers
    are done and nothing is waiting."""
    clients = [_client(url, supporter) for url in run.cluster.urls]
    try:
        await go.wait()
        while True:
            finished = done.is_set()
            inbox = await run.tally.call(clients[0], "inbox", "GET", f"{BASE}/introductions")
            answered = inbox is not None and inbox.status_code == 200
            waiting = [i["id"] for i in inbox.json()["data"]] if answered else []
            answers = await asyncio.gather(
                *(
                    run.tally.call(
                        clients[k % len(clients)],
                        "accept",
                        "POST",
                        f"{BASE}/introductions/{rid}/accept",
                    )
                    for k, rid in enumerate(waiting * 2)  # each twice: a double tap
                )
            )
            full = set()
            for rid, answer in zip(waiting * 2, answers, strict=True):
                if answer is not None and answer.status_code == 200:
                    run.accepted.append((supporter.user_id, UUID(rid)))
                elif answer is not None and answer.json().get("type", "").endswith("full"):
                    full.add(rid)
            # No place left: the rest are declined (the seeker sees "not available right now").
            await asyncio.gather(
                *(
                    run.tally.call(
                        clients[k % len(clients)],
                        "decline",
                        "POST",
                        f"{BASE}/introductions/{rid}/decline",
                    )
                    for k, rid in enumerate(sorted(full))
                )
            )
            if finished and not waiting:
                return
            await asyncio.sleep(0.05)
    finally:
        for c in clients:
            await c.aclose()


def _windows_open() -> list[dict]:
    return [{"weekday": d, "start": "07:00", "end": "22:00"} for d in range(7)]


def _windows_closed(now: datetime) -> list[dict]:
    """One hour, two days from now (London): closed for the whole run."""
    day = (now.astimezone(ZoneInfo("Europe/London")).weekday() + 2) % 7
    return [{"weekday": day, "start": "10:00", "end": "11:00"}]


async def _agreement_person(run: Run, pair: Pair, me: Actor, n: int) -> None:
    """Both people at once: read the agreement, then agree to the other's proposal or propose
    a change (session length and contact times), each with If-Match; now and then on purpose
    with an ETag already out of date; and a message in between."""
    urls, tally, rid = run.cluster.urls, run.tally, pair.relationship_id
    other = pair.supporter if me == pair.seeker else pair.seeker
    clients = [_client(url, me) for url in urls]
    path = f"{BASE}/relationships/{rid}/agreement"
    stale: str | None = None
    try:
        for k in range(AGREEMENT_ROUNDS):
            api = clients[(n + k) % len(clients)]
            got = await tally.call(api, "agreement", "GET", path)
            if got is None or got.status_code != 200:
                continue
            body, etag = got.json(), got.headers["etag"]
            use = stale if (stale and k % 4 == 3) else etag
            stale = etag
            pending = body["pending"]
            if pending and pending["proposed_by"] != _role(pair, me):
                done = await tally.call(
                    api,
                    "agreement_consent",
                    "POST",
                    f"{path}/versions/{pending['number']}/consent",
                    headers={"If-Match": use},
                )
                if done is not None and done.status_code == 200:
                    run.consents.append((rid, pending["number"], me.user_id))
                    run.agreement_writes[rid] += 1
                elif done is not None and done.status_code == 412 and use != etag:
                    run.stale_412 += 1
            else:
                terms = (pending or body["in_force"])["terms"]
                minutes = random.choice([c for c in (30, 45, 60) if c != terms["session_minutes"]])
                now = datetime.now(UTC)
                windows = _windows_open() if k % 3 else _windows_closed(now)
                proposed = {
                    **terms,
                    "session_minutes": minutes,
                    "windows": windows,
                    "max_sessions_per_week": 2,  # the service's limit (api/policies)
                }
                done = await tally.call(
                    api,
                    "agreement_propose",
                    "POST",
                    f"{path}/proposals",
                    json=proposed,
                    headers={"If-Match": use},
                )
                if done is not None and done.status_code == 201:
                    number = int(done.headers["location"].rsplit("/", 1)[1])
                    run.proposals.append((rid, number, me.user_id, minutes))
                    run.agreement_writes[rid] += 1
                elif done is not None and done.status_code == 412 and use != etag:
                    run.stale_412 += 1
            await _send(run, api, rid, me, f"Round {k}, from {me.user_id} to {other.user_id}.")
    finally:
        for c in clients:
            await c.aclose()


def _role(pair: Pair, me: Actor) -> str:
    return "seeker" if me == pair.seeker else "supporter"


async def _send(run: Run, api: httpx.AsyncClient, rid: UUID, me: Actor, text: str) -> None:
    sent = await run.tally.call(
        api, "message_send", "POST", f"{BASE}/relationships/{rid}/messages", json={"body": text}
    )
    if sent is not None and sent.status_code == 201:
        run.messages.append((rid, UUID(sent.json()["id"]), str(me.user_id)))


async def _session_person(run: Run, pair: Pair, me: Actor, n: int) -> None:
    """Both people propose times that overlap each other's, and confirm what the other
    proposed, at the same moment, through different replicas."""
    urls, tally, rid = run.cluster.urls, run.tally, pair.relationship_id
    clients = [_client(url, me) for url in urls]
    path = f"{BASE}/relationships/{rid}/sessions"
    try:
        for k in range(SESSION_ROUNDS):
            api = clients[(n + k) % len(clients)]
            day = datetime.fromisoformat(pair.slots[k // 2])
            offset = timedelta(minutes=random.choice([0, 10, 20]))
            await tally.call(
                api,
                "session_propose",
                "POST",
                path,
                json={"start_at": (day + offset).isoformat(), "channel": "video"},
            )
            listed = await tally.call(api, "sessions", "GET", path)
            if listed is None or listed.status_code != 200:
                continue
            theirs = [
                s
                for s in _sessions(listed.json())
                if s["status"] == "proposed" and not s["proposed_by_me"]
            ]
            answers = await asyncio.gather(
                *(
                    tally.call(
                        clients[j % len(clients)],
                        "session_confirm",
                        "POST",
                        f"{path}/{s['id']}/confirm",
                    )
                    for j, s in enumerate(theirs)
                )
            )
            run.sessions_confirmed += sum(1 for a in answers if a is not None and a.is_success)
    finally:
        for c in clients:
            await c.aclose()


def _sessions(body: dict) -> list[dict]:
    return list(body["sessions"])


async def _messenger(run: Run, pair: Pair, me: Actor, n: int) -> None:
    clients = [_client(url, me) for url in run.cluster.urls]
    try:
        await asyncio.gather(
            *(
                _send(run, clients[(n + k) % len(clients)], pair.relationship_id, me, f"#{k}")
                for k in range(MESSAGES_EACH)
            )
        )
    finally:
        for c in clients:
            await c.aclose()


# ---- the run -------------------------------------------------------------------------------


async def _close_windows(conn: asyncpg.Connection, relationship_ids: list[UUID]) -> None:
    """These pairs' agreed terms: contact only in one hour two days away (held messages)."""
    windows = json.dumps(_windows_closed(datetime.now(UTC)))
    await conn.execute(
        "UPDATE agreement_version SET terms = jsonb_set(terms::jsonb, '{windows}', $1::jsonb)"
        "::json WHERE relationship_id = ANY($2::uuid[])",
        windows,
        relationship_ids,
    )


@pytest.fixture(scope="module")
async def run(cluster: Cluster, conn: asyncpg.Connection, settings) -> Run:
    random.seed(16)
    made = await pairs(conn, settings, AGREEMENT_PAIRS + SESSION_PAIRS + MESSAGE_PAIRS)
    messages_only = made[AGREEMENT_PAIRS + SESSION_PAIRS :]
    closed = {p.relationship_id for p in messages_only[::2]}
    await _close_windows(conn, list(closed))
    the_run = Run(
        cluster=cluster,
        tally=Tally(),
        supporters=await supporters(conn, settings, SUPPORTERS, CAPACITY),
        seekers=await seekers(conn, settings, SEEKERS),
        agreement_pairs=made[:AGREEMENT_PAIRS],
        session_pairs=made[AGREEMENT_PAIRS : AGREEMENT_PAIRS + SESSION_PAIRS],
        message_pairs=messages_only,
        closed_pairs=closed,
    )
    go, seekers_done = asyncio.Event(), asyncio.Event()
    seeker_tasks = [_seeker(the_run, n, s, go) for n, s in enumerate(the_run.seekers)]
    supporter_tasks = [_supporter(the_run, s, go, seekers_done) for s in the_run.supporters]
    others = []
    for n, pair in enumerate(the_run.agreement_pairs):
        others += [_agreement_person(the_run, pair, p, n + i) for i, p in enumerate(_two(pair))]
    for n, pair in enumerate(the_run.session_pairs):
        others += [_session_person(the_run, pair, p, n + i) for i, p in enumerate(_two(pair))]
    for n, pair in enumerate(the_run.message_pairs):
        others += [_messenger(the_run, pair, p, n + i) for i, p in enumerate(_two(pair))]
    the_run.clients = len(seeker_tasks) + len(supporter_tasks) + len(others)

    async def seekers_then_done() -> None:
        await asyncio.gather(*seeker_tasks)
        seekers_done.set()

    async def started(*work: Any) -> None:
        go.set()
        await asyncio.gather(*work)

    began = time.perf_counter()
    await asyncio.wait_for(started(seekers_then_done(), *supporter_tasks, *others), timeout=300)
    the_run.seconds = round(time.perf_counter() - began, 1)
    return the_run


def _two(pair: Pair) -> tuple[Actor, Actor]:
    return pair.seeker, pair.supporter


# ---- the checks ----------------------------------------------------------------------------


async def test_the_load_was_real_and_no_request_failed(run: Run) -> None:
    tally = run.tally
    summary = tally.summary()
    assert run.clients >= 50
    assert tally.server_errors == [], tally.server_errors[:5]
    assert summary["no_answer"] == 0, tally.transport_errors
    # The races happened: places were fought over, agreements refused stale writes.
    for key, text in sorted(tally.samples.items()):
        print(key, text)
    assert tally.count(op="accept", status=409) > 0, summary["by_operation"]
    assert tally.count(status=412) > 0, summary["by_operation"]
    assert run.stale_412 > 0
    assert tally.count(op="session_confirm", status=200) > 0
    for op in ("choose", "accept", "agreement_propose", "agreement_consent", "message_send"):
        assert tally.count(op=op, status=200) + tally.count(op=op, status=201) > 0, op
    unexpected = {
        (op, s): n
        for (op, s), n in tally.statuses.items()
        if s >= 300 and s not in REFUSALS | {404}
    }
    assert unexpected == {}, unexpected
    record(
        "invariants",
        {
            "replicas": len(run.cluster.replicas),
            "clients": run.clients,
            "seconds": run.seconds,
            **summary,
            "stale_if_match_refused_412": run.stale_412,
            "acknowledged": {
                "accepts": len(run.accepted),
                "agreement_proposals": len(run.proposals),
                "agreement_consents": len(run.consents),
                "sessions_confirmed": run.sessions_confirmed,
                "messages": len(run.messages),
            },
        },
    )


async def test_no_supporter_is_ever_above_capacity(run: Run, conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT o.user_id, o.capacity, o.active_count,"
        " (SELECT count(*) FROM relationship r WHERE r.supporter_id = o.user_id"
        "  AND r.state IN ('agreeing', 'active', 'paused')) AS holding"
        " FROM supporter_offer o WHERE o.user_id = ANY($1::uuid[])",
        [s.user_id for s in run.supporters],
    )
    assert len(rows) == SUPPORTERS
    for row in rows:
        assert row["holding"] <= row["capacity"], dict(row)
        assert row["active_count"] == row["holding"], dict(row)
    # Places were fought over: supporters with more introductions than places were filled,
    # and not one beyond. Every acknowledged accept is there.
    introduced = {
        r["supporter_id"]: r["n"]
        for r in await conn.fetch(
            "SELECT supporter_id, count(*) AS n FROM relationship"
            " WHERE supporter_id = ANY($1::uuid[]) GROUP BY supporter_id",
            [s.user_id for s in run.supporters],
        )
    }
    contested = [r for r in rows if introduced.get(r["user_id"], 0) > r["capacity"]]
    assert any(r["holding"] == r["capacity"] for r in contested), [dict(r) for r in rows]
    holding = await conn.fetch(
        "SELECT supporter_id, id FROM relationship WHERE state IN ('agreeing', 'active')"
        " AND supporter_id = ANY($1::uuid[])",
        [s.user_id for s in run.supporters],
    )
    assert sorted(run.accepted) == sorted((r["supporter_id"], r["id"]) for r in holding)


async def test_no_version_is_in_force_without_both_consents(
    run: Run, conn: asyncpg.Connection
) -> None:
    lacking = await conn.fetch(
        "SELECT v.relationship_id, v.number, v.status FROM agreement_version v"
        " JOIN relationship r ON r.id = v.relationship_id"
        " WHERE (v.status IN ('agreed', 'superseded') OR v.agreed_at IS NOT NULL"
        "        OR r.agreed_version = v.number)"
        " AND (SELECT count(DISTINCT c.user_id) FROM agreement_consent c"
        "      WHERE c.version_id = v.id AND c.kind = 'consent'"
        "      AND c.user_id IN (r.seeker_id, r.supporter_id)) < 2"
    )
    assert lacking == []
    in_force = await conn.fetch(
        "SELECT r.id, r.agreed_version, array_agg(v.number) FILTER (WHERE v.status = 'agreed')"
        " AS agreed FROM relationship r JOIN agreement_version v ON v.relationship_id = r.id"
        " WHERE r.id = ANY($1::uuid[]) GROUP BY r.id, r.agreed_version",
        [p.relationship_id for p in run.agreement_pairs],
    )
    for row in in_force:  # exactly one version in force, and it is the one the pair names
        assert row["agreed"] == [row["agreed_version"]], dict(row)
    assert sum(1 for _ in run.consents) > 0


async def test_no_acknowledged_agreement_change_is_lost(run: Run, conn: asyncpg.Connection) -> None:
    revisions = {
        r["id"]: r["agreement_revision"]
        for r in await conn.fetch(
            "SELECT id, agreement_revision FROM relationship WHERE id = ANY($1::uuid[])",
            [p.relationship_id for p in run.agreement_pairs],
        )
    }
    for pair in run.agreement_pairs:  # the pairs started at revision 2 (bench/api_data.py)
        rid = pair.relationship_id
        assert revisions[rid] == 2 + run.agreement_writes[rid], rid
    for rid, number, who, minutes in run.proposals:
        row = await conn.fetchrow(
            "SELECT v.proposed_by, v.terms, EXISTS (SELECT 1 FROM agreement_consent c"
            " WHERE c.version_id = v.id AND c.user_id = v.proposed_by) AS consented"
            " FROM agreement_version v WHERE v.relationship_id = $1 AND v.number = $2",
            rid,
            number,
        )
        assert row is not None, (rid, number)
        assert row["proposed_by"] == who and row["consented"]
        assert json.loads(row["terms"])["session_minutes"] == minutes
    for rid, number, who in run.consents:
        found = await conn.fetchval(
            "SELECT count(*) FROM agreement_consent c JOIN agreement_version v"
            " ON v.id = c.version_id WHERE v.relationship_id = $1 AND v.number = $2"
            " AND c.user_id = $3 AND c.kind = 'consent'",
            rid,
            number,
            who,
        )
        assert found == 1, (rid, number, who)


async def test_no_two_confirmed_sessions_of_a_pair_overlap(
    run: Run, conn: asyncpg.Connection
) -> None:
    overlapping = await conn.fetch(
        "SELECT a.relationship_id, a.start_at, b.start_at FROM contact_session a"
        " JOIN contact_session b ON a.relationship_id = b.relationship_id AND a.id < b.id"
        " WHERE a.status IN ('confirmed', 'held') AND b.status IN ('confirmed', 'held')"
        " AND a.start_at < b.start_at + b.minutes * interval '1 minute'"
        " AND b.start_at < a.start_at + a.minutes * interval '1 minute'"
    )
    assert overlapping == []
    confirmed = await conn.fetchval(
        "SELECT count(*) FROM contact_session WHERE status = 'confirmed'"
    )
    assert confirmed == run.sessions_confirmed > 0
    # Open sessions of a pair never overlap either (a proposal takes its time too).
    open_overlaps = await conn.fetchval(
        "SELECT count(*) FROM contact_session a JOIN contact_session b"
        " ON a.relationship_id = b.relationship_id AND a.id < b.id"
        " WHERE a.status IN ('proposed', 'confirmed') AND b.status IN ('proposed', 'confirmed')"
        " AND a.start_at < b.start_at + b.minutes * interval '1 minute'"
        " AND b.start_at < a.start_at + a.minutes * interval '1 minute'"
    )
    assert open_overlaps == 0


def _inside(terms: dict, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(terms["timezone"]))
    minute = local.hour * 60 + local.minute + local.second / 60
    for window in terms["windows"]:
        start = int(window["start"][:2]) * 60 + int(window["start"][3:5])
        end = int(window["end"][:2]) * 60 + int(window["end"][3:5])
        if window["weekday"] == local.weekday() and start <= minute < end:
            return True
    return False


async def test_no_message_is_delivered_outside_an_agreed_window(
    run: Run, conn: asyncpg.Connection
) -> None:
    rows = await conn.fetch(
        "SELECT m.id, m.relationship_id, m.sent_at, m.deliver_at, m.held, m.windows_version,"
        " v.terms, r.agreed_version FROM message m JOIN relationship r ON r.id ="
        " m.relationship_id LEFT JOIN agreement_version v ON v.relationship_id ="
        " m.relationship_id AND v.number = coalesce(m.windows_version, r.agreed_version)"
        " WHERE m.sent_at >= now() - interval '1 hour' AND m.dropped_at IS NULL"
    )
    ids = {r["id"] for r in rows}
    missing = [m for _, m, _ in run.messages if m not in ids]
    assert missing == []  # every acknowledged message is stored
    held = Counter()
    for row in rows:
        terms = json.loads(row["terms"])
        assert _inside(terms, row["deliver_at"]), dict(row)
        if not row["held"]:
            assert row["deliver_at"] == row["sent_at"], dict(row)
        held[row["held"]] += 1
        if row["relationship_id"] in run.closed_pairs:
            assert row["held"], dict(row)
    assert held[True] > 0 and held[False] > 0, held
    # No recipient sees a held message before its time, on any replica.
    now = datetime.now(UTC)
    waiting = {r["id"] for r in rows if r["deliver_at"] > now}
    for pair in run.message_pairs[:4] + run.agreement_pairs[:3]:
        for person in _two(pair):
            answers = await _from_every_replica(
                run, person, f"{BASE}/relationships/{pair.relationship_id}/messages?limit=100"
            )
            received = [m for m in answers[0]["messages"] if not m["mine"]]
            early = [m for m in received if UUID(m["id"]) in waiting]
            assert early == [], early
            for message in received:
                assert datetime.fromisoformat(message["deliver_at"]) <= datetime.now(UTC)


async def _from_every_replica(run: Run, who: Actor, path: str) -> list[Any]:
    """The same GET on every replica; they must all answer the same."""
    answers = []
    for url in run.cluster.urls:
        async with _client(url, who) as api:
            response = await api.get(path)
        assert response.status_code == 200, (url, path, response.text[:300])
        answers.append(response.json())
    for other in answers[1:]:
        assert other == answers[0], path
    return answers


async def test_every_replica_answers_the_same(run: Run, conn: asyncpg.Connection) -> None:
    compared = 0
    for pair in run.agreement_pairs + run.session_pairs + run.message_pairs[:4]:
        rid = pair.relationship_id
        for person in _two(pair):
            for path in ("", "/agreement", "/sessions", "/messages?limit=100"):
                await _from_every_replica(run, person, f"{BASE}/relationships/{rid}{path}")
                compared += 1
        agreement = await _from_every_replica(
            run, pair.seeker, f"{BASE}/relationships/{rid}/agreement"
        )
        revision = await conn.fetchval(
            "SELECT agreement_revision FROM relationship WHERE id = $1", rid
        )
        assert agreement[0]["revision"] == revision
    for supporter in run.supporters:
        await _from_every_replica(run, supporter, f"{BASE}/supporter-offer")
        compared += 1
    for seeker in run.seekers[:20]:
        await _from_every_replica(run, seeker.actor, f"{BASE}/support-requests/current")
        compared += 1
    record("replicas_compared", {"resources": compared, "replicas": len(run.cluster.urls)})
    by_state = defaultdict(int)
    for row in await conn.fetch("SELECT state, count(*) AS n FROM relationship GROUP BY state"):
        by_state[row["state"]] = row["n"]
    assert by_state["agreeing"] > 0
