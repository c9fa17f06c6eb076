"""Screening that expires and supervision that is overdue come up on the console: before an
item expires, when it has, and once the service's supervision interval has passed."""

from datetime import date, timedelta

from sqlalchemy import update

from api.auth.principal import Principal
from api.common import utcnow
from api.coordination import today as console
from api.screening import checklist, supervision
from api.supporters.models import SupporterOffer
from tests.personas import screen, staff, supporter
from tests.screening.helpers import approve, days_ago, offering

DUE = "/api/v1/coordination/screening/due"
OVERDUE = "/api/v1/coordination/supervision/overdue"


def _principal(person) -> Principal:
    from api.auth.models import Role

    return Principal(
        person.id, Role.coordinator, person.id, person.name.title(), second_factor=True
    )


async def test_training_that_expires_is_a_reminder_before_and_after(client, db, settings):
    robin = await staff(client, db, settings)
    await supporter(client, robin, "cleo")  # trained today: nothing due
    assert (await client.get(DUE, headers=robin.headers)).json()["data"] == []

    # Bob's training was 50 weeks ago: it expires in about two weeks.
    bob, offer_id = await offering(client, "bob")
    await screen(client, robin, bob.id, items=("references", "code_of_conduct"))
    await screen(client, robin, bob.id, items=("training",), done_on=days_ago(350))
    assert (await approve(client, robin, offer_id)).status_code == 200
    due = (await client.get(DUE, headers=robin.headers)).json()["data"]
    assert [(d["display_name"], d["item_key"], d["state"]) for d in due] == [
        ("Bob", "training", "due_soon")
    ]
    expires_on = date.fromisoformat(due[0]["expires_on"])
    today = (await client.get("/api/v1/coordination/today", headers=robin.headers)).json()
    assert today["screening_due"]["total"] == 1
    assert (
        "Peer support training completed: expires" in today["screening_due"]["items"][0]["detail"]
    )

    # The clock moved on past the expiry: now it has expired (and Cleo's is still in date).
    me = _principal(robin)
    later = await checklist.due(db, me, on=expires_on + timedelta(days=1))
    assert [(d.display_name, d.state) for d in later] == [("Bob", "expired")]
    # A year on, Cleo's comes up too.
    year = await checklist.due(db, me, on=date.today() + timedelta(days=340))
    assert {(d.display_name, d.state) for d in year} == {("Bob", "expired"), ("Cleo", "due_soon")}

    # Done again: the reminder goes.
    await screen(client, robin, bob.id, items=("training",))
    assert (await client.get(DUE, headers=robin.headers)).json()["data"] == []


async def test_supervision_overdue_after_the_interval(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await supporter(client, robin, "bob")
    assert (await client.get(OVERDUE, headers=robin.headers)).json()["data"] == []
    me = _principal(robin)

    # Approved 43 days ago with no supervision since: overdue (the interval is 42 days).
    await db.execute(
        update(SupporterOffer)
        .where(SupporterOffer.user_id == bob.id)
        .values(decided_at=utcnow() - timedelta(days=43))
    )
    await db.commit()
    overdue = (await client.get(OVERDUE, headers=robin.headers)).json()["data"]
    assert [(o["display_name"], o["never"]) for o in overdue] == [("Bob", True)]
    today = (await client.get("/api/v1/coordination/today", headers=robin.headers)).json()
    assert today["supervision_overdue"]["items"][0]["detail"] == "No supervision yet"

    logged = await client.post(
        f"/api/v1/coordination/supporters/{bob.id}/supervision",
        json={"held_on": days_ago(2), "with_whom": "Sam (volunteer lead)", "note": "Tired."},
        headers=robin.headers,
    )
    assert logged.status_code == 201, logged.text
    next_due = date.fromisoformat(logged.json()["next_due"])
    assert next_due == date.today() - timedelta(days=2) + timedelta(days=42)
    assert logged.json()["recorded_by"] == "Robin" and logged.json()["note"] == "Tired."
    assert (await client.get(OVERDUE, headers=robin.headers)).json()["data"] == []

    # The clock moves past the next due date: overdue again.
    late = await supervision.overdue(db, me, on=next_due + timedelta(days=1))
    assert [(o.display_name, o.due_on, o.never) for o in late] == [("Bob", next_due, False)]
    assert await supervision.overdue(db, me, on=next_due) == []
    whole = await console.today(db, me, now=utcnow() + timedelta(days=45))
    assert whole.supervision_overdue.total == 1

    # The service asks for supervision every 90 days instead: a new session's next is later.
    changed = await client.put(
        "/api/v1/coordination/settings/supervision",
        json={"value": {"interval_days": 90}},
        headers=robin.headers,
    )
    assert changed.status_code == 200, changed.text
    again = await client.post(
        f"/api/v1/coordination/supporters/{bob.id}/supervision",
        json={"held_on": days_ago(0), "with_whom": "Sam"},
        headers=robin.headers,
    )
    assert again.json()["next_due"] == (date.today() + timedelta(days=90)).isoformat()
    listed = await client.get(
        f"/api/v1/coordination/supporters/{bob.id}/supervision", headers=robin.headers
    )
    assert [s["with_whom"] for s in listed.json()["data"]] == ["Sam", "Sam (volunteer lead)"]


async def test_bad_supervision_entries_are_refused(client, db, settings):
    robin = await staff(client, db, settings)
    bob = await supporter(client, robin, "bob")
    url = f"/api/v1/coordination/supporters/{bob.id}/supervision"
    for body in (
        {"held_on": "2999-01-01", "with_whom": "Sam"},
        {"held_on": days_ago(1), "with_whom": " "},
        {"held_on": days_ago(1), "with_whom": "Sam", "next_due": days_ago(2)},
        {"held_on": days_ago(1), "with_whom": "Sam", "next_due": "2999-01-01"},
        {"held_on": days_ago(1)},
    ):
        answer = await client.post(url, json=body, headers=robin.headers)
        assert answer.status_code == 422, (body, answer.text)
    assert (await client.get(url, headers=robin.headers)).json()["data"] == []
