"""Ending a relationship in Debian Chromium on a phone-sized screen, against a real server."""

import pytest
from sqlalchemy import select

from api.supporters.models import SupporterOffer
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, REPORT_CSP, WIDTH
from tests.personas import PASSWORD
from tests.safety.helpers import active_pair, relationship

MESSAGE = "Thank you for listening every Tuesday, Bob. I feel ready to go on by myself now."

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


async def test_end_a_relationship_on_a_phone(live_server, client, db, settings):
    ARTIFACTS.mkdir(exist_ok=True)
    pair = await active_pair(client, db, settings)
    hub = f"{live_server}/relationships/{pair.relationship_id}/safety"
    console: list[str] = []
    errors: list[str] = []

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(**PHONE)
            await context.add_init_script(REPORT_CSP)
            page = await context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: errors.append(str(e)))
            expect = playwright.expect

            async def shot(name: str) -> None:
                await page.screenshot(path=ARTIFACTS / f"{name}-390x844.png", full_page=True)
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"

            async def log_in(email: str) -> None:
                await page.goto(
                    f"{live_server}/login?next=/relationships/{pair.relationship_id}/safety"
                )
                await page.get_by_label("Email").fill(email)
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Log in").click()
                await page.wait_for_url(hub)

            # Sam, the seeker, on the relationship's safety page, then the relationship page.
            await log_in(pair.seeker.email)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Bob")
            await shot("relationship-safety")
            await page.get_by_role("link", name="Pause").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Pause your support with Bob"
            )
            await shot("pause")
            await page.goto(hub.removesuffix("/safety"))
            controls = page.locator("section.safety-actions")
            await expect(controls).to_contain_text("Pause, end, or get help")
            await shot("relationship")

            # Tap one: "End our support" on the relationship page.
            await controls.get_by_role("link", name="End our support").click()
            await page.wait_for_url(f"{hub.removesuffix('/safety')}/end")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "End your support with Bob"
            )
            preview = page.locator("#preview")
            await expect(preview).to_contain_text("This is what Bob will see")
            await expect(preview).to_contain_text("Sam has ended your support.")
            await shot("end")

            # Optional reason and closing message; the preview follows the typing (htmx).
            await page.get_by_label("Why are you ending?").select_option("got_what_i_needed")
            await page.get_by_label("A closing message to Bob").fill(MESSAGE)
            await expect(preview.locator("blockquote")).to_have_text(MESSAGE)
            await expect(preview).not_to_contain_text("got what I needed")
            await shot("end-preview")

            # Tap two: it ends, at once.
            await page.get_by_role("button", name="End our support").click()
            await page.wait_for_url(f"{hub}?done=ended")
            await expect(page.get_by_role("status")).to_contain_text("Your support has ended")
            await expect(page.get_by_role("button", name="Ask for a new match")).to_be_visible()
            await shot("ended")

            # Bob sees a kind ending and Sam's message, never the reason.
            await context.clear_cookies()
            await log_in(pair.supporter.email)
            await expect(page.locator("figure.closing blockquote")).to_have_text(MESSAGE)
            await expect(page.locator("main")).not_to_contain_text("got what I needed")
            await shot("ended-other-person")
            await page.goto(f"{live_server}/notices")
            await expect(page.locator("main")).to_contain_text("Sam has ended your support.")
            await shot("notices")
            await page.goto(f"{hub.removesuffix('/safety')}/concern")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern")
            await shot("concern")
            await page.goto(f"{live_server}/account")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Your account and data")
            await shot("account")
        finally:
            await browser.close()

    csp = [m for m in console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    assert not errors, errors
    assert (await relationship(db, pair)).state == "ended"
    db.expire_all()
    taken = await db.scalar(
        select(SupporterOffer.active_count).where(SupporterOffer.user_id == pair.supporter.id)
    )
    assert taken == 0
