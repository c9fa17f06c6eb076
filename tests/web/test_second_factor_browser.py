"""Setting up the second factor in Debian Chromium against a real server: a coordinator with
none is sent to set it up, scans (here: reads the key off the page), types a wrong code, then
the code pyotp computes, keeps the recovery codes, reaches the console, and logs in again with
a code. An administrator then works the staff and audit log pages. Screenshots at 390x844
(and 1280x800 for the administrators' pages), light and dark, axe-core clean."""

import pyotp
import pytest

from api.auth.models import Role
from tests.browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    LAPTOP,
    NEEDS_CHROMIUM,
    PHONE,
    REPORT_CSP,
    WIDTH,
    axe_violations,
    enter_code,
)
from tests.personas import PASSWORD, SECRETS, staff, totp_code

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


class Screen:
    def __init__(self, page, name: str, width: int) -> None:
        self.page, self.name, self.width = page, name, width
        self.violations: dict[str, list] = {}

    async def look(self, step: str) -> None:
        """Save the page for a person to look at; it must fit, and axe must find nothing."""
        await self.page.evaluate("window.scrollTo(0, 0)")
        await self.page.screenshot(path=ARTIFACTS / f"mfa-{self.name}-{step}.png", full_page=True)
        scroll = await self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= self.width, f"{step} scrolls sideways ({scroll}px)"
        found = await axe_violations(self.page)
        if found:
            self.violations[f"{self.name} {step}"] = found


