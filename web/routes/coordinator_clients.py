"""The console's integrations page (administrators only): create an integrator client (its
secret shown once, to copy), rotate a secret with an overlap, revoke a client."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth.principal import Principal
from api.clients import service as clients
from api.clients.scopes import SCOPES
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.paging import Window
from api.webhooks import health
from web.auth import Admin, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
OVERLAPS = ((0, "Stop the old one now"), (1, "1 hour"), (24, "1 day"), (168, "1 week"))


async def _page(
    request: Request,
    me: Principal,
    db: SessionDep,
    *,
    starting_after: UUID | None = None,
    issued: clients.Issued | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found, more = await clients.list_clients(
        db, me, window=Window(limit=50, starting_after=starting_after)
    )
    disabled = await health.disabled_by_kindred(db, client_ids=[v.client.id for v in found])
    return render(
        request,
        "pages/coordinator_clients.html",
        {
            "clients": found,
            "disabled": disabled,
            "has_more": more,
            "issued": issued,
            "scopes": SCOPES,
            "overlaps": OVERLAPS,
            "errors": errors or {},
            "values": values or {"scopes": []},
            "done": request.query_params.get("done"),
            "tab": "clients",
        },
        status_code=status_code,
    )


@router.get("/coordinator/clients", response_class=HTMLResponse)
async def clients_page(
    request: Request, me: Admin, db: SessionDep, starting_after: UUID | None = None
) -> Response:
    return await _page(request, me, db, starting_after=starting_after)


@router.post("/coordinator/clients", response_class=HTMLResponse, dependencies=[Checked])
async def create_client(
    request: Request,
    me: Admin,
    db: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=200)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The new secret is shown in this answer only (no redirect: it is never stored)."""
    try:
        issued = await clients.create_client(
            db, me, settings=settings, name=name, scopes=scopes or []
        )
    except DomainError as error:
        values = {"name": name, "scopes": scopes or []}
        return await _page(
            request, me, db, errors=field_errors(error), values=values, status_code=error.status
        )
    return await _page(request, me, db, issued=issued)


@router.post(
    "/coordinator/clients/{client_id}/rotate", response_class=HTMLResponse, dependencies=[Checked]
)
async def rotate_secret(
    request: Request,
    client_id: UUID,
    me: Admin,
    db: SessionDep,
    settings: SettingsDep,
    overlap_hours: Annotated[int, Form()] = 24,
) -> Response:
    try:
        issued = await clients.rotate_secret(
            db, me, settings=settings, client_id=client_id, overlap_hours=overlap_hours
        )
    except DomainError as error:
        return await _page(request, me, db, errors=field_errors(error), status_code=error.status)
    return await _page(request, me, db, issued=issued)


@router.post(
    "/coordinator/clients/{client_id}/revoke", response_class=HTMLResponse, dependencies=[Checked]
)
async def revoke_client(request: Request, client_id: UUID, me: Admin, db: SessionDep) -> Response:
    await clients.revoke(db, me, client_id=client_id)
    return redirect(request, "/coordinator/clients?done=revoked")
