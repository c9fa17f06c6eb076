"""Offering support and reviewing offers in the PWA; the installable shell (manifest, service
worker, offline page, htmx history)."""

import re
import struct
from uuid import UUID

from sqlalchemy import select

from api.supporters.models import OfferStatus, SupporterOffer
from tests import personas
from tests.web.pages import (
    csrf_token,
    log_in,
    sign_up,
    token,
)

# Offering support, and coordinators reviewing offers ------------------------------------------


async def test_a_peer_offers_to_support(client, db):
    await sign_up(client, name="Sam")
    page = await client.get("/support/offer")
    assert page.status_code == 200 and 'action="/support/offer"' in page.text

    response = await client.post(
        "/support/offer", data={"csrf_token": csrf_token(page.text), "capacity": "3"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/support/offer"
    offer = await db.scalar(select(SupporterOffer))
    assert offer is not None and offer.status == OfferStatus.pending and offer.capacity == 3
    assert "waiting for a coordinator" in (await client.get("/support/offer")).text
    assert "Thank you for offering" in (await client.get("/")).text


async def test_the_coordinator_page_is_forbidden_for_a_peer(client, other_client, db):
    await sign_up(client, name="Sam")
    await client.post("/support/offer", data={"csrf_token": await token(client), "capacity": "2"})
    offer_id = await db.scalar(select(SupporterOffer.id))
    await sign_up(other_client, name="Kit")

    page = await other_client.get("/coordinator/offers")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "This page is for coordinators." in page.text
    assert 'href="/crisis"' in page.text
    approve = await other_client.post(
        f"/coordinator/supporters/offers/{offer_id}",
        data={"csrf_token": await token(other_client), "decision": "approve"},
    )
    assert approve.status_code == 403
    db.expire_all()
    assert (await db.get(SupporterOffer, offer_id)).status == OfferStatus.pending


async def test_a_coordinator_approves_an_offer_through_the_pwa(client, other_client, db, settings):
    await sign_up(client, name="Sam")
    await client.post("/support/offer", data={"csrf_token": await token(client), "capacity": "2"})
    coordinator = await personas.staff(other_client, db, settings, name="robin")
    sam = await db.scalar(select(SupporterOffer.user_id))
    await personas.screen(other_client, coordinator, sam)
    assert (await log_in(other_client, coordinator.email)).status_code == 303

    assert (await other_client.get("/")).headers["location"] == "/coordinator"  # the console
    home = await other_client.get("/?view=peer")  # their peer view still says it
    assert "1 offer to support waiting for review" in home.text
    old = await other_client.get("/coordinator/offers")  # the old "Review offers" page
    assert old.status_code == 301 and old.headers["location"] == "/coordinator/supporters#offers"
    page = await other_client.get("/coordinator/supporters")
    assert page.status_code == 200 and "Sam" in page.text
    action = re.search(r'action="(/coordinator/supporters/offers/([0-9a-f-]+))"', page.text)
    assert action, "the offer has a decision form"

    response = await other_client.post(
        action.group(1),
        data={
            "csrf_token": csrf_token(page.text),
            "decision": "approve",
            "note": "Welcome! Supervision is on Tuesdays at 6.",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/coordinator/supporters?decided=approve#offers"
    db.expire_all()
    offer = await db.get(SupporterOffer, UUID(action.group(2)))
    assert offer.status == OfferStatus.approved and offer.decided_by == coordinator.id
    assert offer.decision_note_sealed and b"Tuesdays" not in offer.decision_note_sealed
    after = await other_client.get("/coordinator/supporters")
    assert "No offers are waiting" in after.text and "Approve Sam" not in after.text
    mine = await client.get("/support/offer")
    assert "approved peer supporter" in mine.text
    assert "Supervision is on Tuesdays at 6." in mine.text


# The installable shell -----------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_the_manifest_makes_the_app_installable(client):
    response = await client.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "") for icon in manifest["icons"])
    for icon in manifest["icons"]:
        image = await client.get(icon["src"])
        assert image.status_code == 200 and image.headers["content-type"] == icon["type"]
        width, height = png_size(image.content)
        assert f"{width}x{height}" == icon["sizes"], icon["src"]


async def test_the_service_worker_caches_only_static_assets_and_the_offline_page(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    listed = re.search(r"const PRECACHE = \[(.*?)\];", response.text, re.S)
    assert listed, "sw.js lists what it caches in PRECACHE"
    cached = re.findall(r"[\"']([^\"']+)[\"']", listed.group(1))
    assert "/offline" in cached
    for url in cached:
        assert url == "/offline" or url.startswith("/static/"), url
        # One missing file would make the service worker fail to install.
        assert (await client.get(url)).status_code == 200, url


async def test_the_offline_page_needs_no_login_and_shows_nothing_personal(client, settings):
    page = await client.get("/offline")
    assert page.status_code == 200
    assert "You're offline" in page.text
    assert all(r.name in page.text for r in settings.crisis_resources)
    await sign_up(client, name="Quinn")
    assert "Quinn" in (await client.get("/")).text
    cached = await client.get("/offline")
    assert "Quinn" not in cached.text and "Log out" not in cached.text


async def test_htmx_gets_one_block_but_a_history_restore_gets_the_whole_page(client):
    page = await client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"email": "nobody@example.org", "password": "not the password", "csrf_token": token}
    part = await client.post("/login", data=form, headers={"HX-Request": "true"})
    assert "<html" not in part.text and "match an account" in part.text
    restore = await client.post(
        "/login", data=form, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text and "Get help now" in restore.text
