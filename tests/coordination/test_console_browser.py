"""A coordinator's working day in Debian Chromium, on a phone and on a laptop, against a real
server: triage a concern, propose a match with a note, run a batch, change a pair in it and send
it, approve (with a note) and suspend a supporter, read the statistics."""

import pytest

from tests.browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    LAPTOP,
    NEEDS_CHROMIUM,
    PHONE,
    REPORT_CSP,
    enter_code,
)
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import PASSWORD, peer
from tests.personas import screen as record_screening
from tests.safety.helpers import active_pair, rid

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM

SCREENS = {"390x844": PHONE, "1280x800": LAPTOP}


async def _tag_id(client, person, label: str) -> int:
    taxonomy = (await client.get("/api/v1/taxonomy", headers=person.headers)).json()
    return next(t["id"] for c in taxonomy for t in c["tags"] if t["label"] == label)


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_a_coordinators_day_in_the_console(live_server, client, db, settings, screen):
    ARTIFACTS.mkdir(exist_ok=True)
    # The service's state is prepared through the API; the live server shares the database.
    pair = await active_pair(client, db, settings)
    robin = pair.coordinator
    raised = await client.post(
        f"/api/v1/relationships/{rid(pair)}/concerns",
        json={"kind": "boundary_crossed", "details": "asked for my phone number"},
        headers=pair.seeker.headers,
    )
    assert raised.status_code == 201, raised.text
    loss = await _tag_id(client, robin, "Loss of a parent")
    await ready_supporter(client, robin, "cleo", [(loss, "further_along")], capacity=3)
    await ready_supporter(client, robin, "gail", [(loss, "further_along")], capacity=1)
    await seeker_with_request(client, "dana", [(loss, "going_through")])
    await seeker_with_request(client, "eli", [(loss, "going_through")])
    finn = await peer(client, "finn")
    offered = await client.post(
        "/api/v1/supporter-offer", json={"capacity": 1}, headers=finn.headers
    )
    assert offered.status_code == 201, offered.text
    await record_screening(client, robin, finn.id)

    console: list[str] = []
    errors: list[str] = []
    expect = playwright.expect
    width = SCREENS[screen]["viewport"]["width"]

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = await browser.new_context(**SCREENS[screen])
            await context.add_init_script(REPORT_CSP)
            page = await context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: errors.append(str(e)))

            async def shot(name: str) -> None:
                """Save the page for a person to look at; it must fit the screen's width."""
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(
                    path=ARTIFACTS / f"console-{name}-{screen}.png", full_page=True
                )
                scroll = await page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{name} scrolls sideways ({scroll}px)"

            # Robin signs in and lands on today's work.
            await page.goto(f"{live_server}/login")
            await page.get_by_label("Email").fill(robin.email)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await enter_code(page, robin.email)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Today")
            await shot("1-today")

            # Triage the concern: assign it to herself, with a note.
            await page.get_by_role("link", name="Boundary crossed").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Boundary crossed")
            await expect(page.locator("main")).to_contain_text("asked for my phone number")
            await page.get_by_label("Move it to").select_option("triaged")
            await page.get_by_label("Assign it to me").check()
            await page.get_by_label("Note (only coordinators see it)").fill("Calling Sam today.")
            await page.get_by_role("button", name="Save").click()
            await expect(page.locator(".badge").first).to_have_text("Triaged")
            await expect(page.locator("main")).to_contain_text("With Robin")
            await shot("2-concern")

            # The waiting list: propose Cleo to Dana.
            await page.get_by_role("link", name="Waiting list").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Waiting list")
            await expect(page.locator("main")).to_contain_text("Loss of a parent")
            await shot("3-waiting")
            await page.get_by_role("link", name="Propose a match for Dana").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("A match for Dana")
            await page.get_by_label("Cleo").check()
            await page.get_by_label("A note for the supporter").fill(
                "You both lost a parent young, and Dana would like evenings."
            )
            await page.get_by_label("A note for Dana").fill("Cleo has been where you are.")
            await shot("4-candidates")
            await page.get_by_role("button", name="Send the introduction").click()
            await expect(page.get_by_role("status").first).to_contain_text(
                "Introduction sent to Cleo for Dana"
            )
            await shot("4b-proposed")

            # A batch over everyone still waiting: Eli's pair is changed, then sent once.
            await page.get_by_role("button", name="Run a batch").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Batch draft")
            await expect(page.locator("main")).to_contain_text("Eli with")
            first = await page.locator(".card.pair h2").first.inner_text()
            await shot("5-batch-draft")
            await page.get_by_role("link", name="Change Eli's supporter").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Another supporter for Eli"
            )
            await shot("5b-change-pair")
            await page.get_by_role("button", name="Pair Eli with the supporter chosen").click()
            await expect(page.get_by_role("status").first).to_contain_text("Pair changed")
            changed = await page.locator(".card.pair h2").first.inner_text()
            assert changed != first and "Eli with" in changed
            await shot("5c-batch-changed")
            await page.get_by_role("button", name="Send 1 introduction").click()
            await expect(page.locator("main")).to_contain_text("1 sent")
            await expect(page.get_by_role("button", name="Send 1 introduction")).to_have_count(0)
            await shot("6-batch-sent")

            # Supporters: approve Finn's offer, suspend Bob.
            await page.get_by_role("link", name="Supporters").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Supporters")
            await shot("7-supporters")
            await page.get_by_label("A note for Finn").fill("Welcome! Supervision is on Tuesdays.")
            await page.get_by_role("button", name="Approve Finn").click()
            await expect(page.get_by_role("status").first).to_contain_text("Approved")
            await expect(page.get_by_role("button", name="Approve Finn")).to_have_count(0)
            await page.get_by_role("button", name="Suspend Bob").click()
            await expect(page.get_by_role("button", name="Reinstate Bob")).to_be_visible()
            await shot("8-supporters-after")

            # Relationships and their health; one relationship's page.
            await page.get_by_role("link", name="Relationships").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Relationships")
            await shot("9-relationships")
            await page.get_by_role("link", name="Sam").first.click()
            await expect(page.get_by_role("heading", level=2).first).to_be_visible()
            await shot("10-relationship")

            # The statistics, and the settings.
            await page.get_by_role("link", name="Statistics").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
            await expect(page.locator("svg").first).to_be_visible()
            await shot("11-statistics")
            await page.get_by_role("link", name="Settings").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
            await shot("12-settings")
        finally:
            await browser.close()

    csp = [m for m in console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    problems = [m for m in console if m.startswith("error")]
    assert not problems, problems
    assert not errors, errors
