"""The published statements, readable without signing in: accessibility, privacy, terms.
And administrators' download of the data inventory from the console."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from api.db import SessionDep
from api.deps import SettingsDep
from api.evidence import inventory, service, statements
from api.policies import service as policies
from web.auth import MaybePeer, Peer
from web.render import render

router = APIRouter()


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request, me: MaybePeer) -> HTMLResponse:
    return render(request, "pages/accessibility.html", {"facts": statements.accessibility()})


@router.get("/privacy", response_class=HTMLResponse)
async def privacy_notice(
    request: Request, me: MaybePeer, db: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    tables = sorted(
        (
            t
            for t in await service.privacy_summary(db, settings)
            if t.table not in statements.NOT_ABOUT_PEOPLE
        ),
        # The account first, then health information, then the rest.
        key=lambda t: (t.table != "user_account", not t.health, t.purpose),
    )
    periods = await policies.retention(db)
    return render(request, "pages/privacy_notice.html", {"tables": tables, "periods": periods})


@router.get("/terms", response_class=HTMLResponse)
async def terms(
    request: Request, me: MaybePeer, db: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    resources = await policies.crisis_resources(db, settings)
    return render(request, "pages/terms.html", {"crisis_resources": resources})


@router.get("/coordinator/data-inventory.csv")
async def data_inventory_csv(me: Peer, db: SessionDep, settings: SettingsDep) -> PlainTextResponse:
    """Administrators: every table and column, as the API's /admin/data-inventory.csv."""
    rows = await service.data_inventory(db, me, settings)
    return PlainTextResponse(
        inventory.as_csv(rows),
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="kindred-data-inventory.csv"',
            "Cache-Control": "no-store",
        },
    )
