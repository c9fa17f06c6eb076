"""What every browser test shares: Debian Chromium, a phone-sized screen, CSP reporting."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Chromium's own background connections are refused on this machine's closed network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH = 390
PHONE = {
    "viewport": {"width": WIDTH, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}  # staff pages are also looked at here
# Injected by the browser, not the page, so the CSP doesn't apply to it: every violation the
# page causes is reported to the console, even ones Chromium would only count.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
"""
NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian Chromium is not at {CHROMIUM}"),
]

# axe-core, vendored with its licence so it runs offline. It is evaluated through the DevTools
# protocol (page.evaluate), so the pages keep their strict CSP.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Every rule axe runs by default (WCAG 2.0-2.2 A and AA, and best practices).
_RUN_AXE = """
axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 4).map((n) =>
    n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")),
})))
"""


async def axe_violations(page) -> list[dict]:
    """What axe-core finds wrong on the page as it is now (an empty list when nothing)."""
    await page.evaluate(AXE.read_text() + "\n;true")
    return await page.evaluate(_RUN_AXE)


async def enter_code(page, email: str) -> None:
    """After the password, an account with a second factor (all staff) is asked for the code
    its authenticator app shows: computed here from the account's secret."""
    from tests.personas import totp_code

    await page.wait_for_url("**/login/code**")
    await page.get_by_label("Code").fill(totp_code(email))
    await page.get_by_role("button", name="Log in").click()
