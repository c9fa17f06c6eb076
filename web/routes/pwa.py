"""The installable shell: manifest, service worker, offline page, crisis page, API docs page."""

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep
from api.policies import service as policies
from api.safety import plan
from web import WEB_ROOT
from web.auth import MaybePeer
from web.render import HTMX_VERSION, render

router = APIRouter()


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> JSONResponse:
    name = request.app.state.settings.service_name
    assets = request.app.state.assets
    icons = [
        {
            "src": assets.url("icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": assets.url("icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": assets.url("icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": f"{name} peer support",
        "short_name": name,
        "description": "One-to-one peer support with someone who has been there.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#fbf8f3",
        "theme_color": "#2f5d62",
        "icons": icons,
    }
    return JSONResponse(body, media_type="application/manifest+json")


# What the service worker keeps for offline use, by name; it caches their hashed URLs.
OFFLINE_ASSETS = (
    "css/app.css",
    "js/app.js",
    "js/install.js",
    "js/pickers.js",
    "js/contact.js",
    f"vendor/htmx-{HTMX_VERSION}.min.js",
    "icons/icon-192.png",
)


@router.get("/sw.js")
async def service_worker(request: Request) -> Response:
    """The service worker, told this release's hashed file names (a new release, a new cache)."""
    assets = request.app.state.assets
    precache = ["/offline", *(assets.url(name) for name in OFFLINE_ASSETS)]
    script = (
        (WEB_ROOT / "static" / "sw.js")
        .read_text()
        .replace('"__VERSION__"', json.dumps(assets.version))
        .replace('"__ICON__"', json.dumps(assets.url("icons/icon-192.png")))
        .replace('"__PRECACHE__"', ", ".join(json.dumps(u) for u in precache))
    )
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/offline", response_class=HTMLResponse)
async def offline(request: Request, db: SessionDep, settings: SettingsDep) -> HTMLResponse:
    # Cached by the service worker: it must never show anything personal.
    resources = await policies.crisis_resources(db, settings)
    response = render(request, "pages/offline.html", {"crisis_resources": resources})
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/crisis", response_class=HTMLResponse)
async def crisis(
    request: Request, me: MaybePeer, db: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    resources = await policies.crisis_resources(db, settings)
    has_plan = me is not None and await plan.have_i_a_plan(db, me)
    return render(
        request, "pages/crisis.html", {"crisis_resources": resources, "has_plan": has_plan}
    )


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    return render(request, "pages/docs.html")