async def _log_in(page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()


async def test_a_coordinator_sets_up_totp_with_a_code_computed_here(
    live_server, client, db, settings
):
    ARTIFACTS.mkdir(exist_ok=True)
    robin = await staff(client, db, settings, second_factor=False)
    errors: list[str] = []
    expect = playwright.expect
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            signed_in = None
            for scheme in ("light", "dark"):
                context = await browser.new_context(
                    **PHONE, color_scheme=scheme, storage_state=signed_in
                )
                await context.add_init_script(REPORT_CSP)
                page = await context.new_page()
                page.set_default_timeout(10_000)
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                screen = Screen(page, f"phone-{scheme}", WIDTH)
                if scheme == "dark":  # the same session, in the dark: the factor is on
                    await page.goto(f"{live_server}/account/second-factor")
                    await expect(page.locator("main")).to_contain_text("9 recovery codes left")
                    await screen.look("1-on")
                    assert screen.violations == {}, screen.violations
                    await context.close()
                    continue
                # Password only: staff without a second factor land on its set-up, and the
                # console sends them back there.
                await _log_in(page, live_server, robin.email)
                await page.wait_for_url("**/account/second-factor**")
                await expect(page.get_by_role("heading", level=1)).to_have_text(
                    "Sign in with a code from your phone"
                )
                await expect(page.locator("main")).to_contain_text("Set it up now")
                await screen.look("1-asked")
                await page.goto(f"{live_server}/coordinator/concerns")
                await page.wait_for_url("**/account/second-factor?next=/coordinator/concerns")
                await page.get_by_role("button", name="Set it up").click()
                qr = page.get_by_role(
                    "img", name="QR code to add Kindred to your authenticator app"
                )
                await expect(qr).to_be_visible()
                assert (await qr.evaluate("(i) => i.naturalWidth")) > 100  # it rendered
                await screen.look("2-scan")
                secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
                assert len(secret) == 32
                # A wrong code first: told kindly, nothing turned on.
                right = pyotp.TOTP(secret).now()
                await page.get_by_label("The six digits the app shows now").fill(
                    f"{(int(right) + 1) % 1_000_000:06d}"
                )
                await page.get_by_role("button", name="Turn it on").click()
                await expect(page.locator("#code-error")).to_contain_text("didn't match")
                await screen.look("3-wrong-code")
                # The code an authenticator app would show now.
                SECRETS[robin.email] = secret
                await page.get_by_label("The six digits the app shows now").fill(
                    totp_code(robin.email)
                )
                await page.get_by_role("button", name="Turn it on").click()
                codes = page.locator(".recovery-codes li")
                await expect(codes).to_have_count(10)
                robin_codes = await codes.all_inner_texts()
                await screen.look("4-recovery-codes")
                await page.get_by_role("link", name="I've kept them safe: continue").click()
                await page.wait_for_url(f"{live_server}/coordinator/concerns")
                await expect(page.get_by_role("heading", level=1)).to_have_text("Concerns")
                # Log out; the next login asks for the code after the password.
                await page.goto(f"{live_server}/account/second-factor")
                await page.get_by_role("button", name="Log out").click()
                await page.wait_for_url("**/login?bye=1")
                await _log_in(page, live_server, robin.email)
                await page.wait_for_url("**/login/code**")
                await screen.look("5-code")
                await page.get_by_label("Code").fill(robin_codes[0])  # a recovery code, once
                await page.get_by_role("button", name="Log in").click()
                await expect(page.get_by_role("heading", level=1)).to_have_text("Today")
                assert screen.violations == {}, screen.violations
                signed_in = await context.storage_state()
                await context.close()
        finally:
            await browser.close()
    # The wrong code's answer is a 422 on purpose (the form comes back with the message).
    assert [e for e in errors if "status of 422" not in e] == [], errors


@pytest.mark.parametrize("size", ["390x844", "1280x800"])
async def test_an_administrator_works_the_staff_and_audit_log_pages(
    live_server, client, db, settings, size
):
    ARTIFACTS.mkdir(exist_ok=True)
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    changed = await client.patch(
        f"/api/v1/admin/accounts/{robin.id}",
        json={"safeguarding_lead": True, "reason": "Robin leads safeguarding from today."},
        headers=ada.headers,
    )
    assert changed.status_code == 200, changed.text
    options = PHONE if size == "390x844" else LAPTOP
    width = options["viewport"]["width"]
    errors: list[str] = []
    expect = playwright.expect
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            signed_in = None
            for scheme in ("light", "dark"):
                context = await browser.new_context(
                    **options, color_scheme=scheme, storage_state=signed_in
                )
                await context.add_init_script(REPORT_CSP)
                page = await context.new_page()
                page.set_default_timeout(10_000)
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                screen = Screen(page, f"admin-{size}-{scheme}", width)
                if signed_in is None:
                    await _log_in(page, live_server, ada.email)
                    await enter_code(page, ada.email)
                    await page.wait_for_url(f"{live_server}/coordinator")
                    signed_in = await context.storage_state()
                else:
                    await page.goto(f"{live_server}/coordinator")
                await page.get_by_role("link", name="Staff", exact=True).click()
                await expect(page.get_by_role("heading", level=1)).to_have_text(
                    "Staff and accounts"
                )
                await page.get_by_label("Find an account by e-mail").fill(robin.email)
                await page.get_by_role("button", name="Find").click()
                await expect(page.locator("table.accounts")).to_contain_text("Coordinator")
                await screen.look("1-staff")
                await page.get_by_role("link", name="Robin").click()
                await expect(page.get_by_role("heading", level=1)).to_have_text("Robin")
                await screen.look("2-account")
                if scheme == "light":
                    await page.get_by_label("Why (kept in the audit log)").last.fill(
                        "Lost phone; checked by a call."
                    )
                    await page.get_by_role("button", name="Reset the second factor").click()
                    await expect(page.get_by_role("status")).to_contain_text("reset")
                    await screen.look("3-reset")
                await page.get_by_role("link", name="Audit log").click()
                await expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
                await expect(page.locator("table.audit")).to_contain_text(
                    "Lost phone; checked by a call."
                )
                await page.get_by_label("Action").select_option("account.changed")
                await page.get_by_role("button", name="Show").click()
                await expect(page.locator("table.audit")).to_contain_text(
                    "Robin leads safeguarding from today."
                )
                await expect(page.locator("table.audit")).not_to_contain_text("Lost phone")
                csv_link = page.get_by_role("link", name="Download as CSV")
                assert "action=account.changed" in (await csv_link.get_attribute("href") or "")
                await screen.look("4-audit-log")
                assert screen.violations == {}, screen.violations
                await context.close()
        finally:
            await browser.close()
    assert not errors, errors
