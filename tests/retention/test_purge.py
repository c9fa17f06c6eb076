"""Retention the code enforces: the purge job, run with the clock moved forward, deletes or
anonymises what has been kept past its period, and nothing sooner."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import func, select, update

from api.audit.models import AuditEntry
from api.auth.models import AuthSession, Role, User
from api.common import utcnow
from api.concerns.models import Concern, ConcernEvent
from api.contact.models import Message
from api.notices.models import Notice
from api.privacy import retention
from api.safety.models import SafeguardingAccess, SafeguardingAuditEntry
from tests.contact.helpers import contact_pair, rid
from tests.personas import peer, staff

DAY = timedelta(days=1)
DETAILS = "He asked for my address twice."


async def _purge(db, settings, after: timedelta) -> retention.Purged:
    db.expire_all()
    purged = await retention.purge(db, settings, now=utcnow() + after)
    await db.commit()
    return purged


async def _count(db, model, *where) -> int:
    db.expire_all()
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _say(client, pair, person, body: str) -> None:
    sent = await client.post(f"{pair.base}/messages", json={"body": body}, headers=person.headers)
    assert sent.status_code == 201, sent.text


async def _end(client, pair) -> None:
    ended = await client.post(f"{pair.base}/end", json={}, headers=pair.seeker.headers)
    assert ended.status_code == 200, ended.text


async def test_messages_of_an_ended_relationship_go_after_their_period(client, db, settings):
    ended = await contact_pair(client, db, settings)
    await _say(client, ended, ended.seeker, "Thanks for today.")
    await _say(client, ended, ended.supporter, "Take care.")
    await _end(client, ended)
    ongoing = await contact_pair(client, db, settings, seeker_name="ann", supporter_name="cal")
    await _say(client, ongoing, ongoing.seeker, "Still here.")
    looked_into = await contact_pair(client, db, settings, seeker_name="dee", supporter_name="eve")
    await _say(client, looked_into, looked_into.seeker, "Please stop.")
    raised = await client.post(
        f"{looked_into.base}/concerns",
        json={"kind": "boundary_crossed", "details": DETAILS},
        headers=looked_into.seeker.headers,
    )
    assert raised.status_code == 201, raised.text
    await _end(client, looked_into)

    def of(pair):
        return Message.relationship_id == rid(pair)

    assert (await _purge(db, settings, 89 * DAY)).messages == 0
    assert await _count(db, Message, of(ended)) == 2
    purged = await _purge(db, settings, 91 * DAY)
    assert purged.messages == 2
    assert await _count(db, Message, of(ended)) == 0
    # Support still going on, and support a coordinator is still looking into, keep theirs.
    assert await _count(db, Message, of(ongoing)) == 1
    assert await _count(db, Message, of(looked_into)) == 1
    # Resolving the concern lets the same period apply.
    await db.execute(update(Concern).values(status="resolved"))
    await db.commit()
    assert (await _purge(db, settings, 91 * DAY)).messages == 1
    assert await _count(db, Message, of(ongoing)) == 1


async def test_a_resolved_concerns_words_go_and_the_concern_stays(client, db, settings):
    pair = await contact_pair(client, db, settings)
    robin = pair.coordinator
    concerns = []
    for _ in range(2):
        raised = await client.post(
            f"{pair.base}/concerns",
            json={"kind": "boundary_crossed", "details": DETAILS},
            headers=pair.seeker.headers,
        )
        assert raised.status_code == 201, raised.text
        concerns.append(UUID(raised.json()["id"]))
    done, still_open = concerns
    url = f"/api/v1/coordination/concerns/{done}"
    noted = await client.patch(
        url, json={"status": "in_progress", "note": "Called Sam."}, headers=robin.headers
    )
    assert noted.status_code == 200, noted.text
    resolved = await client.patch(url, json={"status": "resolved"}, headers=robin.headers)
    assert resolved.status_code == 200, resolved.text

    assert (await _purge(db, settings, 364 * DAY)).concern_details == 0
    assert (await db.get(Concern, done, populate_existing=True)).details_sealed is not None
    assert (await _purge(db, settings, 366 * DAY)).concern_details == 1
    gone = await db.get(Concern, done, populate_existing=True)
    assert gone is not None and gone.details_sealed is None and gone.status == "resolved"
    notes = await db.scalars(
        select(ConcernEvent.note_sealed).where(ConcernEvent.concern_id == done)
    )
    assert set(notes.all()) == {None}
    kept = await db.get(Concern, still_open, populate_existing=True)
    assert kept is not None and kept.details_sealed is not None


async def test_safeguarding_audit_entries_go_after_the_audit_period(client, db, settings):
    pair = await contact_pair(client, db, settings)
    granted = await client.post(
        "/api/v1/coordination/safeguarding-access",
        json={
            "relationship_id": str(pair.relationship_id),
            "reason": "Concern raised about risk to life; need context to judge urgency.",
            "minutes": 30,
        },
        headers=pair.coordinator.headers,
    )
    assert granted.status_code == 201, granted.text
    read = await client.get(
        f"/api/v1/coordination/relationships/{pair.relationship_id}/own-words",
        headers=pair.coordinator.headers,
    )
    assert read.status_code == 200, read.text
    assert await _count(db, SafeguardingAuditEntry) == 2

    assert (await _purge(db, settings, (6 * 365 - 1) * DAY)).audit_entries == 0
    assert await _count(db, SafeguardingAuditEntry) == 2
    staff_entries = await _count(db, AuditEntry)
    assert staff_entries >= 1  # the staff audit log keeps the access too, for the same period
    purged = await _purge(db, settings, (6 * 365 + 1) * DAY)
    assert purged.audit_entries == 3 + staff_entries
    assert await _count(db, SafeguardingAuditEntry) == 0
    assert await _count(db, SafeguardingAccess) == 0
    assert await _count(db, AuditEntry) == 0


async def test_an_unused_account_is_warned_then_deleted_unless_they_come_back(client, db, settings):
    away = await peer(client, "away")
    back = await peer(client, "back")
    robin = await staff(client, db, settings)

    def warnings(user_id):
        return (Notice.user_id == user_id, Notice.kind == "inactive_warning")

    first = await _purge(db, settings, 729 * DAY)
    assert (first.accounts_warned, first.accounts_deleted) == (0, 0)
    warned = await _purge(db, settings, 731 * DAY)
    assert (warned.accounts_warned, warned.accounts_deleted) == (2, 0)  # never staff
    assert await _count(db, Notice, *warnings(away.id)) == 1
    assert await _count(db, Notice, *warnings(robin.id)) == 0
    # Told once, however often the job runs.
    again = await _purge(db, settings, 740 * DAY)
    assert (again.accounts_warned, again.accounts_deleted) == (0, 0)
    # "back" signs in after the warning: theirs is kept, and warned afresh only after
    # another full period without signing in.
    await db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == back.id)
        .values(last_used_at=utcnow() + 745 * DAY)
    )
    await db.commit()
    gone = await _purge(db, settings, (731 + 31) * DAY)
    assert (gone.accounts_warned, gone.accounts_deleted) == (0, 1)
    assert await db.get(User, away.id, populate_existing=True) is None
    assert await _count(db, Notice, Notice.user_id == away.id) == 0
    assert await db.get(User, back.id, populate_existing=True) is not None
    assert await db.get(User, robin.id, populate_existing=True) is not None
    later = await _purge(db, settings, (745 + 731) * DAY)
    assert (later.accounts_warned, later.accounts_deleted) == (1, 0)


async def test_the_periods_are_settings_only_an_administrator_changes(client, db, settings):
    robin = await staff(client, db, settings)
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    url = "/api/v1/coordination/settings/retention"
    shown = await client.get("/api/v1/coordination/settings", headers=robin.headers)
    periods = shown.json()["retention"]
    assert periods["ended_messages_days"] == 90
    shorter = {**periods, "ended_messages_days": 7}
    refused = await client.put(url, json={"value": shorter}, headers=robin.headers)
    assert refused.status_code == 403
    too_short = {**periods, "audit_days": 30}
    invalid = await client.put(url, json={"value": too_short}, headers=ada.headers)
    assert invalid.status_code == 422
    assert (await client.get("/api/v1/coordination/settings", headers=ada.headers)).json()[
        "retention"
    ] == periods
    changed = await client.put(url, json={"value": shorter}, headers=ada.headers)
    assert changed.status_code == 200, changed.text
    history = await client.get("/api/v1/coordination/settings-history", headers=ada.headers)
    assert [c["key"] for c in history.json()["data"]] == ["retention"]

    pair = await contact_pair(client, db, settings)
    await _say(client, pair, pair.seeker, "Thank you.")
    await _end(client, pair)
    assert (await _purge(db, settings, 6 * DAY)).messages == 0
    assert (await _purge(db, settings, 8 * DAY)).messages == 1
