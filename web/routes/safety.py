"""A relationship's safety pages: the hub (where it stands, what I can do), ending in two taps
with a preview of what the other person will see, pausing and carrying on. Concerns, blocks
and what comes after an ending are in web/routes/aftercare.py. Each page calls the same
services as /api/v1.
"""

from datetime import date
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.concerns.models import ConcernKind
from api.config import Settings
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid, NotFound
from api.profiles import service as profiles
from api.safety import endings, pauses, safeguarding
from api.safety import status as safety_status
from api.safety.models import ReasonCategory
from api.weekly.windows import FALLBACK_TIMEZONE, is_known_timezone
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
BASE = "/relationships/{relationship_id}"

REASONS = (
    (ReasonCategory.got_what_i_needed, "I got what I needed"),
    (ReasonCategory.not_the_right_fit, "It didn't feel like the right fit"),
    (ReasonCategory.no_time_or_energy, "I don't have the time or energy right now"),
    (ReasonCategory.need_different_support, "I need a different kind of support"),
    (ReasonCategory.felt_uncomfortable, "I felt uncomfortable"),
    (ReasonCategory.something_else, "Something else"),
)
CONCERN_KINDS = (
    (ConcernKind.boundary_crossed, "A boundary was crossed"),
    (ConcernKind.feel_unsafe, "I feel unsafe"),
    (ConcernKind.worried_about_other, "I'm worried about the other person's safety"),
    (ConcernKind.other, "Something else"),
)


async def reader_zone(db: SessionDep, me: Principal) -> ZoneInfo:
    """The reader's own time zone (their profile's), for dates and times on these pages."""
    try:
        zone = (await profiles.get_profile(db, me)).timezone
    except NotFound:
        zone = FALLBACK_TIMEZONE
    return ZoneInfo(zone if is_known_timezone(zone) else FALLBACK_TIMEZONE)


def url(relationship_id: UUID, page: str = "safety") -> str:
    return f"/relationships/{relationship_id}/{page}"


async def page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    me: Principal,
    relationship_id: UUID,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    found = await safety_status.status(db, me, settings=settings, relationship_id=relationship_id)
    context = context or {}
    if template == "pages/safety.html" and "log" not in context:
        context["log"] = await safeguarding.log_for_people(db, me, relationship_id=relationship_id)
    values = {
        "s": found,
        "zone": await reader_zone(db, me),
        "rid": relationship_id,
        "reasons": REASONS,
        "concern_kinds": CONCERN_KINDS,
        **(context or {}),
    }
    return render(request, template, values, status_code=status_code, block=block)


async def failed(
    request: Request,
    db: AsyncSession,
    settings: Settings,
    me: Principal,
    relationship_id: UUID,
    template: str,
    error: DomainError,
    context: dict[str, Any] | None = None,
) -> HTMLResponse:
    """Show a refused action on its page; a 404 stays a 404 (nothing about the relationship)."""
    if error.status == 404:
        raise error
    await db.rollback()
    context = {**(context or {}), "errors": field_errors(error)}
    return await page(
        request, db, settings, me, relationship_id, template, context, status_code=error.status
    )


# ---- the hub: where it stands, and what I can do ---------------------------------------------


@router.get(f"{BASE}/safety", response_class=HTMLResponse)
async def safety_page(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    done: str | None = None,
) -> Response:
    context = {"done": done}
    return await page(request, db, settings, me, relationship_id, "pages/safety.html", context)


# ---- ending ------------------------------------------------------------------------------


async def _end_page(
    request: Request,
    db: AsyncSession,
    settings: Settings,
    me: Principal,
    relationship_id: UUID,
    values: dict[str, Any] | None = None,
    **kwargs: Any,
) -> HTMLResponse:
    values = values or {}
    message = endings.clean_message(values.get("closing_message"))
    try:
        text, _ = await endings.preview(
            db,
            me,
            relationship_id=relationship_id,
            closing_message=message,
            completing=bool(values.get("completing")),
        )
    except DomainError:
        text = None  # already ended: the page says so
    context = {"values": values, "preview": text, "message": message, **kwargs.pop("context", {})}
    return await page(
        request, db, settings, me, relationship_id, "pages/safety_end.html", context, **kwargs
    )


