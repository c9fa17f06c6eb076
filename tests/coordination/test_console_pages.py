"""The console's pages: a coordinator lands on them; a peer is refused; no inline code."""

import re

from tests.safety.helpers import active_pair, rid
from tests.web.pages import log_in

PAGES = [
    "/coordinator",
    "/coordinator/concerns",
    "/coordinator/waiting",
    "/coordinator/supporters",
    "/coordinator/relationships",
    "/coordinator/statistics",
    "/coordinator/settings",
]


async def test_a_coordinator_lands_on_the_console_and_every_page_renders(client, db, settings):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.coordinator.email)
    home = await client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/coordinator"
    peer_view = await client.get("/?view=peer")
    assert peer_view.status_code == 200 and "Coordinator console" in peer_view.text
    for path in [*PAGES, f"/coordinator/relationships/{rid(pair)}"]:
        page = await client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert " style=" not in page.text, path
        assert not re.search(r"<script(?![^>]*\ssrc=)", page.text), path
        assert 'href="/crisis"' in page.text, path


async def test_a_peer_cannot_open_the_console(client, db, settings):
    pair = await active_pair(client, db, settings)
    await log_in(client, pair.seeker.email)
    for path in PAGES:
        assert (await client.get(path)).status_code == 403, path
