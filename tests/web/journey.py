"""Two phones and a clock for the journey walk (tests/web/test_journey_browser.py).

Each person's phone is a browser context of their own; `Phone.look` saves the page for a person
to look at and checks it (fits the phone, crisis contacts and the safety plan one tap away,
axe-core finds nothing). Time moves the way the other browser tests move it: agreed windows are
chosen around or away from now, and `days_pass` moves a relationship's messages back.
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
from tests.browser import ARTIFACTS, PHONE, REPORT_CSP, WIDTH, axe_violations
from tests.personas import PASSWORD, Person

playwright = pytest.importorskip("playwright.async_api", reason="Playwright is not installed")

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

    async def when_listening(self, field):
        """The field once htmx has set up its triggers: a page a boosted link swapped in is
        processed just after it appears, and typing before that would go unheard."""
        await field.evaluate(
            "(el) => new Promise((done) => {"
            " const ready = () => (el['htmx-internal-data'] ? done() : setTimeout(ready, 20));"
            " ready(); })"
        )
        return field

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


async def look_in_dark(person: Phone, step: str) -> None:
    """The page as it is now, in dark mode: a dark page, still readable (axe checks contrast)."""
    await person.page.emulate_media(color_scheme="dark")
    background = await person.page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert sum(channels) < 3 * 80, f"{step} is not dark: {background}"
    await person.look(step)
    await person.page.emulate_media(color_scheme="light")
