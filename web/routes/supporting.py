"""Offering support (peers). Coordinators review offers in the console's Supporters section
(web/routes/coordinator.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep, settings_of
from api.errors import DomainError
from api.supporters import service as supporters
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()


async def _offer_page(
    request: Request,
    db: SessionDep,
    me: Peer,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    offer = await supporters.my_offer(db, me)
    note = supporters.decision_note(settings_of(db), offer) if offer else None
    return render(
        request,
        "pages/offer.html",
        {"offer": offer, "decision_note": note, "errors": errors or {}},
        status_code=status_code,
    )


@router.get("/support/offer", response_class=HTMLResponse)
async def offer_page(request: Request, me: Peer, db: SessionDep) -> Response:
    return await _offer_page(request, db, me)


@router.post("/support/offer", response_class=HTMLResponse, dependencies=[Checked])
async def offer_apply(
    request: Request, me: Peer, db: SessionDep, capacity: Annotated[int, Form(ge=1, le=5)] = 2
) -> Response:
    try:
        await supporters.apply(db, me, capacity=capacity)
    except DomainError as error:
        return await _offer_page(request, db, me, field_errors(error), error.status)
    return redirect(request, "/support/offer")


@router.post("/support/offer/settings", response_class=HTMLResponse, dependencies=[Checked])
async def offer_settings(
    request: Request,
    me: Peer,
    db: SessionDep,
    capacity: Annotated[int, Form(ge=1, le=5)],
    paused: Annotated[bool, Form()] = False,
) -> Response:
    try:
        await supporters.update_my_offer(db, me, capacity=capacity, paused=paused)
    except DomainError as error:
        return await _offer_page(request, db, me, field_errors(error), error.status)
    return redirect(request, "/support/offer")
