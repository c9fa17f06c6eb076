"""Getting back in through the PWA on a phone: forgot my password, the link from a real SMTP
server on 127.0.0.1, a new password, logged in again; the link works once. Light and dark,
axe-core on every page, screenshots in tests/artifacts/."""

import socket

import pytest

from api.mail.catcher import catching
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
from tests.mail.helpers import RESET, deliver, to, token_in
from tests.personas import peer

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM
NEW_PASSWORD = "lanterns along the harbour wall"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_person_recovers_their_account_on_a_phone(
    live_server, client, app, settings, monkeypatch
):
    ARTIFACTS.mkdir(exist_ok=True)
    rosa = await peer(client, "rosa")
    port = _port()
    monkeypatch.setattr(settings, "smtp_port", port)
    monkeypatch.setattr(settings, "public_url", live_server)
    errors: list[str] = []
    with catching("127.0.0.1", port) as smtp:
        async with playwright.async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=ARGS
            )
            try:
                for scheme in ("light", "dark"):
                    context = await browser.new_context(**PHONE, color_scheme=scheme)
                    await context.add_init_script(REPORT_CSP)
                    page = await context.new_page()
                    page.set_default_timeout(10_000)
                    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    expect = playwright.expect

                    async def check(name: str, page=page, scheme=scheme) -> None:
                        await page.screenshot(
                            path=ARTIFACTS / f"recovery-{name}-{scheme}-390x844.png",
                            full_page=True,
                        )
                        width = await page.evaluate("document.documentElement.scrollWidth")
                        assert width <= WIDTH, f"{name} scrolls sideways ({width}px)"
                        assert await axe_violations(page) == [], name

                    await page.goto(f"{live_server}/login")
                    await page.get_by_role("link", name="Forgot your password?").click()
                    await page.wait_for_url(f"{live_server}/forgot-password")
                    await check("ask")
                    await page.get_by_label("Email").fill(rosa.email)
                    await page.get_by_role("button", name="Send me a link").click()
                    await expect(page.get_by_role("status")).to_contain_text(
                        "If there's an account for that address"
                    )
                    await check("asked")
                    await context.close()
                    if scheme == "dark":
                        break
                    # The job queue sends it; Rosa opens the link from her e-mail.
                    await deliver(app)
                    [mail] = to(smtp, rosa.email, RESET)
                    token = token_in(mail, "/reset-password")
                    context = await browser.new_context(**PHONE, color_scheme=scheme)
                    page = await context.new_page()
                    page.set_default_timeout(10_000)
                    await page.goto(f"{live_server}/reset-password?token={token}")
                    await expect(page.get_by_role("heading", level=1)).to_have_text(
                        "Choose a new password"
                    )
                    await page.get_by_label("New password").fill("password")
                    await page.get_by_role("button", name="Save my new password").click()
                    await expect(page.locator("#password-error")).to_be_visible()
                    await check("weak", page=page)
                    await page.get_by_label("New password").fill(NEW_PASSWORD)
                    await page.get_by_role("button", name="Save my new password").click()
                    await page.wait_for_url(f"{live_server}/login?reset=1")
                    await expect(page.get_by_role("status")).to_contain_text(
                        "Your new password is saved"
                    )
                    await check("done", page=page)
                    await page.get_by_label("Email").fill(rosa.email)
                    await page.get_by_label("Password").fill(NEW_PASSWORD)
                    await page.get_by_role("button", name="Log in").click()
                    await page.wait_for_url(f"{live_server}/")
                    # The same link again: it has been used.
                    await page.goto(f"{live_server}/reset-password?token={token}")
                    await page.get_by_label("New password").fill(NEW_PASSWORD + " again")
                    await page.get_by_role("button", name="Save my new password").click()
                    await expect(page.get_by_role("alert")).to_contain_text("already used")
                    await check("used", page=page)
                    await context.close()
            finally:
                await browser.close()
        await deliver(app)
        assert len(to(smtp, rosa.email, "Your Kindred password was changed")) == 1
    assert not [e for e in errors if "CSP" in e], errors
