"""In Debian Chromium against a real server, on a laptop and on a phone: a coordinator tries to
approve an offer, is told which checks are missing, records them on the supporter's screening
page, approves, and logs a supervision session; a supporter writes and deletes a debrief on
their phone. axe finds nothing on any of these pages, light or dark."""

import json
from datetime import timedelta

import pytest

from api.common import utcnow
from tests.browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    LAPTOP,
    NEEDS_CHROMIUM,
    PHONE,
    REPORT_CSP,
    axe_violations,
    enter_code,
)
from tests.contact.helpers import add_session
from tests.personas import PASSWORD, SECRETS
from tests.safety.helpers import active_pair
from tests.screening.helpers import offering

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM

SCREENS = {"1280x800": LAPTOP, "390x844": PHONE}
WORDS = "Sam spoke about the funeral; I felt wobbly afterwards."


async def _log_in(page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    if email in SECRETS:  # staff sign in with a code from their authenticator app
        await enter_code(page, email)


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_recording_screening_then_approving(live_server, client, db, settings, screen):
    ARTIFACTS.mkdir(exist_ok=True)
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    await add_session(db, pair, utcnow() - timedelta(days=1), status="held")
    finn, _ = await offering(client, "finn")
    expect = playwright.expect
    width = SCREENS[screen]["viewport"]["width"]
    found: dict[str, list] = {}
    errors: list[str] = []

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(**SCREENS[screen])
            await context.add_init_script(REPORT_CSP)
            page = await context.new_page()
            page.set_default_timeout(10_000)
            page.on("pageerror", lambda e: errors.append(str(e)))

            async def shot(name: str) -> None:
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(
                    path=ARTIFACTS / f"screening-{name}-{screen}.png", full_page=True
                )
                scroll = await page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{name} scrolls sideways ({scroll}px)"
                violations = await axe_violations(page)
                if violations:
                    found[name] = violations

            await _log_in(page, live_server, robin.email)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Today")
            await expect(page.locator("main")).to_contain_text("Screening and training due")
            await shot("1-today")

            # Approving before the checks are recorded: refused, naming what's missing.
            await page.get_by_role("link", name="Supporters").first.click()
            await page.get_by_role("button", name="Approve Finn").click()
            alert = page.get_by_role("alert").first
            await expect(alert).to_contain_text("Before Finn can support others, record")
            await expect(alert).to_contain_text("References checked (not recorded yet)")
            await shot("2-approval-refused")

            # Record the three required checks on Finn's screening page.
            await page.get_by_role("link", name="Screening and training for Finn").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Finn: screening and supervision"
            )
            await shot("3-screening-empty")
            for label, note in (
                ("References checked", "Two references, both warm."),
                ("Peer support training completed", ""),
                ("Code of conduct signed", ""),
            ):
                await page.get_by_label("What was done").select_option(label=label)
                if note:
                    await page.get_by_label("Note (optional; kept sealed)").first.fill(note)
                async with page.expect_navigation():
                    await page.get_by_role("button", name="Record it").click()
                await expect(page.get_by_role("status").first).to_contain_text("Recorded.")
            await expect(page.locator("main")).to_contain_text("Everything required is recorded")
            await expect(page.locator("main")).to_contain_text("Two references, both warm.")
            await shot("4-screening-done")

            # The browser itself won't take a date in the future (the server refuses it too:
            # test_pages.py).
            assert await page.get_by_label("Done on").get_attribute("max")

            # Approve.
            await page.get_by_role("link", name="Supporters").first.click()
            await page.get_by_role("button", name="Approve Finn").click()
            await expect(page.get_by_role("status").first).to_contain_text("Approved")
            await expect(page.get_by_role("button", name="Approve Finn")).to_have_count(0)

            # Bob's supervision, and his debriefs (none yet).
            await page.goto(f"{live_server}/coordinator/supporters/{pair.supporter.id}/screening")
            await page.get_by_label("With whom").fill("Sam (volunteer lead)")
            await page.get_by_role("button", name="Log it").click()
            await expect(page.get_by_role("status").first).to_contain_text("Supervision logged")
            await expect(page.locator("main")).to_contain_text("with Sam (volunteer lead)")
            await shot("5-supervision")
            await page.get_by_role("link", name="Read Bob's debriefs").click()
            await expect(page.locator("main")).to_contain_text("No debriefs.")
            await shot("6-debriefs")
            await page.goto(f"{live_server}/coordinator/safeguarding-requests")
            await shot("7-access-requests")

            # Dark mode, the pages that changed.
            await page.emulate_media(color_scheme="dark")
            await page.goto(f"{live_server}/coordinator/supporters/{finn.id}/screening")
            await shot("8-screening-dark")
            await page.goto(f"{live_server}/coordinator")
            await shot("9-today-dark")
            await context.close()
        finally:
            await browser.close()
    assert errors == []
    assert found == {}, json.dumps(found, indent=1)


async def test_a_supporter_writes_and_deletes_a_debrief_on_a_phone(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    pair = await active_pair(client, db, settings)
    await add_session(db, pair, utcnow() - timedelta(days=1), status="held")
    expect = playwright.expect
    found: dict[str, list] = {}
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for scheme in ("light", "dark"):
                context = await browser.new_context(**PHONE, color_scheme=scheme)
                await context.add_init_script(REPORT_CSP)
                page = await context.new_page()
                page.set_default_timeout(10_000)
                await _log_in(page, live_server, pair.supporter.email)
                await page.wait_for_url(f"{live_server}/")
                await page.goto(f"{live_server}/support/offer")
                await page.get_by_role("link", name="My debriefs").click()
                await expect(page.get_by_role("heading", level=1)).to_have_text("My debriefs")
                await page.get_by_label("Your debrief").fill(WORDS)
                await page.get_by_role("button", name="Save my debrief").click()
                await expect(page.get_by_role("status").first).to_contain_text("Saved")
                await expect(page.locator("main")).to_contain_text(WORDS)
                await page.screenshot(
                    path=ARTIFACTS / f"debriefs-{scheme}-390x844.png", full_page=True
                )
                scroll = await page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= 390
                violations = await axe_violations(page)
                if violations:
                    found[scheme] = violations
                await page.get_by_role("button", name="Delete the debrief of").click()
                await expect(page.get_by_role("status").first).to_contain_text("Deleted")
                await expect(page.locator("main")).not_to_contain_text(WORDS)
                await context.close()
        finally:
            await browser.close()
    assert found == {}, json.dumps(found, indent=1)
    # The person supported reads nothing of it on their side.
    mine = await client.get("/api/v1/me/debriefs", headers=pair.seeker.headers)
    assert mine.json()["data"] == []
