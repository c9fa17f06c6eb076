"""In Debian Chromium against a real server: a referred person's invitation (join, or no
thanks) and the summary question on a phone; an administrator's integrations page on a
phone and a laptop. Every page fits the screen and axe-core finds nothing."""

import pytest
from sqlalchemy import update

from api.profiles import own_words
from api.relationships.models import Relationship
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
from tests.clients.helpers import admin, integrator
from tests.factories import agreeing_pair
from tests.personas import PASSWORD
from tests.referrals.helpers import agree_terms, invite_path, person, refer, sessions_held
from tests.safety.helpers import rid

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


class Screen:
    def __init__(self, page, name: str, width: int) -> None:
        self.page, self.name, self.width = page, name, width
        self.violations: dict[str, list] = {}

    async def shot(self, what: str) -> None:
        await self.page.evaluate("window.scrollTo(0, 0)")
        await self.page.screenshot(
            path=ARTIFACTS / f"referrals-{what}-{self.name}.png", full_page=True
        )
        scroll = await self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= self.width, f"{what} scrolls sideways ({scroll}px)"
        if found := await axe_violations(self.page):
            self.violations[what] = found


async def test_a_referred_person_joins_refuses_and_answers_on_a_phone(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    await own_words.prepare(settings)  # the similarity model's first load takes ~25 s here
    made = await integrator(client, db, settings)
    joining = await refer(client, made, experiences=["Loss of a parent", 2])
    refusing = await refer(client, made, reference="RSP-2042", email="lee@example.org")
    errors: list[str] = []
    expect = playwright.expect
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(**PHONE)
            await context.add_init_script(REPORT_CSP)
            page = await context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            screen = Screen(page, "390x844", PHONE["viewport"]["width"])

            # Lee says no thanks.
            await page.goto(f"{live_server}{invite_path(refusing)}")
            await page.get_by_role("button", name="No thanks").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Thank you for letting us know"
            )
            await screen.shot("refused")

            # Sam opens the invitation, keeps one suggestion and joins.
            await page.goto(f"{live_server}{invite_path(joining)}")
            await expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Riverside social prescribing suggested"
            )
            await expect(page.get_by_label("Email")).to_have_value("sam.referred@example.org")
            await screen.shot("invite")
            await page.get_by_label("Name others will see").fill("Sam")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_label("Loss of a parent").uncheck()
            await page.get_by_role("button", name="Create my account").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("About you")
            await expect(
                page.get_by_text("The experiences you kept are in your profile")
            ).to_be_visible()
            await screen.shot("welcome")

            # Later Sam's support ends; Sam is asked about a summary, and says yes.
            sam = await person(client, "sam", "sam.referred@example.org")
            pair = await agreeing_pair(client, db, settings, seeker_name="other")
            await db.execute(
                update(Relationship).where(Relationship.id == rid(pair)).values(seeker_id=sam.id)
            )
            await db.commit()
            await agree_terms(db, rid(pair), pair.supporter.id)
            await sessions_held(db, rid(pair), 3)
            ended = await client.post(f"{pair.base}/end", json={}, headers=sam.headers)
            assert ended.status_code == 200, ended.text
            await page.goto(f"{live_server}/")
            await expect(
                page.get_by_role("heading", name="How did your support go?")
            ).to_be_visible()
            await screen.shot("home-prompt")
            await page.get_by_role("link", name="Choose whether to share").click()
            await expect(
                page.get_by_text("It ended earlier than planned, after 3 sessions held.")
            ).to_be_visible()
            await screen.shot("summary-question")
            await page.get_by_role(
                "button", name="Yes, share this with Riverside social prescribing"
            ).click()
            await expect(page.get_by_text("Thank you. It has been shared.")).to_be_visible()
            await screen.shot("summary-shared")
        finally:
            await browser.close()
    assert not errors, errors
    assert not screen.violations, screen.violations


@pytest.mark.parametrize("size", ["390x844", "1280x800"])
async def test_an_administrator_creates_and_rotates_a_client(
    live_server, client, db, settings, size
):
    ARTIFACTS.mkdir(exist_ok=True)
    ada = await admin(client, db, settings)
    await integrator(client, db, settings, name="Northside wellbeing hub", by=ada)
    options = PHONE if size == "390x844" else LAPTOP
    errors: list[str] = []
    expect = playwright.expect
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(**options)
            await context.add_init_script(REPORT_CSP)
            page = await context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            screen = Screen(page, size, options["viewport"]["width"])
            await page.goto(f"{live_server}/login")
            await page.get_by_label("Email").fill(ada.email)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await enter_code(page, ada.email)
            await page.get_by_role("link", name="Integrations").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Integrations")
            await screen.shot("clients")
            await page.get_by_label('Name (who it is, e.g. "Riverside social prescribing")').fill(
                "Riverside social prescribing"
            )
            await page.get_by_role("checkbox", name="referrals:write").check()
            await page.get_by_role("checkbox", name="referrals:read").check()
            await page.get_by_role("button", name="Create the client").click()
            await expect(
                page.get_by_role("heading", name="Copy the secret for Riverside")
            ).to_be_visible()
            secret = await page.get_by_label("Client secret").input_value()
            assert secret.startswith("kcs_")
            await screen.shot("secret-once")
            await page.get_by_role(
                "button", name="New secret for Riverside social prescribing"
            ).click()
            await expect(page.get_by_text("keeps working until")).to_be_visible()
            assert await page.get_by_label("Client secret").input_value() != secret
            await screen.shot("rotated")
            await page.locator("table.clients").screenshot(
                path=ARTIFACTS / f"referrals-clients-table-{size}.png"
            )
        finally:
            await browser.close()
    assert not errors, errors
    assert not screen.violations, screen.violations
