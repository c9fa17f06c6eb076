"""One walk through the PWA in Debian Chromium, on a phone-sized screen, against a real server."""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser import ARGS, ARTIFACTS, CHROMIUM, NEEDS_CHROMIUM, PHONE, REPORT_CSP, WIDTH

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


async def test_sign_up_log_out_log_in_and_leave_quickly_on_a_phone(live_server, settings):
    ARTIFACTS.mkdir(exist_ok=True)
    console: list[str] = []
    errors: list[str] = []
    password = "a long walk on a quiet beach"

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
                """Save the page for a person to look at; it must fit the phone's width."""
                await page.screenshot(path=ARTIFACTS / f"{name}-390x844.png", full_page=True)
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"

            # Welcome, then sign up (first with a password that is too short).
            await page.goto(f"{live_server}/")
            await expect(page.get_by_role("heading", level=1)).to_contain_text("been there")
            await shot("welcome")
            await page.get_by_role("link", name="Create an account").first.click()
            await page.wait_for_url(f"{live_server}/signup")
            await page.get_by_label("Name others will see").fill("Sam Rivers")
            await page.get_by_label("Email").fill("sam.rivers@example.org")
            await page.get_by_label("Password").fill("short")
            await page.get_by_role("button", name="Create account").click()
            await expect(page.locator("#password-error")).to_contain_text("at least 8 characters")
            await expect(page.get_by_label("Name others will see")).to_have_value("Sam Rivers")
            await shot("signup")
            await page.get_by_label("Password").fill(password)
            await page.get_by_role("button", name="Create account").click()
            await page.wait_for_url(f"{live_server}/")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam Rivers")

            # Chromium keeps the __Host- Secure cookie on http://127.0.0.1 (a secure context).
            cookies = {c["name"]: c for c in await context.cookies()}
            session = cookies.get("__Host-kindred_session")
            assert session, f"no session cookie was kept: {sorted(cookies)}"
            assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"
            assert await page.evaluate("window.isSecureContext")
            registered = await page.evaluate(
                "navigator.serviceWorker.ready.then((r) => r.active !== null)"
            )
            assert registered, "the service worker did not install"

            # The pages a person uses, for the screenshots.
            await page.get_by_role("link", name="Offer to support").click()
            await page.wait_for_url(f"{live_server}/support/offer")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Offering support")
            await shot("offer")
            await page.get_by_role("link", name="Get help now").click()
            await page.wait_for_url(f"{live_server}/crisis")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
            await shot("crisis")

            # Log out, and back in.
            await page.get_by_role("button", name="Log out").click()
            await page.wait_for_url(re.compile(r"/login\?bye=1$"))
            await expect(page.get_by_role("status")).to_contain_text("You have logged out")
            await shot("login")
            await page.get_by_label("Email").fill("sam.rivers@example.org")
            await page.get_by_label("Password").fill(password)
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url(f"{live_server}/")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam Rivers")
            await shot("home")

            # Quick exit: leaves for the neutral site and takes this page out of the history.
            neutral = urlsplit(settings.quick_exit_url)
            await page.route(
                f"{neutral.scheme}://{neutral.netloc}/**",
                lambda route: route.fulfill(
                    content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"
                ),
            )
            await page.get_by_role("link", name="Get help now").click()
            await page.wait_for_url(f"{live_server}/crisis")
            left_from = page.url
            await page.get_by_role("link", name="Leave quickly").click()
            await page.wait_for_url(settings.quick_exit_url)
            await page.go_back()
            assert page.url != left_from, "Back returned to the page the person left"
            # Leaving quickly also signed Sam out: Kindred shows nothing of Sam any more.
            await page.goto(f"{live_server}/")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Talk with someone who has been there"
            )
        finally:
            await browser.close()

    csp = [m for m in console if "Content Security Policy" in m or "CSP violation" in m]
    assert not csp, csp
    assert not errors, errors
