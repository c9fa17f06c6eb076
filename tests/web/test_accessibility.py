"""axe-core, in Chromium, on every page a seeker and a supporter reach, in light and dark mode:
any violation fails. axe is vendored (tests/vendor/axe-core-*, with its licence), so this runs
offline. It is evaluated through the DevTools protocol, so the pages keep their strict CSP."""

import json
from datetime import UTC, datetime

import pytest

from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, axe_violations
from tests.contact.helpers import add_session, agree, contact_pair, next_weekday, windows_around
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import PASSWORD

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM

SHOTS = {"safety-plan", "safety-plan-edit", "crisis", "not-found", "home-chat", "agreement"}
SHOTS |= {"accessibility", "privacy-notice", "terms"}
SHOTS |= {"notification-settings", "confirm-email"}


async def _people(client, db, settings):
    """Sam and Bob, active with messages and a session; Tess looking; Cal introduced to Tess."""
    pair = await contact_pair(client, db, settings)
    await agree(db, pair, windows=windows_around(datetime.now(UTC), "Europe/London", 60, 180))
    rid = pair.relationship_id
    for person, body in (
        (pair.seeker, "Hi Bob, looking forward to Tuesday."),
        (pair.supporter, "Hi Sam, me too. Talk soon."),
    ):
        sent = await client.post(
            f"/api/v1/relationships/{rid}/messages", json={"body": body}, headers=person.headers
        )
        assert sent.status_code == 201, sent.text
    start = next_weekday(2, datetime.now(UTC).time().replace(microsecond=0), "Europe/London")
    await add_session(db, pair, start)
    await client.put(
        "/api/v1/me/safety-plan",
        json={"warning_signs": "Not sleeping.", "reasons_to_keep_going": "My sister."},
        headers=pair.seeker.headers,
    )
    cal = await ready_supporter(client, pair.coordinator, "cal", [(1, "further_along")])
    tess, request = await seeker_with_request(client, "tess", [(1, "going_through")])
    return pair, cal, tess, request


async def _log_in(context, base: str, email: str) -> None:
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{base}/")
    await page.close()


async def _check(context, base: str, pages: dict[str, str], scheme: str, found: dict) -> None:
    page = await context.new_page()
    page.set_default_timeout(15_000)
    for name, path in pages.items():
        response = await page.goto(f"{base}{path}")
        assert response is not None and response.status in (200, 404), (name, response)
        violations = await axe_violations(page)
        if violations:
            found[f"{scheme} {name} ({path})"] = violations
        if name in SHOTS:
            await page.screenshot(path=ARTIFACTS / f"a11y-{name}-{scheme}-390x844.png")
    await page.close()


async def test_axe_finds_nothing_on_any_page_a_seeker_or_supporter_reaches(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    pair, cal, tess, request = await _people(client, db, settings)
    rel = f"/relationships/{pair.relationship_id}"
    public = {
        "sign-up": "/signup",
        "log-in": "/login",
        "forgot-password": "/forgot-password",
        "reset-password": "/reset-password?token=not-a-real-one",
        "confirm-email": "/confirm-email?token=not-a-real-one",
        "unsubscribe": "/unsubscribe/not-a-real-one",
        "crisis-public": "/crisis",
        "offline": "/offline",
        "not-found": "/no-such-page",
        "accessibility": "/accessibility",
        "privacy-notice": "/privacy",
        "terms": "/terms",
    }
    seeker = {
        "home": "/",
        "profile": "/profile",
        "experiences": "/profile/experiences",
        "relationships": "/relationships",
        "relationship": rel,
        "agreement": f"{rel}/agreement",
        "home-chat": f"{rel}/home",
        "sessions": f"{rel}/sessions",
        "propose-session": f"{rel}/sessions/new",
        "safety": f"{rel}/safety",
        "end": f"{rel}/end",
        "pause": f"{rel}/pause",
        "concern": f"{rel}/concern",
        "block": f"{rel}/block",
        "notices": "/notices",
        "account": "/account",
        "reminders": "/reminders",
        "notification-settings": "/settings/notifications",
        "crisis": "/crisis",
        "safety-plan": "/safety-plan",
        "safety-plan-edit": "/safety-plan?edit=true",
    }
    supporter = {
        "supporter-home": "/",
        "supporter-chat": f"{rel}/home",
        "supporter-agreement": f"{rel}/agreement",
        "offer": "/support/offer",
        "introductions-none": "/introductions",
        "supporter-notices": "/notices",
        "supporter-moderation-none": "/moderation",
    }
    found: dict[str, list] = {}
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for scheme in ("light", "dark"):
                fresh = await browser.new_context(**PHONE, color_scheme=scheme)
                await _check(fresh, live_server, public, scheme, found)
                await fresh.close()
                for person, pages in ((pair.seeker, seeker), (pair.supporter, supporter)):
                    context = await browser.new_context(**PHONE, color_scheme=scheme)
                    await _log_in(context, live_server, person.email)
                    await _check(context, live_server, pages, scheme, found)
                    await context.close()
            # A seeker choosing from a shortlist; the supporter answering, then agreeing terms.
            tess_context = await browser.new_context(**PHONE)
            await _log_in(tess_context, live_server, tess.email)
            await _check(tess_context, live_server, {"shortlist": "/find"}, "light", found)
            chosen = await client.post(
                f"/api/v1/support-requests/{request['id']}/choice",
                json={"supporter_id": str(cal.id)},
                headers=tess.headers,
            )
            assert chosen.status_code == 201, chosen.text
            await _check(tess_context, live_server, {"waiting": "/find"}, "light", found)
            cal_context = await browser.new_context(**PHONE)
            await _log_in(cal_context, live_server, cal.email)
            await _check(
                cal_context, live_server, {"introduction": "/introductions"}, "light", found
            )
            introduction = chosen.json()["id"]
            accepted = await client.post(
                f"/api/v1/introductions/{introduction}/accept", headers=cal.headers
            )
            assert accepted.status_code == 200, accepted.text
            agreeing = f"/relationships/{introduction}"
            await _check(
                cal_context,
                live_server,
                {
                    "agreeing": agreeing,
                    "terms-builder": f"{agreeing}/agreement/propose",
                    "agreement-none-yet": f"{agreeing}/agreement",
                },
                "light",
                found,
            )
            await _check(tess_context, live_server, {"tess-agreeing": agreeing}, "light", found)
        finally:
            await browser.close()
    (ARTIFACTS / "axe-violations.json").write_text(json.dumps(found, indent=1))
    assert found == {}, json.dumps(found, indent=1)
