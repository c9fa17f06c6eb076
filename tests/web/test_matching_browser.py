"""Onboarding to an accepted introduction in Debian Chromium, on a phone, against a real server."""

import pytest

from tests.addresses import confirm_in_browser
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, REPORT_CSP, WIDTH
from tests.matching.people import ready_supporter
from tests.personas import PASSWORD, staff

SUPPORTERS_WORDS = "My dad died when I was thirty; the first year was the hardest."
SEEKERS_WORDS = "Mum died in the spring and I keep expecting her to ring."

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


async def _tag_id(client, person, label: str) -> int:
    taxonomy = (await client.get("/api/v1/taxonomy", headers=person.headers)).json()
    return next(t["id"] for c in taxonomy for t in c["tags"] if t["label"] == label)


async def test_a_seeker_finds_and_chooses_a_supporter_who_accepts(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    # The supporter is prepared through the API; the live server shares the database.
    robin = await staff(client, db, settings)
    bob_tag = await _tag_id(client, robin, "Loss of a parent")
    bob = await ready_supporter(client, robin, "bob", [(bob_tag, "further_along")])
    await client.put(
        "/api/v1/profile/experiences",
        json=[{"tag_id": bob_tag, "stage": "further_along", "description": SUPPORTERS_WORDS}],
        headers=bob.headers,
    )
    console: list[str] = []
    errors: list[str] = []
    expect = playwright.expect

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:

            async def phone(zone: str):
                context = await browser.new_context(**PHONE, timezone_id=zone)
                await context.add_init_script(REPORT_CSP)
                page = await context.new_page()
                page.set_default_timeout(10_000)
                page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
                page.on("pageerror", lambda e: errors.append(str(e)))
                return page

            async def shot(page, name: str, full_page: bool = True) -> None:
                if full_page:  # from the top, so sticky bars sit where they belong
                    await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(path=ARTIFACTS / f"matching-{name}.png", full_page=full_page)
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"

            # Sam signs up on a phone set to Dublin time.
            sam = await phone("Europe/Dublin")
            await sam.goto(f"{live_server}/signup")
            await sam.get_by_label("Name others will see").fill("Sam Rivers")
            await sam.get_by_label("Email").fill("sam.rivers@example.org")
            await sam.get_by_label("Password").fill(PASSWORD)
            await sam.get_by_role("button", name="Create account").click()
            await expect(sam.get_by_role("heading", level=1)).to_have_text("Hello, Sam Rivers")
            await shot(sam, "1-home")
            # Sam follows the link e-mailed to confirm the address (or nobody is introduced).
            await confirm_in_browser(
                sam, live_server, client._transport.app, "sam.rivers@example.org"
            )
            await sam.goto(f"{live_server}/")

            # About you: the time zone comes from the phone; the week is a grid of taps.
            await sam.get_by_role("link", name="Set up my profile").click()
            await expect(sam.get_by_role("heading", level=1)).to_have_text("About you")
            await expect(sam.get_by_label("Your time zone")).to_have_value("Europe/Dublin")
            await sam.get_by_label("Pronouns (optional)").fill("he/him")
            for cell in (
                "Tuesday evening",
                "Thursday evening",
                "Thursday late",
                "Saturday morning",
            ):
                await sam.get_by_label(cell).check()
            await sam.get_by_label("Chat in the app").check()
            await sam.get_by_label("Video calls").check()
            await sam.get_by_label("Topics you'd rather not talk about (optional)").fill("religion")
            await shot(sam, "2-profile")
            await sam.get_by_role("button", name="Save").click()

            # Experiences: search, tick, answer the two questions, own words.
            await expect(sam.get_by_role("heading", level=1)).to_have_text("Your experiences")
            search = sam.get_by_label("Search")
            await expect(search).to_be_visible()
            await shot(sam, "3-experiences")
            await search.fill("parent")
            await expect(sam.locator("#experience-search-status")).to_have_text(
                "4 experiences match."
            )
            await expect(sam.get_by_label("Burnout")).to_be_hidden()
            await expect(sam.get_by_label("Miscarriage")).to_be_hidden()
            await expect(sam.get_by_label("Parenting alone")).to_be_visible()
            await sam.get_by_label("Loss of a parent").check()
            details = sam.locator(f"#tag-{bob_tag} ~ .tag-details")
            await expect(details).to_be_visible()
            await details.get_by_label("I'm going through it now").check()
            await details.get_by_label("In your own words (optional)").fill(SEEKERS_WORDS)
            await shot(sam, "4-experiences-search")
            await shot(sam, "4-experiences-search-screen", full_page=False)  # the sticky Save
            await search.fill("")
            await expect(sam.get_by_label("Burnout")).to_be_attached()
            await sam.get_by_role("button", name="Save my experiences").click()
            await expect(sam.get_by_role("status").first).to_contain_text("Saved")

            # Find a supporter: the explained shortlist, then choose.
            await sam.get_by_role("link", name="Find a supporter").click()
            await expect(sam.get_by_role("heading", level=1)).to_have_text("Find a supporter")
            await expect(sam.get_by_label("Loss of a parent")).to_be_checked()
            await sam.get_by_label("Someone who is further along with this").check()
            await shot(sam, "5-find")
            await sam.get_by_role("button", name="Show me suggestions").click()
            card = sam.locator(".card.person").first
            await expect(card.get_by_role("heading", level=3)).to_contain_text("Bob")
            await expect(card).to_contain_text("They have been through losing a parent")
            await expect(card).to_contain_text("You're both free on")
            assert SUPPORTERS_WORDS not in await sam.content()
            await shot(sam, "6-shortlist")
            await card.get_by_role("button", name="Choose Bob").click()
            await expect(sam.get_by_role("status").first).to_have_text(
                "We've let Bob know. We'll tell you when they answer."
            )
            await shot(sam, "7-chosen")

            # Bob, on his own phone, sees the introduction and accepts.
            supporter = await phone("Europe/London")
            await supporter.goto(f"{live_server}/login")
            await supporter.get_by_label("Email").fill(bob.email)
            await supporter.get_by_label("Password").fill(PASSWORD)
            await supporter.get_by_role("button", name="Log in").click()
            await expect(supporter.get_by_role("heading", level=1)).to_have_text("Hello, Bob")
            await shot(supporter, "8-supporter-home")
            await supporter.get_by_role("link", name="Introductions (1)").click()
            intro = supporter.locator(".card.introduction")
            await expect(intro.get_by_role("heading", level=2)).to_have_text("Sam Rivers (he/him)")
            await expect(intro).to_contain_text("Please answer by")
            assert SEEKERS_WORDS not in await supporter.content()
            await shot(supporter, "9-inbox")
            await intro.get_by_role("button", name="Accept").click()
            await expect(supporter.get_by_role("status").first).to_have_text(
                "You're now agreeing terms with Sam Rivers."
            )
            link = supporter.get_by_role("link", name="Agree terms with Sam Rivers")
            assert (await link.get_attribute("href")).startswith("/relationships/")
            await shot(supporter, "10-accepted")
            # His page with Sam says what Sam is going through; her own words stay hers.
            await link.click()
            asked = supporter.get_by_role("heading", name="What Sam Rivers would like support with")
            await expect(asked).to_be_visible()
            await expect(supporter.locator(".asked")).to_contain_text("going through it now")
            assert SEEKERS_WORDS not in await supporter.content()
            await shot(supporter, "10b-relationship-supporter")

            # Sam sees the answer.
            await sam.reload()
            await expect(sam.get_by_role("status").first).to_contain_text("Bob said yes")
            await shot(sam, "11-seeker-agreeing")
        finally:
            await browser.close()

    csp = [m for m in console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    problems = [m for m in console if m.startswith("error")]
    assert not problems, problems
    assert not errors, errors
