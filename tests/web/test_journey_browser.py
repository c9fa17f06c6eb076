"""The whole journey on two phones: a seeker (Sam) and a supporter (Bob), against a real server.

Everything the peer's journey promises, in the order people meet it: topics to avoid from the
profile, asking a coordinator to choose, a kind introduction, the answer arriving as a notice,
every term shown before agreeing (and nobody's limits set by the other person), the compact
builder, a change shown with the whole text one tap away, held messages with the crisis
contacts beside them and released in writing order, contact details kept back, reporting a
message, "I haven't heard from them", the safety plan one tap from every page, dark mode, a
kind ending that stays on home, and the data export's wording.

Every page reached is checked by axe-core and saved as a screenshot (KINDRED_SHOTS, else
tests/artifacts/journey) for a person to look at. Time moves the way the other browser tests
move it: agreed windows are chosen around or away from now, and "days pass" moves the
relationship's messages back.
"""

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from api.contact.models import Message
from tests.browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    NEEDS_CHROMIUM,
    PHONE,
    REPORT_CSP,
    WIDTH,
    axe_violations,
)
from tests.factories import accepted_introduction
from tests.matching.people import ready_supporter
from tests.personas import PASSWORD, Person, staff, token_for

playwright = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")
pytestmark = NEEDS_CHROMIUM

SHOTS = Path(os.environ.get("KINDRED_SHOTS", ARTIFACTS / "journey"))
LONDON = "Europe/London"
SAMS_EMAIL = "sam.journey@example.org"
SAMS_TOPICS = "my ex"
BOBS_TOPICS = "my own divorce"
LATE = "Couldn't sleep again. The evenings are the hardest part."
LATER = "Sorry, one more thing: Sunday is her birthday."
NUMBER = "It might be easier to text me on 07700 900123."
PUSHY = "You should just come round to mine on Saturday, it'd be easier."
QUIET = "Are you still there, Bob?"
CLOSING = "Thank you for listening, Bob. I feel ready to go on by myself now."


def expect(target):
    return playwright.expect(target)


class Phone:
    """One person's phone: its own browser context, kept to their side of the journey."""

    def __init__(self, name: str, context, page, journey: "Journey"):
        self.name, self.context, self.page, self.journey = name, context, page, journey
        page.set_default_timeout(15_000)
        page.on("console", lambda m: journey.console.append(f"{name} {m.type}: {m.text}"))
        page.on("pageerror", lambda e: journey.errors.append(f"{name}: {e}"))

    async def go(self, path: str) -> None:
        await self.page.goto(f"{self.journey.server}{path}")

    async def log_in(self, email: str) -> None:
        await self.go("/login")
        await self.page.get_by_label("Email").fill(email)
        await self.page.get_by_label("Password").fill(PASSWORD)
        await self.page.get_by_role("button", name="Log in").click()
        await self.page.wait_for_url(f"{self.journey.server}/")

    def heading(self, name: str):
        return self.page.get_by_role("heading", name=name)

    async def look(self, step: str, *, signed_in: bool = True) -> None:
        """Save the page for a person to look at; it must fit the phone, keep the safety plan
        and crisis contacts one tap away, and axe must find nothing wrong."""
        number = next(self.journey.numbers)
        await self.page.evaluate("window.scrollTo(0, 0)")  # sticky bars where they belong
        # The whole conversation on the picture, not only what its scrolling box shows.
        await self.page.evaluate(
            "document.querySelectorAll('.chat-log').forEach((e) => e.style.maxHeight = 'none')"
        )
        await self.page.screenshot(
            path=SHOTS / f"{number:02d}-{self.name}-{step}.png", full_page=True
        )
        width = await self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{step} scrolls sideways ({width}px)"
        safety = self.page.locator("header nav.safety")
        await expect(safety.get_by_role("link", name="Get help now")).to_have_attribute(
            "href", "/crisis"
        )
        if signed_in:
            await expect(safety.locator("a.plan-link")).to_have_attribute("href", "/safety-plan")
        found = await axe_violations(self.page)
        if found:
            self.journey.violations[f"{number:02d} {self.name} {step} ({self.page.url})"] = found


