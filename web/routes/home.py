from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.db import SessionDep
from api.supporters import service as supporters
from web.auth import MaybePeer
from web.render import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, me: MaybePeer, db: SessionDep) -> HTMLResponse:
    if me is None:
        return render(request, "pages/welcome.html")
    offer = await supporters.my_offer(db, me)
    pending = len(await supporters.list_offers(db, me, "pending")) if me.is_coordinator else 0
    return render(request, "pages/home.html", {"offer": offer, "pending_offers": pending})
