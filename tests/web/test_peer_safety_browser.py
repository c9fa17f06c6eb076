"""On a phone, against a real server: a message held at night with the crisis contacts and the
safety plan beside it (for both people), reporting a message in two taps, and asking a
coordinator to choose instead of picking from the shortlist."""

from datetime import UTC, datetime

import pytest

from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, REPORT_CSP, WIDTH
from tests.contact.helpers import agree, contact_pair, windows_around, windows_away_from
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import PASSWORD, staff

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM
LATE = "Couldn't sleep. The evenings are the hardest part."
PUSHY = "You should just come round to mine on Saturday, it'd be easier."


async def phone(browser, live_server, person, next_url, errors):
    context = await browser.new_context(**PHONE)
    await context.add_init_script(REPORT_CSP)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{live_server}/login?next={next_url}")
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{live_server}{next_url}")
    return page


async def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"safety-{name}.png", full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"


async def test_held_message_crisis_contacts_and_report_a_message(live_server, client, db, settings):
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_away_from(datetime.now(UTC), "Europe/London"))
    home = f"/relationships/{pair.relationship_id}/home"
    errors: list[str] = []
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            expect = playwright.expect
            sam = await phone(browser, live_server, pair.seeker, home, errors)
            await sam.get_by_label("Message to Bob").fill(LATE)
            await sam.get_by_role("button", name="Send").click()
            held = sam.locator(".message.mine.held")
            await expect(held).to_contain_text(LATE)
            beside = sam.locator(".crisis-beside")
            await expect(beside).to_contain_text("Samaritans")
            await expect(beside.get_by_role("link", name="Your safety plan")).to_have_attribute(
                "href", "/safety-plan"
            )
            await held.scroll_into_view_if_needed()
            await shot(sam, "held-sender")

            bob = await phone(browser, live_server, pair.supporter, home, errors)
            await expect(bob.locator(".crisis-beside")).to_contain_text("Call 116 123")
            await expect(bob.locator(".message")).to_have_count(0)  # held: not his to see yet
            await shot(bob, "held-recipient")

            # The next day, in a window: Bob writes something that doesn't sit right.
            await agree(
                db, pair, windows=windows_around(datetime.now(UTC), "Europe/London", 60, 180)
            )
            await bob.reload()
            await bob.get_by_label("Message to Sam").fill(PUSHY)
            await bob.get_by_role("button", name="Send").click()
            await expect(bob.locator(".message.mine").last).to_contain_text(PUSHY)

            await sam.reload()
            theirs = sam.locator(".message.theirs", has_text=PUSHY)
            await expect(theirs).to_be_visible()
            await shot(sam, "chat-with-report-link")
            await theirs.get_by_role("link", name="Report this message").click()  # tap one
            await expect(sam.get_by_role("heading", level=1)).to_have_text("Report this message")
            await sam.get_by_label("Anything you'd like to add?").fill("It made me uneasy.")
            await shot(sam, "report-form")
            await sam.get_by_role("button", name="Send the report").click()  # tap two
            await expect(sam.get_by_role("heading", level=1)).to_have_text(
                "Thank you for telling us"
            )
            await expect(sam.get_by_role("link", name="Block Bob")).to_be_visible()
            await shot(sam, "reported")
            await expect(sam.locator("header .notices-link")).to_be_visible()
        finally:
            await browser.close()
    assert errors == []


async def test_ask_a_coordinator_to_choose(live_server, client, db, settings):
    robin = await staff(client, db, settings)
    await ready_supporter(client, robin, "bob", [(1, "further_along")])
    sam, _request = await seeker_with_request(client, "sam", [(1, "going_through")])
    errors: list[str] = []
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            expect = playwright.expect
            page = await phone(browser, live_server, sam, "/find", errors)
            await expect(page.get_by_role("button", name="Choose Bob")).to_be_visible()
            await shot(page, "find-with-ask-a-coordinator")
            await page.get_by_role("button", name="Ask a coordinator to choose for me").click()
            await expect(page.get_by_role("heading", level=2).first).to_have_text(
                "A coordinator is choosing for you"
            )
            await shot(page, "coordinator-chooses")
        finally:
            await browser.close()
    assert errors == []
