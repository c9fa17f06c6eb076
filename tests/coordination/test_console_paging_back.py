"""The console's lists page back as well as forward (api/paging.py's rules): for every sort
order, walking the list backwards from its end with `ending_before` gives the same pages as
walking it forwards; `has_more` going back says whether more lie before; both cursors, or a
cursor that is no item, are refused naming the parameter."""

import html
import re
from datetime import timedelta
from uuid import uuid4

import pytest

from api.auth.models import User
from api.common import utcnow
from api.matching.models import SupportRequest
from api.relationships.models import Relationship, State
from api.supporters.models import OfferStatus, SupporterOffer
from tests.personas import peer, staff
from tests.web.pages import log_in

C = "/api/v1/coordination"
NAMES = ["Ann", "Ben", "Ann", "Cat", "Ben", "Dan", "Ann"]  # names repeat: the id breaks ties


def _person(n: int) -> User:
    return User(
        email=f"paging.{n}.{uuid4().hex[:6]}@example.org",
        display_name=NAMES[n % 7],
        password_hash="-",
    )


async def _supporters(db) -> None:
    """Seven supporters (one suspended, one paused) with tied names, loads and decisions."""
    now = utcnow()
    for n in range(7):
        user = _person(n)
        db.add(user)
        await db.flush()
        db.add(
            SupporterOffer(
                user_id=user.id,
                display_name=user.display_name,
                status=OfferStatus.suspended if n == 3 else OfferStatus.approved,
                capacity=3,
                active_count=n % 3,
                paused=n == 5,
                created_at=now - timedelta(days=30 + n),
                decided_at=None if n % 2 else now - timedelta(days=n // 2),
            )
        )
    await db.commit()


async def _relationships(db, count: int = 9) -> None:
    """Relationships, some made at the same moment and some with as many sessions."""
    seeker, supporter = _person(0), _person(1)
    db.add_all([seeker, supporter])
    await db.flush()
    made = utcnow() - timedelta(days=20)
    for n in range(count):
        db.add(
            Relationship(
                seeker_id=seeker.id,
                supporter_id=supporter.id,
                state=State.expired if n % 2 else State.ended,
                created_at=made + timedelta(days=n // 3),
                sessions_held=n % 4,
            )
        )
    await db.commit()


async def _waiting(db) -> None:
    """Eight waiting (three first in line, one tie on the time), one already matched."""
    now = utcnow()
    for n in range(9):
        user = _person(n)
        db.add(user)
        await db.flush()
        db.add(
            SupportRequest(
                seeker_id=user.id,
                status="matched" if n == 8 else "waiting",
                created_at=now - timedelta(days=10 - n // 2),
                first_in_line_at=now - timedelta(hours=n % 2) if n in (1, 4, 6) else None,
            )
        )
    await db.commit()


async def _get(client, robin, path: str, params: dict) -> dict:
    answer = await client.get(f"{C}/{path}", params=params, headers=robin.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _walk_both_ways(client, robin, path: str, key: str, params: dict) -> list[str]:
    """Every item forwards (pages of 2), then backwards from the last; both must agree."""
    whole = await _get(client, robin, path, {**params, "limit": 100})
    everything = [item[key] for item in whole["data"]]
    assert whole["has_more"] is False and len(everything) == len(set(everything)) >= 4
    forwards: list[list[str]] = []
    cursor: dict = {}
    while True:
        found = await _get(client, robin, path, {**params, "limit": 2, **cursor})
        forwards.append([item[key] for item in found["data"]])
        if not found["has_more"]:
            break
        cursor = {"starting_after": forwards[-1][-1]}
    assert [i for page in forwards for i in page] == everything
    # Back from after the last item: the pages end where each forward page began.
    backwards: list[list[str]] = []
    first = everything[-1]
    last_page = await _get(client, robin, path, {**params, "limit": 2, "ending_before": first})
    assert [item[key] for item in last_page["data"]] == everything[-3:-1]
    cursor = {"ending_before": everything[-1]}
    backwards.append([everything[-1]])
    while True:
        found = await _get(client, robin, path, {**params, "limit": 2, **cursor})
        page = [item[key] for item in found["data"]]
        backwards.insert(0, page)
        if not found["has_more"]:
            break
        cursor = {"ending_before": page[0]}
    assert [i for page in backwards for i in page] == everything
    assert len(backwards[0]) in (1, 2)  # the first page back reaches the start exactly
    return everything


@pytest.mark.parametrize("sort", ["name", "load", "newest"])
async def test_the_roster_pages_back_in_every_order(client, db, settings, sort):
    robin = await staff(client, db, settings)
    await _supporters(db)
    listed = await _walk_both_ways(client, robin, "supporters", "id", {"sort": sort})
    assert len(listed) == 7
    approved = await _walk_both_ways(
        client, robin, "supporters", "id", {"sort": sort, "status": "approved"}
    )
    assert len(approved) == 6 and set(approved) < set(listed)


@pytest.mark.parametrize("sort", ["newest", "oldest", "sessions"])
async def test_relationships_page_back_in_every_order(client, db, settings, sort):
    robin = await staff(client, db, settings)
    await _relationships(db)
    listed = await _walk_both_ways(client, robin, "relationships", "id", {"sort": sort})
    assert len(listed) == 9
    ended = await _walk_both_ways(
        client, robin, "relationships", "id", {"sort": sort, "state": "expired"}
    )
    assert len(ended) == 4 and set(ended) < set(listed)


async def test_the_waiting_list_pages_back_across_first_in_line(client, db, settings):
    robin = await staff(client, db, settings)
    await _waiting(db)
    listed = await _walk_both_ways(client, robin, "waiting-list", "id", {})
    whole = (await _get(client, robin, "waiting-list", {"limit": 100}))["data"]
    assert [w["first_in_line"] for w in whole] == [True] * 3 + [False] * 5
    assert len(listed) == 8
    # Back from the first of the rest: those first in line, has_more telling there are more.
    back = await _get(client, robin, "waiting-list", {"limit": 2, "ending_before": listed[3]})
    assert [w["id"] for w in back["data"]] == listed[1:3] and back["has_more"] is True
    start = await _get(client, robin, "waiting-list", {"limit": 2, "ending_before": listed[0]})
    assert start == {"data": [], "has_more": False}


@pytest.mark.parametrize("path", ["supporters", "relationships", "waiting-list"])
async def test_back_paging_is_checked(client, db, settings, path):
    robin = await staff(client, db, settings)
    both = {"starting_after": str(uuid4()), "ending_before": str(uuid4())}
    for params, field in (
        ({"ending_before": str(uuid4())}, "ending_before"),
        (both, "ending_before"),
    ):
        refused = await client.get(f"{C}/{path}", params=params, headers=robin.headers)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    alice = await peer(client, "alice")
    denied = await client.get(
        f"{C}/{path}", params={"ending_before": str(uuid4())}, headers=alice.headers
    )
    assert denied.status_code == 403


async def test_the_relationships_page_links_to_the_page_before_and_after(client, db, settings):
    robin = await staff(client, db, settings)
    await _relationships(db, count=30)
    await log_in(client, robin.email)

    def shown(page) -> tuple[list[str], dict[str, str]]:
        assert page.status_code == 200, page.text[:300]
        rows = re.findall(r'href="/coordinator/relationships/([0-9a-f-]{36})"', page.text)
        links = re.findall(r'<a class="button" href="([^"]+)">(Earlier|More)</a>', page.text)
        return rows, {word: html.unescape(href) for href, word in links}

    first_rows, first_links = shown(await client.get("/coordinator/relationships"))
    assert len(first_rows) == 25 and set(first_links) == {"More"}
    second_rows, second_links = shown(await client.get(first_links["More"]))
    assert len(second_rows) == 5 and set(second_links) == {"Earlier"}
    back_rows, back_links = shown(await client.get(second_links["Earlier"]))
    assert back_rows == first_rows and set(back_links) == {"More"}
