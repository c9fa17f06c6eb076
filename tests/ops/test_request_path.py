"""The fast request path keeps its promises: reads alone send no BEGIN or COMMIT on PostgreSQL,
anything that writes or locks is in a transaction that commits or rolls back whole, the
session is re-checked in the same statement as what a route reads, and the order of the API's
routers changes no answer."""

import re
import uuid

import httpx
import pytest
from sqlalchemy import bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel
from starlette.routing import compile_path

import api.models  # noqa: F401  (every table model, for the default factories)
from api.auth.models import User
from api.common import utcnow
from api.db import create_engine, fast_rows, reads_only
from api.main import create_app
from api.policies.models import ServiceSetting
from tests.contact.helpers import contact_pair, rid, windows_around
from tests.personas import peer


@pytest.mark.parametrize(
    ("statement", "only_reads"),
    [
        ("SELECT user_account.id FROM user_account WHERE user_account.id = $1", True),
        ("  select updated_at, deleted_by from t", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),
        ("SELECT id FROM job WHERE status = 'todo' FOR UPDATE SKIP LOCKED", False),
        ("SELECT id FROM t FOR NO KEY UPDATE", False),
        ("SELECT id FROM t FOR SHARE", False),
        ("WITH moved AS (UPDATE t SET a = 1 RETURNING id) SELECT id FROM moved", False),
        ("SELECT pg_advisory_xact_lock(1)", False),
        ("SELECT nextval('s')", False),
        ("INSERT INTO t (a) VALUES ($1)", False),
        ("UPDATE t SET a = 1", False),
        ("DELETE FROM t", False),
        ("SET LOCAL kindred.audit_purge = 'on'", False),
        ("SAVEPOINT sa_savepoint_1", False),
    ],
)
def test_which_statements_may_run_outside_a_transaction(statement, only_reads):
    assert reads_only(statement) is only_reads


