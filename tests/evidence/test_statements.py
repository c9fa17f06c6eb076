"""The published statements: readable without signing in, linked from every page's footer,
built from the same facts as the inventory and the tests; the console's CSV for admins."""

import csv
import io
import re

import httpx
import pytest

from api.auth.models import Role
from api.evidence import statements
from tests.browser import AXE
from tests.personas import peer, staff
from tests.web.pages import log_in

PAGES = ("/accessibility", "/privacy", "/terms")
ROOT = AXE.parents[3]


@pytest.mark.parametrize("path", PAGES)
async def test_each_statement_is_public_and_linked_from_every_page(client, path):
    page = await client.get(path)
    assert page.status_code == 200
    for linked in PAGES:
        assert f'href="{linked}"' in page.text
    for other in ("/login", "/signup", "/crisis"):
        assert f'href="{path}"' in (await client.get(other)).text


async def test_the_privacy_notice_tells_the_periods_in_force_and_the_inventory(
    client, db, settings
):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    page = (await client.get("/privacy")).text
    assert "Messages: 90 days after your support ends" in page
    assert "In-app messages between the two people" in page  # from the inventory
    assert "Art. 9(2)(a) explicit consent" in page
    assert "experience_tag" not in page and "webhook" not in page.lower()
    periods = (await client.get("/api/v1/coordination/settings", headers=ada.headers)).json()[
        "retention"
    ]
    changed = await client.put(
        "/api/v1/coordination/settings/retention",
        json={"value": {**periods, "ended_messages_days": 45}},
        headers=ada.headers,
    )
    assert changed.status_code == 200
    page = (await client.get("/privacy")).text
    assert "Messages: 45 days after your support ends" in page
    assert "45 days after the relationship ends" in page


async def test_the_terms_carry_the_house_rules_reporting_and_appeals(client):
    page = (await client.get("/terms")).text
    for words in ("House rules", "raise a concern", "block someone", "appeal it once",
                  "A different coordinator", "not a crisis service"):  # fmt: skip
        assert words in page, words


def test_the_accessibility_statement_names_only_pages_the_tests_check_with_this_axe():
    facts = statements.accessibility()
    assert AXE.parent.name == f"axe-core-{facts.axe_version}"
    checked = "".join(
        (ROOT / "tests" / name).read_text()
        for name in ("web/test_accessibility.py", "coordination/test_console_accessibility.py")
    )
    quoted = set(re.findall(r'"(/[^"]*)"', checked)) | set(re.findall(r'\{rel\}(/[^"]*)"', checked))
    quoted |= set(re.findall(r'\{agreeing\}(/[^"]*)"', checked))
    for group in facts.checked:
        for path in group.paths:
            assert path in quoted, f"{path} is in the statement but no axe test opens it"


async def test_the_console_offers_admins_the_inventory_as_csv(app, client, db, settings):
    ada = await staff(client, db, settings, role=Role.admin, name="ada")
    robin = await staff(client, db, settings)
    sam = await peer(client, "sam")
    url = "/coordinator/data-inventory.csv"
    assert (await client.get(url)).status_code in (302, 303)  # log in first
    for person, allowed in ((sam, False), (robin, False), (ada, True)):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as web:
            await log_in(web, person.email)
            page = (await web.get("/coordinator/settings")).text
            assert (f'href="{url}"' in page) is allowed
            got = await web.get(url)
            if not allowed:
                assert got.status_code == 403 and "Table" not in got.text
                continue
            assert got.status_code == 200
            rows = list(csv.DictReader(io.StringIO(got.text)))
            assert {(r["table"], r["column"]) for r in rows} >= {("message", "body_sealed")}
