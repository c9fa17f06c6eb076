"""Offering support (peers) and reviewing offers (coordinators)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.errors import DomainError, Forbidden, NotFound
from api.supporters import service as supporters
from api.supporters.models import OfferStatus
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
    return render(
        request,
        "pages/offer.html",
        {"offer": offer, "errors": errors or {}},
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


@router.get("/coordinator/offers", response_class=HTMLResponse)
async def review_offers(request: Request, me: Peer, db: SessionDep) -> Response:
    if not me.is_coordinator:
        raise Forbidden("This page is for coordinators.")
    rows = await supporters.list_offers(db, me, status=OfferStatus.pending)
    return render(request, "pages/coordinator_offers.html", {"rows": rows})


@router.post(
    "/coordinator/offers/{offer_id}/{decision}", response_class=HTMLResponse, dependencies=[Checked]
)
async def decide_offer(
    request: Request, offer_id: UUID, decision: str, me: Peer, db: SessionDep
) -> Response:
    if decision not in ("approve", "decline"):
        raise NotFound("Unknown decision.")
    await supporters.decide(db, me, offer_id=offer_id, approve=decision == "approve")
    return redirect(request, "/coordinator/offers")
