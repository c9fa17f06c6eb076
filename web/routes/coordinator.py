"""The coordinators' console (PWA): today, concerns, supporters, relationships and statistics.
Every page needs a coordinator. The matching desk is in coordinator_matching.py, a
relationship's page and its safety actions in coordinator_safety.py, settings in
coordinator_settings.py."""

import calendar
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.concerns import service as concerns
from api.concerns.models import ConcernStatus
from api.coordination import health_list, offers, roster, stats, today
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, NotFound
from web.auth import Staff, redirect
from web.csrf import Checked
from web.pager import pager
from web.render import field_errors, render

router = APIRouter()


STATUS_WORDS = {
    "new": "New",
    "triaged": "Triaged",
    "in_progress": "In progress",
    "resolved": "Resolved",
}

MONTH_NAMES = {f"{i:02d}": name for i, name in enumerate(calendar.month_abbr) if i}


@router.get("/coordinator", response_class=HTMLResponse)
async def console_home(request: Request, me: Staff, db: SessionDep) -> Response:
    return render(
        request, "pages/coordinator_home.html", {"today": await today.today(db, me), "tab": "today"}
    )


@router.get("/coordinator/concerns", response_class=HTMLResponse)
async def concern_queue(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    status: str | None = None,
    mine: bool = False,
) -> Response:
    wanted = ConcernStatus(status) if status in STATUS_WORDS else None
    found = await concerns.queue(
        db, me, settings=settings, status=wanted, assigned_to=me.user_id if mine else None
    )
    return render(
        request,
        "pages/coordinator_concerns.html",
        {
            "concerns": found,
            "status_words": STATUS_WORDS,
            "status": wanted,
            "mine": mine,
            "tab": "concerns",
        },
    )


@router.get("/coordinator/concerns/{concern_id}", response_class=HTMLResponse)
async def concern_page(
    request: Request,
    concern_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    errors: dict[str, str] | None = None,
) -> Response:
    view = await concerns.get_concern(db, me, settings=settings, concern_id=concern_id)
    return render(
        request,
        "pages/coordinator_concern.html",
        {"view": view, "status_words": STATUS_WORDS, "errors": errors or {}, "tab": "concerns"},
    )


@router.post(
    "/coordinator/concerns/{concern_id}", response_class=HTMLResponse, dependencies=[Checked]
)
async def concern_update(
    request: Request,
    concern_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    assign_to_me: Annotated[bool, Form()] = False,
) -> Response:
    try:
        await concerns.update_concern(
            db,
            me,
            settings=settings,
            concern_id=concern_id,
            status=ConcernStatus(status) if status in STATUS_WORDS else None,
            note=note,
            assigned_to=me.user_id if assign_to_me else None,
        )
    except DomainError as error:
        view = await concerns.get_concern(db, me, settings=settings, concern_id=concern_id)
        return render(
            request,
            "pages/coordinator_concern.html",
            {"view": view, "status_words": STATUS_WORDS, "errors": field_errors(error)},
            status_code=error.status,
        )
    return redirect(request, f"/coordinator/concerns/{concern_id}")


@router.get("/coordinator/supporters", response_class=HTMLResponse)
async def supporters_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
    decided: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """Offers to review (the one place for them) and the roster."""
    found = await roster.roster(
        db, me, limit=50, starting_after=starting_after, ending_before=ending_before
    )
    links = pager(
        found,
        id_of=lambda e: e.user_id,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return render(
        request,
        "pages/coordinator_supporters.html",
        {
            "offers": await offers.to_review(db, me),
            "roster": found,
            "links": links,
            "flag_words": roster.FLAG_WORDS,
            "decided": DECIDED.get(decided or ""),
            "errors": errors or {},
            "values": values or {},
            "tab": "supporters",
        },
        status_code=status_code,
    )


DECIDED = {
    "approve": "Approved. They've been told, with your note if you wrote one.",
    "decline": "Declined. They've been told kindly, with your note if you wrote one.",
}


@router.post(
    "/coordinator/supporters/offers/{offer_id}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def decide(
    request: Request,
    offer_id: UUID,
    me: Staff,
    db: SessionDep,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Approve or decline an offer with an optional note to the person."""
    if decision not in DECIDED:
        raise NotFound("Choose to approve or decline.")
    try:
        await offers.decide(db, me, offer_id=offer_id, approve=decision == "approve", note=note)
    except DomainError as error:
        problems = {f"{offer_id}:{k}": v for k, v in field_errors(error).items()}
        if f"{offer_id}:note" not in problems:  # e.g. screening not complete: say what's missing
            problems[f"{offer_id}:"] = error.detail or error.title
        return await supporters_page(
            request,
            me,
            db,
            errors=problems,
            values={str(offer_id): note},
            status_code=error.status,
        )
    return redirect(request, f"/coordinator/supporters?decided={decision}#offers")


@router.get("/coordinator/offers", response_class=HTMLResponse)
async def old_offers_page(request: Request, me: Staff) -> Response:
    """The old "Review offers" page: offers are reviewed in the console's Supporters section."""
    return RedirectResponse("/coordinator/supporters#offers", status_code=301)


@router.post(
    "/coordinator/supporters/{user_id}/{action}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def suspend_or_reinstate(
    request: Request, user_id: UUID, action: str, me: Staff, db: SessionDep
) -> Response:
    if action == "suspend":
        await roster.suspend(db, me, user_id=user_id)
    elif action == "reinstate":
        await roster.reinstate(db, me, user_id=user_id)
    return redirect(request, "/coordinator/supporters")


@router.get("/coordinator/relationships", response_class=HTMLResponse)
async def relationships_page(
    request: Request,
    me: Staff,
    db: SessionDep,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
    show: str = "all",
) -> Response:
    found = await health_list.relationships(
        db,
        me,
        limit=25,
        starting_after=starting_after,
        ending_before=ending_before,
        stalled=True if show == "stalled" else None,
        review_due=True if show == "review_due" else None,
        has_open_concerns=True if show == "concerns" else None,
    )
    return render(
        request,
        "pages/coordinator_relationships.html",
        {
            "page": found,
            "links": pager(
                found,
                id_of=lambda r: r.id,
                starting_after=starting_after,
                ending_before=ending_before,
            ),
            "show": show,
            "tab": "relationships",
        },
    )


def _bars(rows: list[dict], key: str) -> dict:
    """A small bar chart's geometry, drawn as SVG on the server."""
    top = max([r[key] or 0 for r in rows] + [1])
    width = 100 / max(len(rows), 1)
    return {
        "bars": [
            {
                "x": round(i * width + width * 0.15, 2),
                "w": round(width * 0.7, 2),
                "h": round(80 * (r[key] or 0) / top, 2),
                "value": r[key],
                "month": r["month"],
            }
            for i, r in enumerate(rows)
        ],
        "top": top,
        "any": any(r[key] for r in rows),
    }


@router.get("/coordinator/statistics", response_class=HTMLResponse)
async def statistics_page(request: Request, me: Staff, db: SessionDep) -> Response:
    found = await stats.statistics(db, me, months=6)
    charts = {
        "Median wait (days)": _bars(found.waiting, "median_days"),
        "Introductions proposed": _bars(found.introductions, "proposed"),
        "Sessions held": _bars(found.activity, "sessions_held"),
        "Supporters active": _bars(found.activity, "supporters_active"),
    }
    return render(
        request,
        "pages/coordinator_statistics.html",
        {
            "stats": found,
            "charts": charts,
            "tables": stats.TABLES,
            "month_names": MONTH_NAMES,
            "tab": "statistics",
        },
    )
