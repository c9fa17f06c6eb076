"""Against a real server in Chromium: a coordinator reads a reported message because of its
report and hides it (1280x800); the sender reads why and appeals on a phone (390x844); the
same coordinator is told another must decide; a second coordinator overturns it. Screenshots
in tests/artifacts/moderation-*.png; axe finds nothing on any page."""

import pytest

from tests.browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    LAPTOP,
    NEEDS_CHROMIUM,
    PHONE,
    axe_violations,
    enter_code,
)
from tests.moderation.helpers import REPORTED, WORDS, reported
from tests.personas import PASSWORD, SECRETS

playwright = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")
pytestmark = NEEDS_CHROMIUM


async def signed_in(browser, live_server, person, next_url, screen, scheme="light"):
    context = await browser.new_context(**screen, color_scheme=scheme)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(f"{live_server}/login?next={next_url}")
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    if person.email in SECRETS:  # staff sign in with a code from their authenticator app
        await enter_code(page, person.email)
    await page.wait_for_url(f"{live_server}{next_url}")
    return page


async def check(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"moderation-{name}.png", full_page=True)
    assert await axe_violations(page) == [], name


async def test_moderate_a_reported_message_and_decide_the_appeal(live_server, client, db, settings):
    r = await reported(client, db, settings)
    expect = playwright.expect
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            moderate = f"/coordinator/concerns/{r.concern_id}/moderate"
            robin = await signed_in(browser, live_server, r.pair.coordinator, moderate, LAPTOP)
            await robin.get_by_role("link", name="Read the reported message").click()
            await expect(robin.locator("blockquote.reported")).to_have_text(REPORTED)
            await robin.get_by_label("Hide the reported message from both people").check()
            await robin.get_by_label("Reason, for the record").fill(
                "Asked to meet outside the agreement and to keep it from us."
            )
            await robin.get_by_label("What the person will read").fill(
                "We've hidden a message you sent because it asked to meet outside what you "
                "both agreed. Please keep to your agreement; we're here if it needs changing."
            )
            await check(robin, "coordinator-decides")
            await robin.get_by_role("button", name="Record the decision").click()
            await expect(robin.get_by_role("status")).to_contain_text("Decision recorded")
            await check(robin, "coordinator-decided")

            # Bob, on his phone: the message shows as hidden; he reads why and appeals once.
            home = f"/relationships/{r.pair.relationship_id}/home"
            bob = await signed_in(browser, live_server, r.pair.supporter, home, PHONE)
            await expect(bob.locator(".message.hidden")).to_contain_text("Hidden by a coordinator")
            assert WORDS not in await bob.content()
            await bob.locator(".message.hidden").get_by_role("link", name="Read why").click()
            await expect(
                bob.get_by_role("heading", name="One of your messages was hidden")
            ).to_be_visible()
            await bob.get_by_label("If you think this isn't right").fill(
                "I was telling Sam where my walking group meets, not asking to meet alone."
            )
            await check(bob, "person-appeals")
            await bob.get_by_role("button", name="Ask for another look").click()
            await expect(bob.get_by_role("status")).to_contain_text("Another coordinator")
            await expect(bob.get_by_role("button", name="Ask for another look")).to_have_count(0)
            await check(bob, "person-appealed")

            # Robin can't decide the appeal against his own decision.
            await robin.goto(f"{live_server}/coordinator/moderation")
            await expect(robin.get_by_text("No appeals waiting.")).to_be_visible()
            await robin.goto(f"{live_server}{moderate}")
            await robin.locator(".list a").first.click()
            await expect(robin.get_by_role("status")).to_contain_text(
                "another coordinator decides its appeal"
            )
            await expect(robin.get_by_role("button", name="Decide the appeal")).to_have_count(0)

            # Casey decides it, in dark mode.
            casey = await signed_in(
                browser, live_server, r.casey, "/coordinator/moderation", LAPTOP, "dark"
            )
            await casey.locator(".list a").first.click()
            await casey.get_by_label("Overturn: undo it").check()
            await casey.get_by_label("What the person will read").fill(
                "Thank you for explaining. Your message is back in your chat."
            )
            await check(casey, "second-coordinator-decides")
            await casey.get_by_role("button", name="Decide the appeal").click()
            await expect(casey.get_by_text("Overturned", exact=True)).to_be_visible()

            # Bob is told, and the message is back for both.
            await bob.goto(f"{live_server}/moderation")
            await expect(bob.locator(".card")).to_contain_text("reversed the decision")
            await check(bob, "person-told")
            await bob.goto(f"{live_server}{home}")
            await expect(bob.locator(".message.mine").last).to_contain_text(REPORTED)

            # A suspended person's appeal form, reached from the log-in page, on a phone.
            context = await browser.new_context(**PHONE, color_scheme="dark")
            form = await context.new_page()
            await form.goto(f"{live_server}/moderation/suspended")
            await expect(form.get_by_label("Why should it be looked at again?")).to_be_visible()
            await check(form, "suspended-appeal-form")
        finally:
            await browser.close()