@dataclass
class Journey:
    server: str
    client: object
    db: object
    robin: Person  # the coordinator, through the API
    bob_api: Person
    tag: int  # "Loss of a parent", which Bob has lived through and Sam is going through
    sam: Phone | None = None
    bob: Phone | None = None
    rid: str = ""
    numbers: count = field(default_factory=lambda: count(1))
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: dict[str, list] = field(default_factory=dict)

    async def phone(self, browser, name: str, scheme: str = "light") -> Phone:
        context = await browser.new_context(
            **PHONE, timezone_id=LONDON, color_scheme=scheme, accept_downloads=True
        )
        await context.add_init_script(REPORT_CSP)
        return Phone(name, context, await context.new_page(), self)

    @property
    def rel(self) -> str:
        return f"/relationships/{self.rid}"


def fresh_shots() -> None:
    """An empty folder for this walk's screenshots (only ours are removed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("[0-9][0-9]-*.png"):
        old.unlink()


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def london_now() -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo(LONDON))


def half_hour(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute // 30 * 30:02d}"


# ---- 1. sign-up and profile, with topics to avoid ----------------------------------------------


async def sam_signs_up_with_topics_to_avoid(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go("/signup")
    await page.get_by_label("Name others will see").fill("Sam")
    await page.get_by_label("Email").fill(SAMS_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await sam.look("sign-up", signed_in=False)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    await page.get_by_role("link", name="Set up my profile").click()
    await expect(page.get_by_label("Your time zone")).to_have_value(LONDON)
    await page.get_by_label("Pronouns (optional)").fill("she/her")
    for cell in ("Tuesday evening", "Thursday evening"):
        await page.get_by_label(cell).check()
    await page.get_by_label("Chat in the app").check()
    await page.get_by_label("Video calls").check()
    await page.get_by_label("Topics you'd rather not talk about (optional)").fill(SAMS_TOPICS)
    await sam.look("profile")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your experiences")
    await page.get_by_label("Search").fill("parent")
    await page.get_by_label("Loss of a parent").check()
    details = page.locator(f"#tag-{j.tag} ~ .tag-details")
    await details.get_by_label("I'm going through it now").check()
    await sam.look("experiences")
    await page.get_by_role("button", name="Save my experiences").click()
    await expect(page.get_by_role("status").first).to_contain_text("Saved")


async def bob_names_his_topics(bob: Phone) -> None:
    await bob.go("/profile")
    await bob.page.get_by_label("Topics you'd rather not talk about (optional)").fill(BOBS_TOPICS)
    await bob.page.get_by_role("button", name="Save").click()
    await bob.page.wait_for_url(f"{bob.journey.server}/profile?saved=1")
    await expect(bob.page.get_by_role("status").first).to_contain_text("Saved")


# ---- 12. the shortlist, or a coordinator chooses -------------------------------------------


async def sam_asks_a_coordinator_to_choose(j: Journey, sam: Phone) -> None:
    page = sam.page
    await page.get_by_role("link", name="Find a supporter").click()
    await page.get_by_role("button", name="Show me suggestions").click()
    await expect(page.get_by_role("button", name="Choose Bob")).to_be_visible()
    await sam.look("shortlist")
    await page.get_by_role("button", name="Ask a coordinator to choose for me").click()
    await expect(sam.heading("A coordinator is choosing for you")).to_be_visible()
    await sam.look("coordinator-chooses")
    # Robin, the coordinator, first picks Cal, who isn't available right now; then Bob.
    waiting = await j.client.get("/api/v1/coordination/waiting-list", headers=j.robin.headers)
    request_id = waiting.json()[0]["id"]
    cal = await ready_supporter(j.client, j.robin, "cal", [(j.tag, "further_along")])
    first = await coordinator_proposes(j, request_id, cal)
    declined = await j.client.post(f"/api/v1/introductions/{first}/decline", headers=cal.headers)
    assert declined.status_code == 200, declined.text
    await sam.go("/notices")
    told = sam.page.locator(".notices li").first
    await expect(told).to_contain_text("not available right now")
    await expect(told).not_to_contain_text("you chose")  # a coordinator chose
    await sam.look("not-available-right-now")
    await sam.page.get_by_role("button", name="Mark all as read").click()
    await expect(sam.page.locator("header a.notices-link")).to_have_attribute(
        "aria-label", "Notices"
    )
    j.rid = await coordinator_proposes(j, request_id, j.bob_api)


async def coordinator_proposes(j: Journey, request_id: str, supporter: Person) -> str:
    proposed = await j.client.post(
        "/api/v1/coordination/proposals",
        json={"request_id": request_id, "supporter_id": str(supporter.id)},
        headers=j.robin.headers,
    )
    assert proposed.status_code == 201, proposed.text
    return proposed.json()["id"]


# ---- 6 and 1. the introduction, kindly, with each person's topics ----------------------------


async def bob_reads_the_introduction_and_accepts(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go("/")
    await page.get_by_role("link", name="Introductions (1)").click()
    card = page.locator(".card.introduction")
    await expect(card.get_by_role("heading", level=2)).to_have_text("Sam (she/her)")
    await expect(card).to_contain_text("going through it now")
    await expect(card).to_contain_text(SAMS_TOPICS)
    await expect(card).to_contain_text("you")
    await bob.look("introduction")
    await card.get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("status").first).to_contain_text("You're now agreeing terms")
    await bob.look("accepted")


# ---- 4. the answer arrives as a notice; the bell counts it ---------------------------------


async def sam_is_told_bob_said_yes(j: Journey, sam: Phone) -> None:
    await sam.go("/")
    bell = sam.page.locator("header a.notices-link")
    await expect(bell.locator(".unread-count")).to_have_text("1")
    await expect(bell).to_have_attribute("aria-label", "Notices, 1 unread")
    await expect(sam.page.locator("main")).to_contain_text("Someone is supporting you now")
    await sam.look("home-with-unread-notice")
    await bell.click()
    notice = sam.page.locator(".notices li.unread")
    await expect(notice).to_contain_text("Bob would be glad to support you")
    await sam.look("notices")
    await notice.get_by_role("link").click()  # straight to where she agrees terms with Bob
    await sam.page.wait_for_url(f"{j.server}{j.rel}")
    await expect(sam.page.locator(".their-topics")).to_contain_text(BOBS_TOPICS)
    await sam.look("relationship-agreeing")


# ---- 7 and 2. the compact builder; the first proposal in full --------------------------------


async def bob_proposes_first_terms_away_from_now(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go(j.rel)
    await page.get_by_role("link", name="Propose terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement/propose")
    await expect(page.locator(".their-answer").first).to_contain_text(SAMS_TOPICS)
    await expect(page.get_by_label("Topics you'd rather not talk about")).to_have_value(BOBS_TOPICS)
    # Only Bob's own limits are choices here; Sam's are shown as she set them.
    await expect(page.locator("fieldset.limit input[type=radio]")).to_have_count(11 * 3)
    await expect(page.locator("fieldset.limit .their-answer").first).to_contain_text("Sam:")
    await bob.look("builder")
    # The week is a short list per day (it was 252 half-hour checkboxes, 5,500px tall).
    when = await page.locator("#when").bounding_box()
    assert when is not None and when["height"] < 1400, f"contact times take {when}"
    # One contact time, three days from now: "now" is well outside the agreed times.
    remove = page.locator("button.remove")
    for left in reversed(range(await remove.count())):
        await remove.first.click()
        await expect(remove).to_have_count(left)
    away = (london_now() + timedelta(days=3)).strftime("%A")
    await page.get_by_role("button", name=f"Add a time on {away}").click()
    await expect(page.get_by_label(f"{away}, from")).to_have_value("19:00")
    await page.get_by_label("Confidentiality.").check()
    await page.get_by_label("Not a crisis service.").check()
    await page.get_by_role("button", name="Propose these terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")
    await expect(bob.heading("Your proposal (version 1)")).to_be_visible()


async def sam_reads_every_term_and_sets_her_own_limit(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(j.rel)
    await page.get_by_role("link", name="See Bob's proposal").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")
    terms = page.locator(".terms")
    await expect(page.locator("details")).to_have_count(0)  # nothing folded away
    await expect(terms).to_contain_text(SAMS_TOPICS)
    await expect(terms).to_contain_text(BOBS_TOPICS)
    await expect(terms).to_contain_text("Sharing phone numbers")
    await expect(page.locator("p.notice")).to_contain_text("Kindred's usual starting answers")
    await sam.look("first-proposal-in-full")
    # Her limits are hers to set: she suggests her own answer on hugs.
    await page.get_by_role("link", name="Suggest changes").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement/propose")
    await expect(page.locator("fieldset.limit .their-answer").first).to_contain_text("Bob:")
    await page.locator("fieldset.limit", has_text="Hugs").get_by_text("Never OK").click()
    await page.get_by_label("Confidentiality.").check()
    await page.get_by_label("Not a crisis service.").check()
    await page.get_by_role("button", name="Propose these terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")


async def bob_sees_what_sam_changed_and_agrees(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go(f"{j.rel}/agreement")
    await expect(bob.heading("Sam's proposal (version 2)")).to_be_visible()
    changed = page.locator("tr.changed")
    await expect(changed).to_have_count(1)
    await expect(changed).to_contain_text("Never OK")
    await page.get_by_text("Read every term of this proposal").click()  # one tap
    await expect(page.locator("details .terms")).to_contain_text(BOBS_TOPICS)
    await bob.look("counter-proposal")
    await page.get_by_role("button", name="Agree to version 2").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreed?new=2")
    await expect(page.get_by_role("status")).to_contain_text("You both agreed")
    await bob.look("what-we-agreed")


# ---- 3 and 9. held messages, crisis contacts beside them; a phone number kept back ----------


async def sam_writes_outside_the_times(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(f"{j.rel}/home")
    for body in (LATE, LATER, NUMBER):
        await page.get_by_label("Message to Bob").fill(body)
        await page.get_by_role("button", name="Send").click()
        await expect(page.locator(".message.mine").last).to_contain_text(body)
    held = page.locator(".message.mine.held")
    await expect(held).to_have_count(2)
    beside = page.locator(".crisis-beside")
    await expect(beside).to_contain_text("Samaritans")
    await expect(beside.get_by_role("link", name="Your safety plan")).to_have_attribute(
        "href", "/safety-plan"
    )
    await expect(beside.locator('a[href^="sms:"]')).to_have_count(1)  # Text SHOUT, one tap
    kept = page.locator(".message.mine.kept_back")
    await expect(kept).to_contain_text("phone number")
    await sam.look("held-and-kept-back")
    await look_in_dark(sam, "dark-held-and-kept-back")


# ---- a change: what changed, and the whole text one tap away --------------------------------


async def bob_proposes_a_time_around_now(j: Journey, bob: Phone) -> None:
    page = bob.page
    await bob.go(f"{j.rel}/home")
    await expect(page.locator(".message")).to_have_count(0)  # held: not his to read yet
    await bob.look("chat-while-held")
    await bob.go(f"{j.rel}/agreement/propose")
    now = london_now()
    start = max(now - timedelta(minutes=30), now.replace(hour=0, minute=0))
    end = "24:00" if now.hour >= 21 else f"{now.hour + 3:02d}:00"
    today = now.strftime("%A")
    await page.get_by_role("button", name=f"Add a time on {today}").click()
    await page.get_by_label(f"{today}, from").last.select_option(half_hour(start))
    await page.get_by_label(f"{today}, until").last.select_option(end)
    if now.hour == 23 and now.minute >= 40:  # the window must outlast the walk
        tomorrow = (now + timedelta(days=1)).strftime("%A")
        await page.get_by_role("button", name=f"Add a time on {tomorrow}").click()
        await page.get_by_label(f"{tomorrow}, from").last.select_option("00:00")
        await page.get_by_label(f"{tomorrow}, until").last.select_option("02:00")
    await page.get_by_label("Confidentiality.").check()
    await page.get_by_label("Not a crisis service.").check()
    await bob.look("builder-change")
    await page.get_by_role("button", name="Propose these terms").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreement")


async def sam_sees_what_changed_and_agrees(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(f"{j.rel}/agreement")
    await expect(sam.heading("Bob's proposal (version 3)")).to_be_visible()
    changed = page.locator("tr.changed")
    await expect(changed).to_have_count(1)
    await expect(changed).to_contain_text("Contact times")
    await page.get_by_text("Read every term of this proposal").click()  # one tap
    await expect(page.locator("details .terms")).to_contain_text(SAMS_TOPICS)
    await sam.look("change-with-whole-text")
    await page.get_by_role("button", name="Agree to version 3").click()
    await page.wait_for_url(f"{j.server}{j.rel}/agreed?new=3")
    await expect(page.get_by_role("status")).not_to_contain_text("can begin")


async def bob_reads_them_in_writing_order(j: Journey, bob: Phone) -> None:
    await bob.go(f"{j.rel}/home")
    theirs = bob.page.locator(".message.theirs .bubble")
    await expect(theirs).to_have_text([LATE, LATER])  # the phone number stays kept back
    await expect(bob.page.locator(".contact-now")).to_contain_text("agreed contact times now")
    await bob.look("released-in-order")


# ---- 10. report a message in two taps -----------------------------------------------------


async def sam_reports_a_message(j: Journey, bob: Phone, sam: Phone) -> None:
    await bob.page.get_by_label("Message to Sam").fill(PUSHY)
    await bob.page.get_by_role("button", name="Send").click()
    await expect(bob.page.locator(".message.mine").last).to_contain_text(PUSHY)
    page = sam.page
    await sam.go(f"{j.rel}/home")
    kept = page.locator(".message.mine.kept_back")
    await expect(kept).to_contain_text("phone number")  # still told why, once the times open
    theirs = page.locator(".message.theirs", has_text=PUSHY)
    await expect(theirs).to_be_visible()
    await sam.look("chat-in-a-contact-time")
    await theirs.get_by_role("link", name="Report").click()  # tap one
    await expect(page.get_by_role("heading", level=1)).to_have_text("Report this message")
    await page.get_by_label("Anything you'd like to add?").fill("It made me uneasy.")
    await sam.look("report")
    await page.get_by_role("button", name="Send the report").click()  # tap two
    await expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    await expect(page.get_by_role("link", name="Block Bob")).to_be_visible()
    await sam.look("reported")


# ---- 11. "I haven't heard from them" -----------------------------------------------------


async def days_pass(j: Journey, days: int) -> None:
    """Move the relationship's messages `days` into the past, as if that much time had gone by."""
    back = timedelta(days=days)
    rows = await j.db.execute(
        select(Message.id, Message.sent_at, Message.deliver_at).where(
            Message.relationship_id == UUID(j.rid)
        )
    )
    for message_id, sent_at, deliver_at in rows.all():
        await j.db.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(sent_at=sent_at - back, deliver_at=deliver_at - back)
        )
    await j.db.commit()