@router.get(f"{BASE}/end", response_class=HTMLResponse)
async def end_page(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    planned: bool = False,
) -> Response:
    values = {"completing": planned}
    return await _end_page(request, db, settings, me, relationship_id, values)


@router.post(f"{BASE}/end/preview", response_class=HTMLResponse, dependencies=[Checked])
async def end_preview(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    closing_message: Annotated[str, Form(max_length=2000)] = "",
    completing: Annotated[bool, Form()] = False,
) -> Response:
    """The live preview (htmx): exactly what the other person will see."""
    values = {"closing_message": closing_message, "completing": completing}
    try:
        return await _end_page(request, db, settings, me, relationship_id, values, block="preview")
    except Invalid as error:
        context = {"errors": field_errors(error)}
        return await _end_page(
            request,
            db,
            settings,
            me,
            relationship_id,
            {"completing": completing},
            block="preview",
            context=context,
        )


@router.post(f"{BASE}/end", response_class=HTMLResponse, dependencies=[Checked])
@router.post(f"{BASE}/complete", response_class=HTMLResponse, dependencies=[Checked])
async def end(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    reason_category: Annotated[str, Form(max_length=40)] = "",
    closing_message: Annotated[str, Form(max_length=2000)] = "",
    previewed: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """End (or confirm the planned ending). A closing message is always seen before it goes:
    if the one sent isn't the one last previewed, the page shows it and asks once more."""
    completing = request.url.path.endswith("/complete")
    values = {
        "reason_category": reason_category,
        "closing_message": closing_message,
        "completing": completing,
    }
    try:
        message = endings.clean_message(closing_message)
        reason = ReasonCategory(reason_category) if reason_category else None
        if message and (previewed or "").strip() != message:
            return await _end_page(
                request, db, settings, me, relationship_id, values, context={"check": True}
            )
        if completing:
            await endings.complete(
                db, me, settings=settings, relationship_id=relationship_id, closing_message=message
            )
        else:
            await endings.end_by_person(
                db,
                me,
                settings=settings,
                relationship_id=relationship_id,
                reason_category=reason,
                closing_message=message,
            )
    except ValueError:
        error = Invalid.field("reason_category", "Choose one of the reasons, or none.")
        return await failed(
            request,
            db,
            settings,
            me,
            relationship_id,
            "pages/safety_end.html",
            error,
            {"values": values},
        )
    except DomainError as error:
        context = {"values": values, "preview": None, "message": None}
        return await failed(
            request, db, settings, me, relationship_id, "pages/safety_end.html", error, context
        )
    return redirect(request, url(relationship_id) + "?done=ended")


# ---- pausing -----------------------------------------------------------------------------


@router.get(f"{BASE}/pause", response_class=HTMLResponse)
async def pause_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    return await page(request, db, settings, me, relationship_id, "pages/safety_pause.html")


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid.field("until", "Enter a date, like 2027-03-01, or leave it empty.") from None


@router.post(f"{BASE}/pause", response_class=HTMLResponse, dependencies=[Checked])
@router.post(f"{BASE}/pause/date", response_class=HTMLResponse, dependencies=[Checked])
async def pause(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    until: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        planned = _date(until)
        if request.url.path.endswith("/date"):
            await pauses.change_until(db, me, relationship_id=relationship_id, until=planned)
        else:
            await pauses.pause(db, me, relationship_id=relationship_id, until=planned)
    except DomainError as error:
        return await failed(
            request,
            db,
            settings,
            me,
            relationship_id,
            "pages/safety_pause.html",
            error,
            {"until": until},
        )
    return redirect(request, url(relationship_id) + "?done=paused")


@router.post(f"{BASE}/resume", response_class=HTMLResponse, dependencies=[Checked])
@router.post(f"{BASE}/resume/acknowledge", response_class=HTMLResponse, dependencies=[Checked])
async def carry_on(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    """Ask to carry on, or agree to the other person's ask."""
    try:
        if request.url.path.endswith("/acknowledge"):
            await pauses.acknowledge_resume(db, me, relationship_id=relationship_id)
        else:
            await pauses.ask_to_resume(db, me, relationship_id=relationship_id)
    except DomainError as error:
        return await failed(request, db, settings, me, relationship_id, "pages/safety.html", error)
    return redirect(request, url(relationship_id) + "?done=carry-on")
