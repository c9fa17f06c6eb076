"""Moderation decisions on a reported message, through the API: the report is the reason to
read it (audited, in the log both people see); hiding, warning, suspending; the person told."""

import csv
import io
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, text, update

from api.audit.models import AuditEntry
from api.auth.models import User
from api.common import utcnow
from api.contact.models import Message
from tests.moderation.helpers import COORDINATION, REPORTED, WORDS, decide, make_lead, reported
from tests.personas import PASSWORD, token_for

TOKEN = "/api/v1/auth/token"


async def test_the_report_is_the_reason_to_read_the_message_audited_and_shown_to_both(
    client, db, settings
):
    r = await reported(client, db, settings)
    read = await client.get(
        f"{COORDINATION}/concerns/{r.concern_id}/message", headers=r.pair.coordinator.headers
    )
    assert read.status_code == 200 and read.json()["body"] == REPORTED
    entry = await db.scalar(
        select(AuditEntry).where(AuditEntry.action == "moderation.reported_message_read")
    )
    assert entry is not None and entry.subject_id == r.concern_id
    assert entry.actor_id == r.pair.coordinator.id
    assert entry.details["message_id"] == r.message_id
    for person in (r.pair.seeker, r.pair.supporter):
        log = await client.get(f"{r.pair.base}/safeguarding-log", headers=person.headers)
        assert [(e["action"], e["what"]) for e in log.json()] == [("read", "reported_message")]


async def test_hiding_a_message_hides_it_from_both_and_tells_the_sender_why(client, db, settings):
    r = await reported(client, db, settings)
    made = await decide(client, r, "hide_message")
    assert made["kind"] == "hide_message" and made["person_role"] == "supporter"
    assert made["outcome"] == "in_force" and made["can_appeal"]
    bob, sam = r.pair.supporter, r.pair.seeker
    # Neither person reads it any more; the sender sees that it was hidden.
    theirs = await client.get(f"{r.pair.base}/messages", headers=sam.headers)
    assert r.message_id not in [m["id"] for m in theirs.json()["messages"]]
    mine = await client.get(f"{r.pair.base}/messages", headers=bob.headers)
    (shown,) = [m for m in mine.json()["messages"] if m["id"] == r.message_id]
    assert shown["status"] == "hidden" and shown["body"] == ""
    assert "coordinator hid this message" in shown["delivery_text"]
    assert REPORTED not in theirs.text + mine.text
    # It stays sealed for the record.
    db.expire_all()
    stored = await db.get(Message, UUID(r.message_id))
    assert stored.hidden_at is not None and REPORTED.encode() not in stored.body_sealed
    # The sender is told, kindly, and reads why on the decision.
    notices = (await client.get("/api/v1/notices", headers=bob.headers)).json()["data"]
    assert any(
        n["kind"] == "moderation_hide_message" and "hidden one of your messages" in n["text"]
        for n in notices
    )
    about_me = (await client.get("/api/v1/moderation/decisions", headers=bob.headers)).json()
    (decision,) = about_me["data"]
    assert decision["to_person"].startswith("We've looked at a message you sent")
    assert "reason" not in decision and "decided_by_name" not in decision
    # The reporter is not the person it is about: nothing about them.
    assert (await client.get("/api/v1/moderation/decisions", headers=sam.headers)).json()[
        "data"
    ] == []
    assert not any(
        n["kind"].startswith("moderation")
        for n in (await client.get("/api/v1/notices", headers=sam.headers)).json()["data"]
    )
    # Recorded in the audit log with its reason, sealed.
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.decided"))
    assert entry.subject_id == made["id"] and entry.details["kind"] == "hide_message"
    sealed = (await db.execute(text("SELECT reason_sealed FROM moderation_decision"))).scalar()
    assert b"outside the agreement" not in sealed


async def test_a_warning_and_a_note(client, db, settings):
    r = await reported(client, db, settings)
    await decide(client, r, "note", to_person=None)
    await decide(client, r, "warn")
    bob = r.pair.supporter
    mine = (await client.get("/api/v1/moderation/decisions", headers=bob.headers)).json()["data"]
    assert [d["kind"] for d in mine] == ["warn"]  # a note is only for the record
    notices = (await client.get("/api/v1/notices", headers=bob.headers)).json()["data"]
    assert [n["kind"] for n in notices if n["kind"].startswith("moderation")] == ["moderation_warn"]
    listed = await client.get(
        f"{COORDINATION}/concerns/{r.concern_id}/decisions", headers=r.casey.headers
    )
    assert [d["kind"] for d in listed.json()["data"]] == ["note", "warn"]


async def test_bad_decisions_are_refused_and_change_nothing(client, db, settings):
    r = await reported(client, db, settings)
    url = f"{COORDINATION}/concerns/{r.concern_id}/decisions"
    robin = r.pair.coordinator.headers
    for body, field in (
        ({"kind": "warn", "reason": "short"}, "reason"),
        ({"kind": "warn", "reason": "A reason long enough."}, "to_person"),
        (
            {"kind": "suspend", "reason": "A reason long enough.", "to_person": "Kind words here."},
            "suspend_until",
        ),
        (
            {
                "kind": "suspend",
                "reason": "A reason long enough.",
                "to_person": "Kind words here.",
                "suspend_until": "2020-01-01",
            },
            "suspend_until",
        ),
    ):
        refused = await client.post(url, json=body, headers=robin)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == field
    assert (await client.post(url, json={"kind": "eat"}, headers=robin)).status_code == 422
    assert (await db.execute(text("SELECT count(*) FROM moderation_decision"))).scalar() == 0
    await decide(client, r, "hide_message")
    again = await client.post(
        url,
        json={
            "kind": "hide_message",
            "reason": "Once more, to be sure.",
            "to_person": "We have hidden your message.",
        },
        headers=robin,
    )
    assert again.status_code == 409 and "already hidden" in again.json()["detail"]


