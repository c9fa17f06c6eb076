"""Cursor pagination, the same on every list: limit, starting_after / ending_before, has_more,
a stable order, and periods."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import update
from sqlmodel import select

from api.common import utcnow
from api.errors import Invalid
from api.notices.models import Notice
from api.notices.service import notify
from api.paging import Window, page_of
from tests.factories import agreeing_pair
from tests.personas import peer

NOTICES = "/api/v1/notices"


async def _five_notices(db, person) -> list[str]:
    """Five notices a minute apart (the newest last made); their ids, newest first."""
    now = utcnow()
    for _ in range(5):
        await notify(db, user_id=person.id, relationship_id=None, kind="account_deleted")
    ids = list((await db.execute(select(Notice.id).where(Notice.user_id == person.id))).scalars())
    for index, notice_id in enumerate(ids):
        await db.execute(
            update(Notice)
            .where(Notice.id == notice_id)
            .values(created_at=now - timedelta(minutes=5 - index))
        )
    await db.commit()
    return [str(i) for i in reversed(ids)]


async def _page(client, person, query: str = "") -> dict:
    answer = await client.get(f"{NOTICES}?{query}", headers=person.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def ids(found: dict) -> list[str]:
    return [item["id"] for item in found["data"]]


async def test_a_list_pages_forward_and_back_in_a_stable_order(client, db):
    alice = await peer(client, "alice")
    newest_first = await _five_notices(db, alice)
    first = await _page(client, alice, "limit=2")
    assert ids(first) == newest_first[:2] and first["has_more"] is True
    second = await _page(client, alice, f"limit=2&starting_after={newest_first[1]}")
    assert ids(second) == newest_first[2:4] and second["has_more"] is True
    last = await _page(client, alice, f"limit=2&starting_after={newest_first[3]}")
    assert ids(last) == newest_first[4:] and last["has_more"] is False
    back = await _page(client, alice, f"limit=2&ending_before={newest_first[2]}")
    assert ids(back) == newest_first[:2] and back["has_more"] is False
    back_one = await _page(client, alice, f"limit=1&ending_before={newest_first[2]}")
    assert ids(back_one) == newest_first[1:2] and back_one["has_more"] is True
    everything = await _page(client, alice)
    assert ids(everything) == newest_first and everything["has_more"] is False


async def test_lists_filter_by_state_and_period(client, db):
    alice = await peer(client, "alice")
    newest_first = await _five_notices(db, alice)
    read = await client.post(f"{NOTICES}/{newest_first[0]}/read", headers=alice.headers)
    assert read.status_code == 204
    assert ids(await _page(client, alice, "unread=true")) == newest_first[1:]
    assert ids(await _page(client, alice, "unread=false")) == newest_first[:1]
    middle = (utcnow() - timedelta(minutes=3, seconds=30)).isoformat().replace("+00:00", "Z")
    assert ids(await _page(client, alice, f"created_after={middle}")) == newest_first[:3]
    assert ids(await _page(client, alice, f"created_before={middle}")) == newest_first[3:]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        (f"starting_after={uuid4()}", "starting_after"),
        (f"starting_after={uuid4()}&ending_before={uuid4()}", "ending_before"),
        ("created_after=0.5", "created_after"),
        ("created_after=2026-01-01T10:00:00", "created_after"),
    ],
)
async def test_a_bad_page_is_a_clear_problem(client, query, field):
    alice = await peer(client, "alice")
    answer = await client.get(f"{NOTICES}?{query}", headers=alice.headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_someone_elses_item_is_no_cursor(client, db):
    alice, bea = await peer(client, "alice"), await peer(client, "bea")
    theirs = await _five_notices(db, bea)
    answer = await client.get(f"{NOTICES}?starting_after={theirs[0]}", headers=alice.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "starting_after"


async def test_relationships_page_and_filter_by_state(client, db, settings):
    pair = await agreeing_pair(client, db, settings)
    mine = await client.get("/api/v1/relationships?limit=1", headers=pair.seeker.headers)
    assert mine.status_code == 200
    assert [r["id"] for r in mine.json()["data"]] == [str(pair.relationship_id)]
    assert mine.json()["has_more"] is False
    ended = await client.get("/api/v1/relationships?state=ended", headers=pair.seeker.headers)
    assert ended.json() == {"data": [], "has_more": False}


def test_paging_a_list_in_memory_keeps_the_same_rules():
    items = [UUID(int=i) for i in range(1, 8)]
    page = page_of(items, Window(limit=3, starting_after=items[2]), id_of=lambda i: i)
    assert page.items == items[3:6] and page.has_more
    page = page_of(items, Window(limit=3, ending_before=items[2]), id_of=lambda i: i)
    assert page.items == items[:2] and not page.has_more
    page = page_of(items, Window(limit=7), id_of=lambda i: i)
    assert page.items == items and not page.has_more
    with pytest.raises(Invalid):
        page_of(items, Window(limit=3, starting_after=uuid4()), id_of=lambda i: i)


def test_every_list_pages_both_ways(app):
    """Every operation answering with a page takes limit and both cursors (issue 13)."""
    document = app.openapi()
    lists, short = 0, []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            ok = operation.get("responses", {}).get("200", {}).get("content", {})
            schema = ok.get("application/json", {}).get("schema", {})
            if not schema.get("$ref", "").rsplit("/", 1)[-1].startswith("ListOut_"):
                continue
            lists += 1
            names = {p["name"] for p in operation.get("parameters", [])}
            if not {"limit", "starting_after", "ending_before"} <= names:
                short.append(f"{method.upper()} {path}")
    assert lists > 15 and not short, short
