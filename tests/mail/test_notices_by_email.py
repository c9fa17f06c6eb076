"""Notices by e-mail, through a real SMTP server on 127.0.0.1: only the kinds a person chose,
discreet (no name but their own pseudonym, nothing anyone wrote), with List-Unsubscribe and
one-click unsubscribe, plain text and HTML, sent once however often the queue sweeps, retried
when the server is down, held through quiet hours, or gathered in a daily digest."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from api.common import utcnow
from api.mail import service as mail
from api.mail.catcher import parts
from api.mail.models import MailOut, MailState
from api.notices import delivery
from api.notices import service as notices
from api.notices.models import NoticeDelivery
from tests.mail.conftest import free_port
from tests.mail.helpers import deliver, to
from tests.personas import peer, screen, staff

UPDATE = "You have a new update on Kindred"
DIGEST = "Your updates on Kindred"


async def choose(client, person, **changes) -> dict:
    body = {"email_kinds": [], "digest": False, **changes}
    saved = await client.put("/api/v1/me/notification-settings", json=body, headers=person.headers)
    assert saved.status_code == 200, saved.text
    return saved.json()


async def become_supporter(client, coordinator, person) -> None:
    offer = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 2}, headers=person.headers
    )
    assert offer.status_code == 201
    await screen(client, coordinator, person.id)
    approved = await client.post(
        f"/api/v1/coordination/supporter-offers/{offer.json()['id']}/approve",
        headers=coordinator.headers,
    )
    assert approved.status_code == 200


def check_discreet(message: EmailMessage, *, name: str) -> None:
    assert message["Subject"] in (UPDATE, DIGEST)
    assert message.is_multipart()
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = parts(message)
    assert f"Hello {name}," in text and f"Hello {name}," in html
    assert "/notices" in text
    assert message["List-Unsubscribe"].startswith("<http") and "/unsubscribe/" in str(
        message["List-Unsubscribe"]
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_chosen_kind_is_emailed_once_discreetly(client, db, settings, app, smtp):
    robin = await staff(client, db, settings)
    bob = await peer(client, "bob")
    await deliver(app)  # the confirmation sent when Bob signed up
    smtp.messages.clear()
    await choose(client, bob, email_kinds=["offer_approved"])
    await become_supporter(client, robin, bob)
    assert smtp.messages == []
    assert (await deliver(app))[1] == 1
    assert (await deliver(app))[1] == 0  # never twice, however often the queue sweeps
    [message] = to(smtp, bob.email)
    check_discreet(message, name="Bob")
    text, _html = parts(message)
    assert "approved" not in text.lower() and "offer" not in text.lower()

    # A kind Bob didn't choose is not e-mailed (it is still in the app).
    await choose(client, bob, email_kinds=[])
    await notices.notify(db, user_id=bob.id, relationship_id=None, kind="offer_declined")
    await db.commit()
    await deliver(app)
    assert len(to(smtp, bob.email)) == 1

    # One click in the mail program: no more e-mails about updates.
    await choose(client, bob, email_kinds=["offer_approved", "offer_declined"])
    link = urlsplit(str(message["List-Unsubscribe"]).strip("<>"))
    done = await client.post(
        link.path,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    mine = await client.get("/api/v1/me/notification-settings", headers=bob.headers)
    assert mine.json()["email_kinds"] == []
    forged = await client.post(link.path[:-4] + "0000")
    assert forged.status_code == 404


async def test_no_email_carries_anything_a_person_wrote(client, db, settings, app, smtp):
    """Both people choose every kind by e-mail, then write to each other and raise a concern
    with details: none of their words, nor the other's name, nor what the
    notice says, is in any e-mail."""
    from api.notices.preferences import KINDS
    from tests.contact.helpers import contact_pair
    from tests.contact.test_messages_api import open_now

    pair = await contact_pair(client, db, settings, seeker_name="sasha", supporter_name="bertie")
    await open_now(db, pair)
    for person in (pair.seeker, pair.supporter):
        await choose(client, person, email_kinds=list(KINDS))
    words = [
        "The walk by the canal helped more than I said, thank you truly.",
        "My sister's wedding is on Saturday and I am dreading it.",
        "I felt unsafe when they mentioned my address in the chat.",
    ]
    for body, person in ((words[0], pair.seeker), (words[1], pair.supporter)):
        sent = await client.post(
            f"{pair.base}/messages", json={"body": body}, headers=person.headers
        )
        assert sent.status_code in (201, 202), sent.text
    await client.post(
        f"{pair.base}/concerns",
        json={"kind": "other", "details": words[2]},
        headers=pair.seeker.headers,
    )
    await deliver(app)
    shown = []
    for person in (pair.seeker, pair.supporter):
        response = await client.get("/api/v1/notices?limit=100", headers=person.headers)
        shown += [n["text"] for n in response.json()["data"]]
    bodies = {
        person.email: [
            "\n".join((str(m["Subject"]), *parts(m))) for m in to(smtp, person.email, UPDATE)
        ]
        for person in (pair.seeker, pair.supporter)
    }
    assert bodies[pair.seeker.email] and bodies[pair.supporter.email]
    everything = [b for found in bodies.values() for b in found]
    for body in everything:
        for written in [*words, *shown]:
            assert written not in body
        assert "session" not in body.lower() and "message" not in body.lower()
    assert not any("Bertie" in b for b in bodies[pair.seeker.email])
    assert not any("Sasha" in b for b in bodies[pair.supporter.email])


async def test_quiet_hours_hold_emails_until_they_end(client, db, app, smtp):
    kit = await peer(client, "kit")  # no profile: the fallback zone, Europe/London
    now = utcnow()
    local = now.astimezone(ZoneInfo("Europe/London"))
    minute = local.hour * 60 + local.minute
    start, end = (minute - 60) % 1440, (minute + 60) % 1440
    clock = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    await choose(
        client, kit, email_kinds=["offer_declined"], quiet_from=clock(start), quiet_until=clock(end)
    )
    await deliver(app)
    smtp.messages.clear()
    await notices.notify(db, user_id=kit.id, relationship_id=None, kind="offer_declined")
    await db.commit()
    await deliver(app)
    assert to(smtp, kit.email) == []
    due = await db.scalar(
        select(NoticeDelivery.due_at).where(
            NoticeDelivery.user_id == kit.id, NoticeDelivery.channel == delivery.EMAIL
        )
    )
    assert now + timedelta(minutes=58) < due <= now + timedelta(minutes=61)
    # When the quiet hours end, the queue sends it.
    async with app.state.sessionmaker() as session:
        await delivery.take_due(session, settings=app.state.settings, now=due)
        await session.commit()
    await mail.send_due(app.state.sessionmaker, settings=app.state.settings)
    [message] = to(smtp, kit.email)
    check_discreet(message, name="Kit")


async def test_a_daily_digest_gathers_the_updates_once_a_day(client, db, app, smtp):
    dee = await peer(client, "dee")
    await choose(client, dee, email_kinds=["offer_declined", "offer_approved"], digest=True)
    await deliver(app)
    smtp.messages.clear()
    for kind in ("offer_declined", "offer_approved"):
        await notices.notify(db, user_id=dee.id, relationship_id=None, kind=kind)
    await db.commit()
    settings = app.state.settings
    async with app.state.sessionmaker() as session:  # not one e-mail each
        await delivery.take_due(session, settings=settings, now=utcnow())
        await session.commit()
    await mail.send_due(app.state.sessionmaker, settings=settings)
    assert to(smtp, dee.email) == []

    london = ZoneInfo("Europe/London")
    tomorrow = (utcnow().astimezone(london) + timedelta(days=1)).date()

    async def digest_at(hour: int, day=tomorrow) -> int:
        at = datetime(day.year, day.month, day.day, hour, tzinfo=london).astimezone(UTC)
        async with app.state.sessionmaker() as session:
            queued = await delivery.digests_due(session, settings=settings, now=at)
            await session.commit()
        await mail.send_due(app.state.sessionmaker, settings=settings)
        return queued

    assert await digest_at(7) == 0  # not before 08:00 on Dee's clock
    assert await digest_at(9) == 1
    [message] = to(smtp, dee.email, DIGEST)
    check_discreet(message, name="Dee")
    assert "2 new updates" in parts(message)[0]
    assert await digest_at(10) == 0  # nothing new
    await notices.notify(db, user_id=dee.id, relationship_id=None, kind="offer_declined")
    await db.commit()
    assert await digest_at(11) == 0  # today's summary has gone: tomorrow's will have it
    assert await digest_at(9, tomorrow + timedelta(days=1)) == 1
    assert "1 new update " in parts(to(smtp, dee.email, DIGEST)[-1])[0]


async def test_a_server_that_is_down_is_tried_again(client, db, settings, app, smtp, monkeypatch):
    eve = await peer(client, "eve")
    await choose(client, eve, email_kinds=["offer_declined"])
    await deliver(app)
    smtp.messages.clear()
    working = settings.smtp_port
    monkeypatch.setattr(settings, "smtp_port", free_port())  # nothing listens there
    await notices.notify(db, user_id=eve.id, relationship_id=None, kind="offer_declined")
    await db.commit()
    assert (await deliver(app))[1] == 0
    db.expire_all()
    row = await db.scalar(
        select(MailOut)
        .execution_options(populate_existing=True)
        .where(MailOut.to_address == eve.email, MailOut.key.like("notice/%"))
    )
    assert row.state == MailState.waiting and row.attempts == 1 and row.send_after > utcnow()
    assert (await deliver(app))[1] == 0  # not due yet
    monkeypatch.setattr(settings, "smtp_port", working)
    await db.execute(update(MailOut).where(MailOut.id == row.id).values(send_after=utcnow()))
    await db.commit()
    assert (await deliver(app))[1] == 1
    assert (await deliver(app))[1] == 0
    assert len(to(smtp, eve.email, UPDATE)) == 1
    sent = (
        await db.execute(select(MailOut.state, MailOut.body_sealed).where(MailOut.id == row.id))
    ).one()
    assert sent == (MailState.sent, b"")  # the body is not kept


async def test_my_settings_are_checked_and_mine_alone(client):
    fay = await peer(client, "fay")
    bad = await client.put(
        "/api/v1/me/notification-settings",
        json={"email_kinds": ["no_such_kind"], "quiet_from": "22:00"},
        headers=fay.headers,
    )
    assert bad.status_code == 422
    assert (await client.get("/api/v1/me/notification-settings")).status_code == 401
    mine = await client.get("/api/v1/me/notification-settings", headers=fay.headers)
    assert mine.json()["email_kinds"] == [] and mine.json()["remind_before_minutes"] == 1440