async def test_suspension_blocks_log_in_ends_sessions_and_lifts_by_itself(client, db, settings):
    r = await reported(client, db, settings)
    bob = r.pair.supporter
    until = (utcnow() + timedelta(days=7)).date().isoformat()
    await decide(client, r, "suspend", suspend_until=until)
    # Sessions ended: the token no longer works.
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 401
    # Log-in refused with until when and why (only with the right password).
    refused = await client.post(TOKEN, data={"username": bob.email, "password": PASSWORD})
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/account-suspended"
    assert "suspended your account until" in refused.json()["detail"]
    assert "Please keep to what you both agreed" in refused.json()["detail"]
    wrong = await client.post(TOKEN, data={"username": bob.email, "password": "not it at all"})
    assert wrong.status_code == 401 and "suspended" not in wrong.text
    # The PWA says the same on its log-in page.
    page = await client.get("/login")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    pwa = await client.post(
        "/login", data={"email": bob.email, "password": PASSWORD, "csrf_token": csrf}
    )
    assert pwa.status_code == 403 and "suspended your account until" in pwa.text
    # When the day comes it lifts by itself.
    await db.execute(
        update(User)
        .where(User.id == bob.id)
        .values(suspended_until=utcnow() - timedelta(seconds=1))
    )
    await db.commit()
    back = await token_for(client, bob.email)
    notices = await client.get(
        "/api/v1/notices", headers={"Authorization": f"Bearer {back['access_token']}"}
    )
    assert any(n["kind"] == "moderation_suspend" for n in notices.json()["data"])


async def test_end_for_safety_goes_the_existing_way(client, db, settings):
    r = await reported(client, db, settings)
    await decide(client, r, "end_relationship")
    state = await client.get(f"{r.pair.base}", headers=r.pair.seeker.headers)
    assert state.json()["state"] == "ended"
    kinds = {e.action for e in await db.scalars(select(AuditEntry))}
    assert {"relationship.ended_for_safety", "moderation.decided"} <= kinds


async def test_the_record_lists_filters_and_exports_without_text(client, db, settings):
    r = await reported(client, db, settings)
    await decide(client, r, "warn")
    await decide(client, r, "hide_message")
    lead = r.casey
    await make_lead(db, lead)
    listed = await client.get(f"{COORDINATION}/moderation/decisions", headers=lead.headers)
    assert listed.status_code == 200
    assert [d["kind"] for d in listed.json()["data"]] == ["hide_message", "warn"]
    only = await client.get(
        f"{COORDINATION}/moderation/decisions",
        params={"kind": "warn", "outcome": "in_force", "limit": 1},
        headers=lead.headers,
    )
    assert [d["kind"] for d in only.json()["data"]] == ["warn"]
    future = await client.get(
        f"{COORDINATION}/moderation/decisions",
        params={"created_after": (utcnow() + timedelta(hours=1)).isoformat()},
        headers=lead.headers,
    )
    assert future.json()["data"] == []
    exported = await client.get(f"{COORDINATION}/moderation/decisions.csv", headers=lead.headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["kind"] for row in rows] == ["warn", "hide_message"]
    assert rows[0]["decided_by_name"] == "Robin" and rows[0]["outcome"] == "in_force"
    for words in (REPORTED, "outside the agreement", "Please keep", "uneasy"):
        assert words not in exported.text
    exports = await db.scalars(select(AuditEntry).where(AuditEntry.action == "moderation.exported"))
    assert [e.actor_id for e in exports] == [lead.id]


async def test_a_hidden_message_is_on_neither_persons_pwa_page(client, db, settings, other_client):
    r = await reported(client, db, settings)
    await decide(client, r, "hide_message")
    home = f"/relationships/{r.pair.relationship_id}/home"
    for person, browser in ((r.pair.seeker, client), (r.pair.supporter, other_client)):
        page = await browser.get("/login")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        await browser.post(
            "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf}
        )
        shown = await browser.get(home)
        assert shown.status_code == 200 and WORDS not in shown.text
        assert ("Hidden by a coordinator" in shown.text) == (person is r.pair.supporter)


async def test_the_login_page_offers_a_suspended_person_their_appeal(client, db, settings):
    r = await reported(client, db, settings)
    bob = r.pair.supporter
    await decide(
        client, r, "suspend", suspend_until=(utcnow() + timedelta(days=2)).date().isoformat()
    )
    page = await client.get("/login")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = await client.post(
        "/login", data={"email": bob.email, "password": PASSWORD, "csrf_token": csrf}
    )
    assert 'href="/moderation/suspended"' in refused.text
    form = await client.get("/moderation/suspended")
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    empty = await client.post(
        "/moderation/suspended",
        data={"email": bob.email, "password": PASSWORD, "text": " ", "csrf_token": csrf},
    )
    assert empty.status_code == 422 and "Tell us why" in empty.text
    filed = await client.post(
        "/moderation/suspended",
        data={
            "email": bob.email,
            "password": PASSWORD,
            "text": "Please look again.",
            "csrf_token": csrf,
        },
    )
    assert filed.status_code == 200 and "A different coordinator will look" in filed.text
    outcome = (await db.execute(text("SELECT outcome FROM moderation_decision"))).scalar()
    assert outcome == "appealed"
