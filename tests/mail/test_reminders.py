"""Reminders through the one pipeline, all optional: before each confirmed session (as long
before as each person chose), and to a supporter when an introduction is about to close; and
the pushes of introductions' answers reach the sender."""

from datetime import timedelta

from sqlalchemy import select, update

from api.common import utcnow
from api.contact import notifications, upkeep
from api.notices.models import Notice, NoticeDelivery
from api.relationships.models import Relationship
from tests.contact.helpers import add_session, contact_pair
from tests.mail.helpers import deliver
from tests.mail.test_notices_by_email import choose
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import staff


async def _kinds(db, user_id) -> list[str]:
    rows = await db.scalars(select(Notice.kind).where(Notice.user_id == user_id))
    return sorted(rows.all())


async def test_a_session_reminder_comes_when_each_person_chose(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await choose(client, pair.supporter, remind_before_minutes=120)
    start = (utcnow() + timedelta(hours=5)).replace(second=0, microsecond=0)
    await add_session(db, pair, start)
    await upkeep.sweep(db)
    await db.commit()
    # Sam kept the default (a day before): reminded now; Bob chose two hours before: not yet.
    assert "session_reminder" in await _kinds(db, pair.seeker.id)
    assert "session_reminder" not in await _kinds(db, pair.supporter.id)
    await notifications.remind(db, now=start - timedelta(minutes=119))
    await notifications.remind(db, now=start - timedelta(minutes=60))
    await db.commit()
    assert (await _kinds(db, pair.supporter.id)).count("session_reminder") == 1
    assert (await _kinds(db, pair.seeker.id)).count("session_reminder") == 1


async def test_a_reminder_turned_off_is_never_made(client, db, settings):
    pair = await contact_pair(client, db, settings)
    await choose(client, pair.seeker, reminders_off=["session_reminder"])
    await add_session(db, pair, utcnow() + timedelta(hours=3))
    await upkeep.sweep(db)
    await db.commit()
    assert "session_reminder" not in await _kinds(db, pair.seeker.id)
    assert "session_reminder" in await _kinds(db, pair.supporter.id)


async def test_a_supporter_is_told_once_when_an_introduction_is_about_to_close(
    client, db, settings, app
):
    robin = await staff(client, db, settings)
    bob = await ready_supporter(client, robin, "bob", [(1, "further_along")])
    sam, request = await seeker_with_request(client, "sam", [(1, "going_through")])
    chosen = await client.post(
        f"/api/v1/support-requests/{request['id']}/choice",
        json={"supporter_id": str(bob.id)},
        headers=sam.headers,
    )
    assert chosen.status_code == 201
    await upkeep.sweep(db)
    await db.commit()
    assert "introduction_expiring" not in await _kinds(db, bob.id)  # 72 hours to go
    await db.execute(
        update(Relationship)
        .where(Relationship.supporter_id == bob.id)
        .values(expires_at=utcnow() + timedelta(hours=6))
    )
    await db.commit()
    for _ in range(2):
        await upkeep.sweep(db)
        await db.commit()
    assert (await _kinds(db, bob.id)).count("introduction_expiring") == 1
    assert "introduction_expiring" not in await _kinds(db, sam.id)

    # Bob answers: Sam's push is owed through the same pipeline, and the queue takes it.
    relationship_id = chosen.json()["id"]
    accepted = await client.post(
        f"/api/v1/introductions/{relationship_id}/accept", headers=bob.headers
    )
    assert accepted.status_code == 200
    owed = (
        select(NoticeDelivery.done_at)
        .join(Notice, Notice.id == NoticeDelivery.notice_id)
        .where(
            Notice.user_id == sam.id,
            Notice.kind == "introduction_accepted",
            NoticeDelivery.channel == "push",
        )
    )
    assert list((await db.scalars(owed)).all()) == [None]
    await deliver(app)
    db.expire_all()
    [taken] = (await db.scalars(owed.execution_options(populate_existing=True))).all()
    assert taken is not None
