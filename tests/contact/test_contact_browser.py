"""Two people on phone-sized screens, against a real server: schedule and confirm a session,
exchange messages that appear without a reload, and see a held message arrive when its
contact window opens."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from api.contact.models import ContactSession, Message
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, REPORT_CSP, WIDTH
from tests.contact.helpers import agree, contact_pair, rid, windows_around, windows_away_from
from tests.personas import PASSWORD

FIRST = "Hi Bob, looking forward to Tuesday. Is video still all right for you?"
REPLY = "Hi Sam! Yes, video is good. Talk soon."
LATE = "Couldn't sleep. Just wanted to say the breathing thing helped today."

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


async def test_two_people_schedule_a_session_and_exchange_messages(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    pair = await contact_pair(client, db, settings, supporter_tz="America/New_York")
    # Contact times from an hour ago to three hours ahead: the chat is open now.
    await agree(db, pair, windows=windows_around(datetime.now(UTC), "Europe/London", 60, 180))
    home = f"{live_server}/relationships/{pair.relationship_id}/home"
    console: list[str] = []
    errors: list[str] = []

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            expect = playwright.expect
            pages = {}
            for name, person in (("sam", pair.seeker), ("bob", pair.supporter)):
                context = await browser.new_context(**PHONE)
                await context.add_init_script(REPORT_CSP)
                page = await context.new_page()
                page.set_default_timeout(15_000)
                page.on("console", lambda m, n=name: console.append(f"{n} {m.type}: {m.text}"))
                page.on("pageerror", lambda e, n=name: errors.append(f"{n}: {e}"))
                await page.goto(f"{live_server}/login?next=/relationships/{pair.relationship_id}")
                await page.get_by_label("Email").fill(person.email)
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Log in").click()
                await page.wait_for_url(f"{live_server}/relationships/{pair.relationship_id}")
                pages[name] = page
            sam, bob = pages["sam"], pages["bob"]

            async def shot(page, name: str) -> None:
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(path=ARTIFACTS / f"contact-{name}.png", full_page=True)
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"

            # Sam: from the relationship page into the home.
            await sam.get_by_role("link", name="Open sessions and messages").click()
            await sam.wait_for_url(home)
            await expect(sam.get_by_role("heading", level=1)).to_contain_text("Bob")
            await expect(sam.locator(".contact-now")).to_contain_text("agreed contact times now")
            await shot(sam, "home-empty")

            # Sam proposes a video session at the first time offered.
            await sam.get_by_role("link", name="Propose a session").click()
            await expect(sam.get_by_role("heading", level=1)).to_have_text("Propose a session")
            await sam.locator("label.pill-choice", has_text="Video").click()
            first_time = sam.locator("details.day[open] label.slot-choice").first
            await first_time.click()
            await shot(sam, "propose")
            await sam.get_by_role("button", name="Propose this session").click()
            await sam.wait_for_url(f"{home}?done=proposed")
            await expect(sam.get_by_role("status").first).to_contain_text("Proposed")
            await shot(sam, "proposed")

            # Bob (in New York) confirms it from his home.
            await bob.goto(home)
            waiting = bob.locator(".your-turn-panel")
            await expect(waiting).to_contain_text("Sam suggested this time")
            await shot(bob, "confirm")
            await waiting.get_by_role("button", name="Confirm").click()
            await bob.wait_for_url(f"{home}?done=confirmed")
            await expect(bob.locator(".sessions-glance")).to_contain_text("Confirmed")
            await expect(bob.locator(".sessions-glance")).to_contain_text("1 booked")

            # Messages, both ways, without reloading.
            await sam.goto(home)
            await expect(sam.locator(".sessions-glance")).to_contain_text("Confirmed")
            await sam.get_by_placeholder("Write to Bob").fill(FIRST)
            await sam.get_by_role("button", name="Send").click()
            await expect(sam.locator("#chat-log")).to_contain_text(FIRST)
            await expect(sam.get_by_placeholder("Write to Bob")).to_have_value("")
            await expect(bob.locator("#chat-log")).to_contain_text(FIRST, timeout=12_000)
            await bob.get_by_placeholder("Write to Sam").fill(REPLY)
            await bob.get_by_role("button", name="Send").click()
            await expect(sam.locator("#chat-log")).to_contain_text(REPLY, timeout=12_000)
            await expect(sam.locator(".message.mine .meta").first).to_contain_text(
                "Read", timeout=12_000
            )
            await shot(sam, "chat-sam")
            await shot(bob, "chat-bob")

            # Now outside the contact times: Sam's next message is held, and says until when.
            await agree(db, pair, windows=windows_away_from(datetime.now(UTC), "Europe/London"))
            await sam.reload()
            await expect(sam.locator(".contact-now")).to_contain_text("Outside your agreed")
            await sam.get_by_placeholder("Write to Bob").fill(LATE)
            await sam.get_by_role("button", name="Send").click()
            held = sam.locator(".message.mine.held")
            await expect(held).to_contain_text(LATE)
            await expect(held.locator(".meta")).to_contain_text("Held")
            await expect(held.locator(".held-note")).to_contain_text("Bob gets this")
            await expect(held.locator(".held-note")).to_contain_text("(London time)")
            await shot(sam, "held-sam")
            await bob.wait_for_timeout(6_000)  # a poll or more: still nothing for Bob
            await expect(bob.locator("#chat-log")).not_to_contain_text(LATE)

            # Its window opens: Bob's page shows it at the next poll, and Sam's says delivered.
            await db.execute(
                update(Message)
                .where(Message.relationship_id == rid(pair), Message.held.is_(True))
                .values(deliver_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            await db.commit()
            await expect(bob.locator("#chat-log")).to_contain_text(LATE, timeout=12_000)
            await expect(sam.locator(".message.mine").last).not_to_have_class(
                "held", timeout=12_000
            )
            await shot(bob, "held-delivered-bob")
            await bob.goto(f"{live_server}/notices")
            await expect(bob.locator("main")).to_contain_text("Sam sent you a message.")

            # The session's time comes: "did it happen?", one tap, and it counts as held.
            await db.execute(
                update(ContactSession)
                .where(ContactSession.relationship_id == rid(pair))
                .values(start_at=datetime.now(UTC) - timedelta(minutes=50))
            )
            await db.commit()
            await sam.goto(home)
            waiting = sam.locator(".your-turn-panel")
            await expect(waiting).to_contain_text("Did it happen?")
            await shot(sam, "did-it-happen")
            await waiting.get_by_role("button", name="Yes, we met").click()
            await sam.wait_for_url(f"{home}?done=held")
            await expect(sam.locator(".count")).to_contain_text("1 of 6")

            # The sessions list and the reminders page.
            await sam.goto(f"{home.removesuffix('/home')}/sessions")
            await expect(sam.get_by_role("heading", level=1)).to_have_text("Sessions")
            await shot(sam, "sessions")
            await sam.goto(f"{live_server}/reminders")
            await sam.get_by_role("button", name="Make my calendar link").click()
            await expect(sam.get_by_role("status").first).to_contain_text("Your new link")
            link = await sam.locator("#calendar-url").input_value()
            assert link.startswith(f"{live_server}/api/v1/calendar/") and link.endswith(".ics")
            await shot(sam, "reminders")
        finally:
            await browser.close()

    csp = [m for m in console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    assert not errors, errors
    problems = [m for m in console if " error:" in m]
    assert not problems, problems
    db.expire_all()
    stored = await db.scalar(
        select(ContactSession).where(ContactSession.relationship_id == rid(pair))
    )
    assert stored.status == "held"