async def sam_has_not_heard_from_bob(j: Journey, sam: Phone) -> None:
    page = sam.page
    await page.get_by_role("link", name="Back to your messages").click()
    await page.get_by_label("Message to Bob").fill(QUIET)
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".message.mine").last).to_contain_text(QUIET)
    await days_pass(j, 3)  # longer than the two days they agreed
    await sam.go(f"{j.rel}/home")
    await page.get_by_role("link", name="I haven't heard from them").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("I haven't heard from Bob")
    await sam.look("not-heard")
    await page.get_by_role("button", name="Tell a coordinator", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("We've told the coordinators")
    await sam.look("not-heard-told")


# ---- 8. the safety plan, one tap from every page ---------------------------------------------


async def sam_writes_her_safety_plan(sam: Phone) -> None:
    page = sam.page
    await page.locator("header a.plan-link").click()  # one tap, from any page
    await expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    await sam.look("safety-plan-empty")
    if await page.get_by_role("link", name="Change my plan").count():
        await page.get_by_role("link", name="Change my plan").click()
    await page.locator("textarea").first.fill("Not sleeping; skipping meals.")
    await page.get_by_role("button", name="Save my plan").click()
    await expect(page.locator("main")).to_contain_text("Not sleeping; skipping meals.")
    await sam.look("safety-plan")


# ---- 13. dark mode -------------------------------------------------------------------------


async def look_in_dark(person: Phone, step: str) -> None:
    """The page as it is now, in dark mode: a dark page, still readable (axe checks contrast)."""
    await person.page.emulate_media(color_scheme="dark")
    background = await person.page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert sum(channels) < 3 * 80, f"{step} is not dark: {background}"
    await person.look(step)
    await person.page.emulate_media(color_scheme="light")


async def both_in_dark_mode(j: Journey) -> None:
    for person, path, step in (
        (j.sam, f"{j.rel}/home", "dark-chat"),
        (j.sam, f"{j.rel}/agreed", "dark-agreed"),
        (j.bob, "/", "dark-home"),
    ):
        await person.go(path)
        await look_in_dark(person, step)


# ---- 6. a kind ending that stays on home ------------------------------------------------------


async def sam_ends_their_support(j: Journey, sam: Phone) -> None:
    page = sam.page
    await sam.go(j.rel)
    await page.locator("section.safety-actions").get_by_role("link", name="End our support").click()
    await page.get_by_label("A closing message to Bob").fill(CLOSING)
    await expect(page.locator("#preview blockquote")).to_have_text(CLOSING)
    await sam.look("end")
    await page.get_by_role("button", name="End our support").click()
    await expect(page.get_by_role("status")).to_contain_text("Your support has ended")
    await sam.look("ended")


async def the_ending_stays_on_home(j: Journey, sam: Phone, bob: Phone) -> None:
    await sam.go("/")
    past = sam.page.locator(".past-support")
    await expect(past).to_contain_text("Bob supported you")
    await expect(sam.page.locator("main")).not_to_contain_text("Someone is supporting you now")
    await sam.look("home-after-ending")
    await bob.go("/")
    await expect(bob.page.locator(".past-support")).to_contain_text("You supported Sam")
    await bob.look("home-after-ending")
    await bob.go(f"{j.rel}/home")
    await expect(bob.page.locator(".contact-now")).to_have_count(0)
    await expect(bob.page.locator(".sessions-glance")).to_contain_text("No more sessions")
    await bob.look("ended-chat")
    await bob.go("/notices")
    ended = bob.page.locator(".notices li", has_text="Sam has ended your support")
    await ended.get_by_role("link").click()
    await expect(bob.page.locator("figure.closing blockquote")).to_have_text(CLOSING)
    await bob.look("ended-closing-message")
    await bob.go("/relationships")
    await expect(bob.page.locator("main")).not_to_contain_text("is your peer supporter")
    await bob.look("relationships-after-ending")


# ---- 5. the data export ------------------------------------------------------------------


async def sam_downloads_her_data(sam: Phone) -> None:
    page = sam.page
    await sam.go("/account")
    await sam.look("account")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download my data (JSON)").click()
    download = await waiting.value
    exported = read_json(await download.path())
    text = json.dumps(exported)
    states = {r["other_person"]: r["state"] for r in exported["relationships"]}
    assert states == {"Bob": "ended", "Cal": "not available right now"}
    assert "Not sleeping; skipping meals." in text  # the safety plan is hers, in her export
    assert LATE in text and SAMS_TOPICS in text


# ---- 2, again: her own limits start her next agreement ---------------------------------------


async def sams_next_agreement_starts_from_her_own_limits(j: Journey, sam: Phone) -> None:
    dee = await ready_supporter(j.client, j.robin, "dee", [(j.tag, "further_along")])
    tokens = await token_for(j.client, SAMS_EMAIL)
    me = await j.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    sam_api = Person("sam", SAMS_EMAIL, UUID(me.json()["id"]), "", "")
    rid = await accepted_introduction(j.db, sam_api, dee, j.robin)
    await sam.go(f"/relationships/{rid}/agreement/propose")
    hugs = sam.page.locator("fieldset.limit", has_text="Hugs")
    await expect(hugs.get_by_label("Never OK")).to_be_checked()  # as she agreed with Bob
    await expect(sam.page.locator("#limits-heading ~ p.muted")).to_contain_text(
        "start from what you agreed in your last support relationship"
    )
    await sam.look("next-builder-starts-from-her-limits")


async def test_a_seeker_and_a_supporter_walk_the_whole_journey(live_server, client, db, settings):
    fresh_shots()
    robin = await staff(client, db, settings)
    taxonomy = (await client.get("/api/v1/taxonomy", headers=robin.headers)).json()
    tag = next(t["id"] for c in taxonomy for t in c["tags"] if t["label"] == "Loss of a parent")
    bob_api = await ready_supporter(client, robin, "bob", [(tag, "further_along")])
    j = Journey(live_server, client, db, robin, bob_api, tag)

    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            sam = j.sam = await j.phone(browser, "sam")
            bob = j.bob = await j.phone(browser, "bob")
            await bob.log_in(bob_api.email)
            await bob_names_his_topics(bob)
            await sam_signs_up_with_topics_to_avoid(j, sam)
            await sam_asks_a_coordinator_to_choose(j, sam)
            await bob_reads_the_introduction_and_accepts(j, bob)
            await sam_is_told_bob_said_yes(j, sam)
            await bob_proposes_first_terms_away_from_now(j, bob)
            await sam_reads_every_term_and_sets_her_own_limit(j, sam)
            await bob_sees_what_sam_changed_and_agrees(j, bob)
            await sam_writes_outside_the_times(j, sam)
            await bob_proposes_a_time_around_now(j, bob)
            await sam_sees_what_changed_and_agrees(j, sam)
            await bob_reads_them_in_writing_order(j, bob)
            await sam_reports_a_message(j, bob, sam)
            await sam_has_not_heard_from_bob(j, sam)
            await sam_writes_her_safety_plan(sam)
            await both_in_dark_mode(j)
            await sam_ends_their_support(j, sam)
            await the_ending_stays_on_home(j, sam, bob)
            await sam_downloads_her_data(sam)
            await sams_next_agreement_starts_from_her_own_limits(j, sam)
        finally:
            await browser.close()

    assert j.violations == {}, json.dumps(j.violations, indent=1)
    csp = [m for m in j.console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    assert not j.errors, j.errors
