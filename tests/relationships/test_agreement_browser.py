"""Two people agree terms in Debian Chromium on phone-sized screens, then renegotiate.

From an accepted introduction to an active relationship on agreed terms, through the PWA
only: the builder's contact times (a short list for each day), a first proposal read in full,
a counter-proposal seen side by side, agreeing in one tap,
"what we agreed" on each person's own clock, and a change at the review point. Screenshots go
to tests/artifacts/ for a person to look at.
"""

import pytest
from sqlalchemy import update

from api.relationships.models import Relationship
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, REPORT_CSP, WIDTH
from tests.factories import agreeing_pair
from tests.personas import PASSWORD

playwright = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")
pytestmark = NEEDS_CHROMIUM


class Person:
    """One person's phone: a browser context of their own, logged in through /login."""

    def __init__(self, name: str, page, server: str, console: list[str], errors: list[str]):
        self.name, self.page, self.server = name, page, server
        page.set_default_timeout(10_000)
        page.on("console", lambda m: console.append(f"{name} {m.type}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))

    async def log_in(self, email: str, password: str) -> None:
        await self.page.goto(f"{self.server}/login")
        await self.page.get_by_label("Email").fill(email)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Log in").click()
        await self.page.wait_for_url(f"{self.server}/")

    async def shot(self, name: str) -> None:
        """Save the page for a person to look at; it must fit the phone's width."""
        await self.page.screenshot(path=ARTIFACTS / f"{name}-390x844.png", full_page=True)
        width = await self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"

    def heading(self, name: str):
        return self.page.get_by_role("heading", name=name)

    async def tick_acknowledgements(self) -> None:
        await self.page.get_by_label("Confidentiality.").check()
        await self.page.get_by_label("Not a crisis service.").check()


async def test_two_people_agree_terms_and_renegotiate_on_their_phones(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    pair = await agreeing_pair(
        client,
        db,
        settings,
        seeker_profile={"timezone": "Europe/Berlin", "topics_to_avoid": ["my ex"]},
        supporter_profile={"timezone": "Europe/London", "channels": ["chat", "video", "phone"]},
    )
    url = f"{live_server}/relationships/{pair.relationship_id}"
    console: list[str] = []
    errors: list[str] = []
    expect = playwright.expect

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            people = []
            for name in ("bob", "sam"):
                context = await browser.new_context(**PHONE)
                await context.add_init_script(REPORT_CSP)
                people.append(Person(name, await context.new_page(), live_server, console, errors))
            bob, sam = people
            await bob.log_in(pair.supporter.email, PASSWORD)
            await sam.log_in(pair.seeker.email, PASSWORD)

            # Bob finds Sam among his relationships and starts from the template.
            await bob.page.goto(f"{live_server}/relationships")
            await bob.page.get_by_role("link", name="Sam").click()
            await bob.page.wait_for_url(url)
            await expect(bob.page.get_by_role("heading", level=1)).to_contain_text("Sam")
            await bob.shot("relationship-agreeing")
            await bob.page.get_by_role("link", name="Propose terms").click()
            await bob.page.wait_for_url(f"{url}/agreement/propose")
            tuesday = bob.page.get_by_label("Tuesday, from")
            await expect(tuesday).to_have_value("19:00")
            await expect(bob.page.get_by_label("Time zone of these times")).to_have_value(
                "Europe/London"
            )
            await expect(bob.page.locator(".their-answer").first).to_contain_text("my ex")
            await bob.shot("agreement-builder-start")

            # An early Saturday morning (the whole day is there), and phone, which Sam hasn't
            # offered. Adding a time keeps the page where it is and what was chosen.
            await bob.page.get_by_role("checkbox", name="Phone").check()
            await bob.page.get_by_role("button", name="Add a time on Saturday").click()
            saturday = bob.page.get_by_label("Saturday, from")
            await expect(saturday).to_have_value("19:00")
            await expect(bob.page.get_by_role("checkbox", name="Phone")).to_be_checked()
            await saturday.select_option("05:00")
            await bob.page.get_by_label("Saturday, until").select_option("06:30")
            await bob.page.get_by_role("button", name="Propose these terms").click()
            await expect(bob.page.locator("#channels-error")).to_contain_text("hasn't chosen phone")
            await expect(bob.page.locator("#ack_not_a_crisis_service-error")).to_be_visible()
            await expect(saturday).to_have_value("05:00")  # what he chose is kept
            await bob.shot("agreement-builder-errors")
            await bob.page.get_by_role("checkbox", name="Phone").uncheck()
            await bob.tick_acknowledgements()
            await bob.page.get_by_role("button", name="Propose these terms").click()
            await bob.page.wait_for_url(f"{url}/agreement")
            await expect(bob.heading("Your proposal (version 1)")).to_be_visible()

            # Sam reads every term in full, on her clock, and asks for 8 sessions.
            await sam.page.goto(f"{live_server}/relationships")
            await sam.page.get_by_role("link", name="Bob").click()
            await sam.page.get_by_role("link", name="See Bob's proposal").click()
            await sam.page.wait_for_url(f"{url}/agreement")
            await expect(sam.page.locator("tr.changed")).to_have_count(0)
            terms = sam.page.locator(".terms")
            await expect(terms).to_contain_text("Saturday 06:00")  # 05:00 in London
            await expect(terms).to_contain_text("my ex")
            await expect(sam.page.locator("details")).to_have_count(0)  # nothing folded away
            await sam.shot("agreement-first-proposal")
            await sam.page.get_by_role("link", name="Suggest changes").click()
            await sam.page.wait_for_url(f"{url}/agreement/propose")
            await sam.page.get_by_label("Sessions in all").fill("8")
            hugs = sam.page.locator("fieldset.limit", has_text="Hugs")
            await hugs.get_by_text("Never OK").click()
            await sam.tick_acknowledgements()
            await sam.shot("agreement-builder")
            await sam.page.get_by_role("button", name="Propose these terms").click()
            await sam.page.wait_for_url(f"{url}/agreement")

            # Bob sees exactly what Sam changed, side by side, and agrees in one tap.
            await bob.page.reload()
            await expect(bob.heading("Sam's proposal (version 2)")).to_be_visible()
            rows = bob.page.locator("tr.changed")
            await expect(rows.filter(has_text="Number of sessions")).to_contain_text("8 sessions")
            await expect(rows.filter(has_text="Hugs")).to_contain_text("Never OK")
            await bob.page.get_by_text("Read every term of this proposal").click()
            await expect(bob.page.locator("details .terms")).to_contain_text("Saturday 05:00")
            await bob.shot("agreement-side-by-side")
            await bob.page.get_by_role("button", name="Agree to version 2").click()
            await bob.page.wait_for_url(f"{url}/agreed?new=2")
            await expect(bob.page.get_by_role("status")).to_contain_text("You both agreed")
            await expect(bob.page.locator(".terms")).to_contain_text("Tuesday 19:00")
            await bob.shot("agreement-what-we-agreed-london")

            # Sam's copy shows the same windows on her own clock.
            await sam.page.goto(f"{url}/agreed")
            await expect(sam.page.locator(".terms")).to_contain_text("Tuesday 20:00")
            await expect(sam.page.locator(".terms")).to_contain_text("Berlin time")
            await sam.shot("agreement-what-we-agreed-berlin")

            # At the review point Sam proposes a change; version 2 stays until Bob agrees.
            await db.execute(
                update(Relationship)
                .where(Relationship.id == pair.relationship_id)
                .values(sessions_held=3)
            )
            await db.commit()
            await sam.page.goto(url)
            await expect(sam.heading("Time to check in")).to_be_visible()
            await sam.shot("relationship-review")
            await sam.page.get_by_role("link", name="Suggest a change").click()
            await sam.page.get_by_label("Replies to messages").select_option("same_day")
            await sam.tick_acknowledgements()
            await sam.page.get_by_role("button", name="Propose these terms").click()
            await sam.page.wait_for_url(f"{url}/agreement")
            await bob.page.goto(f"{url}/agreement")
            await expect(bob.page.locator("thead")).to_contain_text("In force (version 2)")
            await expect(bob.page.locator("tr.changed")).to_contain_text("The same day")
            await bob.shot("agreement-renegotiation")
            await bob.page.get_by_role("button", name="Agree to version 3").click()
            await bob.page.wait_for_url(f"{url}/agreed?new=3")
            await expect(bob.page.get_by_role("status")).not_to_contain_text("can begin")
            await sam.page.goto(url)
            await expect(sam.page.locator(".timeline")).to_contain_text("Bob agreed to version 3")
            await expect(sam.heading("Time to check in")).to_have_count(0)
            await sam.shot("relationship-active")
        finally:
            await browser.close()

    csp = [m for m in console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    assert not errors, errors