@pytest.fixture
async def logged(settings, is_postgres):
    """The app on an engine of its own whose every statement to PostgreSQL is recorded."""
    if not is_postgres:
        pytest.skip("PostgreSQL's transactions (SQLite's driver already begins at a write)")
    engine = create_engine(settings.database_url, 2)
    sent: list[str] = []

    @event.listens_for(engine.sync_engine, "connect")
    def _record(dbapi_connection, _record):
        dbapi_connection.driver_connection.add_query_logger(lambda q: sent.append(q.query))

    app = create_app(settings, engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c, sent, engine
    await engine.dispose()


def _control(sent: list[str]) -> list[str]:
    return [
        q.strip().rstrip(";").upper()
        for q in sent
        if re.match(r"\s*(BEGIN|COMMIT|ROLLBACK)", q, re.I)
    ]


async def test_a_read_sends_no_begin_or_commit_and_a_write_commits_whole(logged):
    client, sent, _ = logged
    alice = await peer(client)
    sent.clear()
    me = await client.get("/api/v1/me", headers=alice.headers)
    assert me.status_code == 200, me.text
    assert me.json()["display_name"] == "Alice"
    assert _control(sent) == []
    sent.clear()
    out = await client.post("/api/v1/auth/logout", headers=alice.headers)
    assert out.status_code == 204
    assert _control(sent)[0].startswith("BEGIN") and _control(sent)[-1] == "COMMIT"
    # the session re-check folded into /me's statement sees the logout at once
    again = await client.get("/api/v1/me", headers=alice.headers)
    assert again.status_code == 401
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_a_lock_begins_the_transaction_and_a_failure_undoes_the_write(logged):
    _, sent, engine = logged
    async with AsyncSession(engine) as db:
        await db.execute(select(User.id).limit(1))
        assert _control(sent) == []
        await db.execute(select(User.id).limit(1).with_for_update())
        assert _control(sent) == ["BEGIN"]
        key = f"test-{uuid.uuid4().hex[:8]}"
        db.add(ServiceSetting(key=key, value={"a": 1}))
        await db.flush()
        await db.rollback()
    async with AsyncSession(engine) as db:
        assert await db.get(ServiceSetting, key) is None


async def test_fast_rows_read_what_the_request_has_yet_to_write(db):
    key = f"test-{uuid.uuid4().hex[:8]}"
    db.add(ServiceSetting(key=key, value={"kept": True}))
    setting = ServiceSetting.__table__.c  # type: ignore[attr-defined]
    statement = select(setting.value).where(setting.key == bindparam("key"))
    rows = await fast_rows(db, statement, {"key": key})
    assert [tuple(r) for r in rows] == [({"kept": True},)]
    await db.rollback()


async def test_a_relationships_reads_take_the_round_trips_the_scaling_notes_count(
    logged, client, db, settings
):
    """docs/scaling.md's table: a relationship read is 4 statements, its agreement 3, its
    conversation 5, each with the session re-check in it and none with BEGIN or COMMIT; a
    change of the service's limits is seen at once (they come in the relationship's own
    statement, not from a copy)."""
    logged_client, sent, engine = logged
    orm: list[str] = []
    event.listen(
        engine.sync_engine, "before_cursor_execute", lambda _c, _cur, sql, *_: orm.append(sql)
    )
    # inside the agreed windows (outside them, the crisis contacts are one statement more)
    windows = windows_around(utcnow(), "Europe/London", 60, 180)
    pair = await contact_pair(client, db, settings, windows=windows, timezone="Europe/London")
    path = f"/api/v1/relationships/{rid(pair)}"
    for suffix, statements in (("", 4), ("/agreement", 3), ("/messages", 5)):
        first = await logged_client.get(path + suffix, headers=pair.seeker.headers)
        assert first.status_code == 200, first.text
        sent.clear()
        orm.clear()
        again = await logged_client.get(path + suffix, headers=pair.seeker.headers)
        assert again.status_code == 200, again.text
        assert _control(sent) == []
        assert len(sent) + len(orm) == statements, (suffix, sent, orm)
    db.add(ServiceSetting(key="dependency_limits", value={"max_messages_a_day": 1}))
    await db.commit()
    said = await logged_client.post(
        f"{path}/messages", headers=pair.seeker.headers, json={"body": "Hello"}
    )
    assert said.status_code == 201, said.text
    refused = await logged_client.post(
        f"{path}/messages", headers=pair.seeker.headers, json={"body": "Hello again"}
    )
    assert refused.status_code == 409, refused.text


def test_table_rows_take_no_builtin_default_factory():
    """SQLModel asks pydantic for a row's defaults each time it makes one, and pydantic reads
    the default factory's signature each time: a builtin's (`list`, `dict`) is parsed from
    text, ~0.3 ms a field (a notice preference took 1.5 ms to make). Table models use
    `api.common.json_list_field` / `json_dict_field` instead."""
    builtins = (list, dict, set, tuple)
    found = [
        f"{mapper.class_.__name__}.{name}"
        for mapper in SQLModel._sa_registry.mappers
        for name, field in mapper.class_.model_fields.items()
        if field.default_factory in builtins
    ]
    assert found == []


def test_no_two_api_routes_answer_one_path(app):
    """FastAPI tries routes in order and the API's routers are ordered by use (api/main.py):
    that is only safe while no two routes of one method match the same path. Where one
    router declares a fixed segment before a parameter, the order is its own (kept)."""
    within_one_router = {
        ("GET", "/api/v1/relationships/{relationship_id}/sessions/slots"),
    }
    paths = app.openapi()["paths"]
    operations = [(m.upper(), p) for p, item in paths.items() for m in item if m != "parameters"]
    patterns = {op: compile_path(op[1])[0] for op in operations}
    sample = str(uuid.uuid4())
    for method, path in operations:
        concrete = re.sub(r"\{[^}]+\}", sample, path)
        matching = [p for (m, p), rx in patterns.items() if m == method and rx.match(concrete)]
        if (method, path) in within_one_router:
            continue
        assert matching == [path], f"{method} {concrete} is matched by {matching}"
