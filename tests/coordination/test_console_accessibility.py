"""axe-core on the matching desk, the supporters' offers, settings and the administrators' pages
(integrations, accounts, the audit log), at 390x844 and 1280x800, in light and dark mode: any
violation fails."""

import json

import pytest

from api.auth.models import Role
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, LAPTOP, NEEDS_CHROMIUM, PHONE, enter_code
from tests.clients.helpers import integrator
from tests.matching.people import ready_supporter, seeker_with_request
from tests.personas import PASSWORD, peer, staff
from tests.web.test_accessibility import _check

playwright = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = NEEDS_CHROMIUM


async def test_axe_finds_nothing_on_the_matching_desk_and_offers(live_server, client, db, settings):
    ARTIFACTS.mkdir(exist_ok=True)
    robin = await staff(client, db, settings, Role.admin)  # the administrators' pages too
    await integrator(client, db, settings, scopes=["stats:read"], by=robin)
    await ready_supporter(client, robin, "cleo", [(1, "further_along")], capacity=1)
    await ready_supporter(client, robin, "gail", [(1, "further_along")], capacity=1)
    _dana, request = await seeker_with_request(client, "dana", [(1, "going_through")])
    await seeker_with_request(client, "eli", [(1, "going_through")])
    finn = await peer(client, "finn")
    await client.post("/api/v1/supporter-offer", json={"capacity": 1}, headers=finn.headers)
    batch = await client.post("/api/v1/coordination/batches", headers=robin.headers)
    draft = batch.json()
    item = draft["items"][0]
    pages = {
        "waiting": "/coordinator/waiting",
        "candidates": f"/coordinator/waiting/{request['id']}?name=cle",
        "batch": f"/coordinator/batches/{draft['id']}",
        "change-pair": f"/coordinator/batches/{draft['id']}/items/{item['id']}",
        "supporters": "/coordinator/supporters",
        "settings": "/coordinator/settings",
        "integrations": "/coordinator/clients",
        "accounts": "/admin/accounts",
        "account": f"/admin/accounts/{finn.id}",
        "audit-log": "/admin/audit-log",
    }
    found: dict[str, list] = {}
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            signed_in = None  # one login (password and code), its cookies for every screen
            for screen in (PHONE, LAPTOP):
                for scheme in ("light", "dark"):
                    context = await browser.new_context(
                        **screen, color_scheme=scheme, storage_state=signed_in
                    )
                    page = await context.new_page()
                    if signed_in is None:
                        await page.goto(f"{live_server}/login")
                        await page.get_by_label("Email").fill(robin.email)
                        await page.get_by_label("Password").fill(PASSWORD)
                        await page.get_by_role("button", name="Log in").click()
                        await enter_code(page, robin.email)
                        await page.wait_for_url(f"{live_server}/coordinator")
                        signed_in = await context.storage_state()
                    width = screen["viewport"]["width"]
                    await _check(context, live_server, pages, f"{scheme} {width}", found)
                    await context.close()
        finally:
            await browser.close()
    (ARTIFACTS / "axe-console-violations.json").write_text(json.dumps(found, indent=1))
    assert found == {}, json.dumps(found, indent=1)
