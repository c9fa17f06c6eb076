"""Statistics of months that are over are kept once counted, and counted again after any change
to what they counted: an introduction answered (or expired) after its month ended, a session
marked held afterwards, an account deleted. Each time the answer equals a count from scratch."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from api.auth.models import Role, User
from api.auth.principal import Principal
from api.contact.models import ContactSession, SessionStatus
from api.coordination import stats
from api.coordination.sql import month_start, months_back
from api.matching import introductions
from api.matching.models import RequestStatus, SupportRequest
from api.monthly import service as monthly
from api.monthly.models import MonthChange, MonthFigures
from api.relationships.models import EndKind, Relationship, State
from tests.contact.helpers import add_session, contact_pair, rid
from tests.personas import PASSWORD, staff

MONTHS = 4
URL = f"/api/v1/coordination/statistics?months={MONTHS}"


def _two_months_ago(days: float = 10) -> datetime:
    """A moment in a month that has been over for a while, whatever today is."""
    return month_start(months_back(3)[0]) + timedelta(days=days)


async def _read(client, coordinator) -> dict:
    response = await client.get(URL, headers=coordinator.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _from_scratch(client, db, coordinator) -> dict:
    """The same statistics with nothing kept: every month counted from the records."""
    await db.execute(delete(MonthFigures))
    await db.commit()
    return await _read(client, coordinator)


def _row(body: dict, table: str, month: str) -> dict:
    return body[table][body["months"].index(month)]


async def _kept_months(db) -> set[str]:
    return set((await db.scalars(select(MonthFigures.month))).all())


async def _changes(db, month: str) -> int:
    return await db.scalar(select(func.count()).where(MonthChange.month == month)) or 0


async def test_months_that_are_over_are_kept_and_read_back_the_same(client, db, settings):
    robin = await staff(client, db, settings)
    rng = random.Random(7)
    people = [
        User(email=f"k{i}@example.org", display_name=f"K{i}", password_hash="x") for i in range(8)
    ]
    db.add_all(people)
    await db.flush()
    now = datetime.now(UTC)
    for _ in range(40):
        seeker, supporter = rng.sample(people, 2)
        asked = now - timedelta(days=rng.uniform(2, 110))
        request = SupportRequest(seeker_id=seeker.id, created_at=asked, updated_at=asked)
        db.add(request)
        await db.flush()
        answered = min(asked + timedelta(days=rng.uniform(0, 9)), now - timedelta(hours=1))
        state = rng.choice([State.active, State.ended, State.declined, State.expired])
        r = Relationship(
            seeker_id=seeker.id,
            supporter_id=supporter.id,
            request_id=request.id,
            state=state,
            created_at=asked,
            answered_at=answered,
        )
        if state == State.ended:
            r.ended_at, r.ended_by = answered + (now - answered) * rng.random(), seeker.id
            r.end_kind = rng.choice([EndKind.completed, EndKind.ended_by_person])
        db.add(r)
        await db.flush()
        if state in (State.active, State.ended):
            start = answered + (now - answered) * rng.random()
            db.add(
                ContactSession(
                    relationship_id=r.id,
                    supporter_id=r.supporter_id,
                    start_at=start,
                    minutes=60,
                    channel="chat",
                    agreement_version=1,
                    status=SessionStatus.held,
                )
            )
    await db.commit()

    first = await _read(client, robin)
    settled = {m for m in first["months"] if monthly.can_keep(m)}
    assert settled and await _kept_months(db) == settled  # this month is never kept
    assert await _read(client, robin) == first  # read back from what was kept
    assert sum(w["matched"] for w in first["waiting"]) > 3  # medians went through the store

    # A change made behind the domains' back is not seen: the kept figures are what is read.
    month = sorted(settled)[0]
    extra = Relationship(
        seeker_id=people[0].id, supporter_id=people[1].id, created_at=month_start(month)
    )
    db.add(extra)
    await db.commit()
    assert await _read(client, robin) == first
    assert _row(await _from_scratch(client, db, robin), "introductions", month)["proposed"] == (
        _row(first, "introductions", month)["proposed"] + 1
    )


async def test_an_introduction_answered_after_its_month_ended_is_counted_again(
    client, db, settings
):
    robin = await staff(client, db, settings)
    seeker = User(email="s@example.org", display_name="S", password_hash="x")
    supporter = User(email="t@example.org", display_name="T", password_hash="x")
    db.add_all([seeker, supporter])
    await db.flush()
    created = _two_months_ago(days=27)
    request = SupportRequest(
        seeker_id=seeker.id,
        status=RequestStatus.introduced,
        created_at=created - timedelta(days=3),
        updated_at=created,
    )
    db.add(request)
    await db.flush()
    db.add(
        Relationship(
            seeker_id=seeker.id,
            supporter_id=supporter.id,
            request_id=request.id,
            state=State.introduced,
            created_at=created,
            expires_at=created + timedelta(days=3),
        )
    )
    await db.commit()
    month = created.strftime("%Y-%m")

    before = _row(await _read(client, robin), "introductions", month)
    assert before["proposed"] == 1 and before["expired"] == 0 and month in await _kept_months(db)
    # Nobody looked until now: the introduction expires, counted in the month it was made.
    await introductions.expire_due(db)
    await db.commit()
    assert await _changes(db, month) == 1
    after = await _read(client, robin)
    assert _row(after, "introductions", month) == {**before, "expired": 1}
    assert after == await _from_scratch(client, db, robin)


async def test_a_session_marked_held_after_its_month_ended_is_counted_again(client, db, settings):
    pair = await contact_pair(client, db, settings)
    started = _two_months_ago()
    session = await add_session(db, pair, started)
    month = started.strftime("%Y-%m")

    before = _row(await _read(client, pair.coordinator), "activity", month)
    assert before == {"month": month, "sessions_held": 0, "supporters_active": 0}
    held = await client.post(
        f"{pair.base}/sessions/{session.id}/outcome",
        json={"outcome": "held"},
        headers=pair.supporter.headers,
    )
    assert held.status_code == 200, held.text
    after = await _read(client, pair.coordinator)
    assert _row(after, "activity", month) == {
        "month": month,
        "sessions_held": 1,
        "supporters_active": 1,
    }
    assert after == await _from_scratch(client, db, pair.coordinator)


async def test_deleting_an_account_counts_the_months_that_named_it_again(client, db, settings):
    pair = await contact_pair(client, db, settings)
    sam, bob = pair.seeker, pair.supporter
    asked = _two_months_ago(days=1)
    answered, ended = asked + timedelta(days=4), asked + timedelta(days=20)
    request = SupportRequest(seeker_id=sam.id, status=RequestStatus.matched, created_at=asked)
    db.add(request)
    await db.flush()
    db.add(
        Relationship(
            seeker_id=sam.id,
            supporter_id=bob.id,
            request_id=request.id,
            state=State.ended,
            created_at=asked + timedelta(days=1),
            answered_at=answered,
            ended_at=ended,
            ended_by=sam.id,
            end_kind=EndKind.ended_by_person,
        )
    )
    await db.commit()
    # A session they held with Bob in a month of its own (not one the ending above touches).
    held_at = month_start(months_back(MONTHS)[0]) + timedelta(days=5)
    await add_session(db, pair, held_at, status=SessionStatus.held)
    months = {answered.strftime("%Y-%m"), ended.strftime("%Y-%m"), held_at.strftime("%Y-%m")}

    before = await _read(client, pair.coordinator)
    assert months <= await _kept_months(db)
    assert _row(before, "waiting", answered.strftime("%Y-%m"))["matched"] == 1
    assert _row(before, "endings", ended.strftime("%Y-%m"))["by_seeker"] == 1
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=sam.headers
    )
    assert gone.status_code == 204, gone.text
    after = await _read(client, pair.coordinator)
    # Their request went with them, and the ending no longer names who ended it.
    assert _row(after, "waiting", answered.strftime("%Y-%m"))["matched"] == 0
    assert _row(after, "endings", ended.strftime("%Y-%m"))["by_seeker"] == 0
    assert after == await _from_scratch(client, db, pair.coordinator)

    # A supporter who leaves is no longer counted among those active in those months.
    held_month = held_at.strftime("%Y-%m")
    assert _row(after, "activity", held_month)["supporters_active"] == 1
    gone = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=bob.headers
    )
    assert gone.status_code == 204, gone.text
    last = await _read(client, pair.coordinator)
    assert _row(last, "activity", held_month) == {
        "month": held_month,
        "sessions_held": 1,
        "supporters_active": 0,
    }
    assert last == await _from_scratch(client, db, pair.coordinator)
    assert await db.get(Relationship, rid(pair)) is not None


async def test_the_month_just_ended_is_counted_live_for_a_day(client, db, settings):
    robin = await staff(client, db, settings)
    me = Principal(robin.id, Role.coordinator, robin.id, "Robin", second_factor=True)
    this_month = month_start(months_back(1)[0])
    found = await stats.statistics(db, me, months=3, now=this_month + timedelta(hours=10))
    await db.commit()
    assert await _kept_months(db) == {found.months[0]}  # not last month, not this one
    found = await stats.statistics(db, me, months=3, now=this_month + timedelta(days=1, hours=1))
    await db.commit()
    assert await _kept_months(db) == set(found.months[:2])


async def test_figures_counted_while_their_month_changed_are_not_kept(db):
    at = _two_months_ago()
    month = at.strftime("%Y-%m")
    seen = (await monthly.kept(db, months=[month]))[month]
    assert seen == monthly.Kept(changes=0, figures=None)
    monthly.forget(db, [at, datetime.now(UTC), None])  # this month: nothing to forget
    await db.commit()
    assert await _changes(db, month) == 1
    assert await db.scalar(select(func.count()).select_from(MonthChange)) == 1

    # Counted before the change was recorded: kept, but read as out of date.
    await monthly.keep(db, month=month, figures={"counted": "before"}, seen=seen)
    await db.commit()
    now_seen = (await monthly.kept(db, months=[month]))[month]
    assert now_seen == monthly.Kept(changes=1, figures=None)
    await monthly.keep(db, month=month, figures={"counted": "after"}, seen=now_seen)
    await db.commit()
    assert (await monthly.kept(db, months=[month]))[month].figures == {"counted": "after"}
    # A slower read that counted before the change never replaces the newer figures.
    await monthly.keep(db, month=month, figures={"counted": "before"}, seen=seen)
    await db.commit()
    assert (await monthly.kept(db, months=[month]))[month].figures == {"counted": "after"}


async def test_history_written_around_the_domains_can_have_every_kept_month_counted_again(db):
    months = [_two_months_ago().strftime("%Y-%m"), _two_months_ago(days=-40).strftime("%Y-%m")]
    for month in months:
        seen = (await monthly.kept(db, months=[month]))[month]
        await monthly.keep(db, month=month, figures={"counted": month}, seen=seen)
    await db.commit()
    assert all(k.figures for k in (await monthly.kept(db, months=months)).values())
    await monthly.forget_kept(db)  # as the demo loader does once it has written its history
    await db.commit()
    assert [k.figures for k in (await monthly.kept(db, months=months)).values()] == [None, None]
