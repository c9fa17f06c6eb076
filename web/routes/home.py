from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import NotFound
from api.matching import introductions, requests
from api.profiles import service as profiles
from api.referrals import summaries
from api.relationships import service as relationships
from api.relationships.models import HOLDS_A_PLACE, State
from api.supporters import service as supporters
from api.supporters.models import OfferStatus
from web.auth import SET_UP_PAGE, MaybePeer, redirect
from web.render import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, me: MaybePeer, db: SessionDep, settings: SettingsDep) -> Response:
    if me is None:
        return render(request, "pages/welcome.html")
    if me.is_staff and not me.second_factor:
        return redirect(request, SET_UP_PAGE)  # staff set up their second factor first
    if me.is_coordinator and request.query_params.get("view") != "peer":
        return redirect(request, "/coordinator")  # staff land on the console
    offer = await supporters.my_offer(db, me)
    pending = (
        len(await supporters.list_offers(db, me, status=OfferStatus.pending))
        if me.is_coordinator
        else 0
    )
    try:
        await profiles.get_profile(db, me)
        has_profile = True
    except NotFound:
        has_profile = False
    approved = offer is not None and offer.status == OfferStatus.approved
    mine = await relationships.list_mine(db, me)
    # Ended support stays on home, kindly: "Sam supported you · ended 3 May" (latest first).
    ended = sorted(
        (r for r in mine if r.state == State.ended),
        key=lambda r: r.ended_at or r.created_at,
        reverse=True,
    )
    pairs = await relationships.pairs(db, me, relationships=ended[:3])
    context = {
        "offer": offer,
        "pending_offers": pending,
        "has_profile": has_profile,
        "has_experiences": bool(await profiles.my_experiences(db, me, settings=settings)),
        "support_request": await requests.latest_request(db, me.user_id),
        "waiting_introductions": len(await introductions.inbox(db, me)) if approved else 0,
        "open_relationships": [r for r in mine if r.state in HOLDS_A_PLACE],
        "summary_questions": await summaries.unanswered(db, me),
        "being_supported": any(
            r.state in HOLDS_A_PLACE and r.seeker_id == me.user_id for r in mine
        ),
        "ended_relationships": [
            (r, pairs[r.id].other.display_name, pairs[r.id].me.role) for r in ended[:3]
        ],
    }
    return render(request, "pages/home.html", context)
