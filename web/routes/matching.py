"""Finding a supporter (the explained shortlist and choosing), and the supporter's introductions."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.auth.principal import Principal
from api.config import Settings
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, NotFound
from api.matching import introductions, requests, service, views
from api.matching.deps import IndexDep
from api.matching.index import MatchingIndex
from api.matching.models import RequestStatus, SupportRequest
from api.matching.schemas import RequestIn
from api.profiles import service as profiles
from api.profiles.models import Stage
from api.relationships import service as relationships
from api.relationships.models import HOLDS_A_PLACE, Relationship, State
from api.supporters import service as supporters
from api.weekly.windows import FALLBACK_TIMEZONE, is_known_timezone
from web.auth import Peer, redirect
from web.csrf import Checked
from web.forms import domain_errors, form_errors
from web.render import render
from web.routes.profile import AGE_BANDS

router = APIRouter()

PREFERRED_GENDERS = (("woman", "A woman"), ("man", "A man"), ("non-binary", "A non-binary person"))
REQUEST_FIELDS = {"tag_ids": "tags"}
REQUEST_MESSAGES = {"tags": "Choose at least one experience (ten at most)."}


async def _my_zone(db: SessionDep, me: Principal) -> str:
    try:
        zone = (await profiles.get_profile(db, me)).timezone
    except NotFound:
        return FALLBACK_TIMEZONE
    return zone if is_known_timezone(zone) else FALLBACK_TIMEZONE


def _when(moment: datetime | None, zone: str) -> str:
    """A moment as the person reads it on their own clock, e.g. "Thursday 14 May, 18:00"."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%A %-d %B, %H:%M")


def _seeker_words(introduction: views.SeekerIntroduction) -> str:
    if introduction.relationship.state == State.withdrawn:
        return "you stopped looking before they answered"
    return introduction.status


# Finding a supporter --------------------------------------------------------------------------


async def _missing_step(
    db: SessionDep, settings: Settings, me: Principal
) -> tuple[str | None, list[Any]]:
    """The set-up step still to do ("profile", "experiences" or none), and my experiences."""
    try:
        await profiles.get_profile(db, me)
    except NotFound:
        return "profile", []
    mine = await profiles.my_experiences(db, me, settings=settings)
    return (None if mine else "experiences"), mine


async def _search(
    db: SessionDep,
    settings: Settings,
    index: MatchingIndex,
    me: Principal,
    current: SupportRequest | None,
) -> dict[str, Any]:
    """Where my latest request stands: its introductions and, while it waits, my shortlist."""
    history = (await views.request_view(db, request=current)).introductions if current else []
    intros = [
        (i.relationship, i.supporter_display_name, _seeker_words(i), i.supporter_topics_to_avoid)
        for i in history
    ]
    shortlist = None
    if current is not None and current.status == RequestStatus.waiting:
        shortlist = await service.suggestions(
            db, me, settings=settings, index=index, request_id=current.id
        )
    return {
        "current": current,
        "is_open": current is not None and current.status in requests.OPEN,
        "intros": intros,
        "pending": next((i for i in intros if i[0].state == State.introduced), None),
        "agreed": next((i for i in intros if i[0].state in HOLDS_A_PLACE), None),
        "shortlist": shortlist,
        "notes": {i.relationship.id: i.coordinator_note for i in history if i.coordinator_note},
    }


def _form_values(current: SupportRequest | None, is_open: bool, mine: list[Any]) -> dict[str, Any]:
    """The request form as it starts: the open request's choices, or what I'm going through."""
    prefs = (current.preferences if is_open and current else None) or {}
    going = {e.tag_id for e in mine if e.stage == Stage.going_through}
    return {
        "tags": set(current.tag_ids) if is_open and current else going,
        "gender": prefs.get("gender") or "",
        "age_band": prefs.get("age_band") or "",
        "further_along": bool(prefs.get("further_along")),
        "share_own_words": bool(current.share_own_words) if is_open and current else False,
    }


async def _find_page(
    request: Request,
    db: SessionDep,
    settings: Settings,
    index: MatchingIndex,
    me: Principal,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """Where the person's search stands: set-up steps, the form, the shortlist, the answers."""
    context: dict[str, Any] = {"errors": errors or {}, "genders": PREFERRED_GENDERS}
    missing, mine = await _missing_step(db, settings, me)
    if missing is not None:
        return render(request, "pages/find.html", {**context, "missing": missing})
    current = await requests.latest_request(db, me.user_id)
    context |= await _search(db, settings, index, me, current)
    if values is None:
        values = _form_values(current, context["is_open"], mine)
    context |= {"experiences": mine, "values": values, "age_bands": AGE_BANDS}
    return render(request, "pages/find.html", context, status_code=status_code)


@router.get("/find", response_class=HTMLResponse)
async def find_page(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep, index: IndexDep
) -> Response:
    return await _find_page(request, db, settings, index, me)


@router.post("/find", response_class=HTMLResponse, dependencies=[Checked])
async def ask_for_support(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    tag: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    gender: Annotated[str, Form(max_length=200)] = "",
    age_band: Annotated[str, Form(max_length=20)] = "",
    further_along: Annotated[bool, Form()] = False,
    share_own_words: Annotated[bool, Form()] = False,
) -> Response:
    values = {
        "tags": set(tag),
        "gender": gender,
        "age_band": age_band,
        "further_along": further_along,
        "share_own_words": share_own_words,
    }
    preferences = {
        "gender": gender or None,
        "age_band": age_band or None,
        "further_along": further_along,
    }
    try:
        body = RequestIn.model_validate(
            {"tag_ids": tag, "preferences": preferences, "share_own_words": share_own_words}
        )
        await requests.ask_for_support(
            db,
            me,
            tag_ids=body.tag_ids,
            preferences=body.preferences.model_dump(),
            share_own_words=body.share_own_words,
        )
    except ValidationError as exc:
        errors = form_errors(exc, REQUEST_FIELDS, REQUEST_MESSAGES)
        return await _find_page(request, db, settings, index, me, values, errors, 422)
    except DomainError as error:
        errors = domain_errors(error, REQUEST_FIELDS)
        return await _find_page(request, db, settings, index, me, values, errors, error.status)
    return redirect(request, "/find")


@router.post("/find/choose", response_class=HTMLResponse, dependencies=[Checked])
async def choose(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    request_id: Annotated[UUID, Form()],
    supporter_id: Annotated[UUID, Form()],
) -> Response:
    try:
        await service.choose(
            db,
            me,
            settings=settings,
            index=index,
            request_id=request_id,
            supporter_id=supporter_id,
        )
    except DomainError as error:
        errors = {"": error.detail or error.title}
        return await _find_page(request, db, settings, index, me, None, errors, error.status)
    return redirect(request, "/find")


@router.post("/find/withdraw", response_class=HTMLResponse, dependencies=[Checked])
async def withdraw(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    request_id: Annotated[UUID, Form()],
) -> Response:
    try:
        await requests.withdraw_request(db, me, request_id=request_id)
    except DomainError as error:
        errors = {"": error.detail or error.title}
        return await _find_page(request, db, settings, index, me, None, errors, error.status)
    return redirect(request, "/find")


@router.post("/find/coordinator", response_class=HTMLResponse, dependencies=[Checked])
async def ask_a_coordinator(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    request_id: Annotated[UUID, Form()],
    ask: Annotated[bool, Form()] = False,
) -> Response:
    """Ask a coordinator to choose for me, instead of choosing from the shortlist (or undo)."""
    try:
        await requests.ask_a_coordinator(db, me, request_id=request_id, ask=ask)
    except DomainError as error:
        errors = {"": error.detail or error.title}
        return await _find_page(request, db, settings, index, me, None, errors, error.status)
    return redirect(request, "/find")


# The supporter's introductions ----------------------------------------------------------------


async def _accepted(
    db: SessionDep, me: Principal, relationship_id: str | None
) -> tuple[Relationship, str] | None:
    """The introduction I just accepted, to say what happens next (nothing if it isn't mine)."""
    try:
        found = await relationships.mine(db, me, relationship_id=UUID(relationship_id or ""))
    except (ValueError, NotFound):
        return None
    if found.supporter_id != me.user_id or found.state not in HOLDS_A_PLACE:
        return None
    people = await introductions.seekers_public(db, user_ids=[found.seeker_id])
    name, _ = people[found.seeker_id]
    return found, name


async def _inbox_page(
    request: Request,
    db: SessionDep,
    me: Principal,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    waiting = await views.supporter_inbox(db, me, settings=request.app.state.settings)
    zone = await _my_zone(db, me)
    context = {
        "introductions": [(i, _when(i.relationship.expires_at, zone)) for i in waiting],
        "accepted": await _accepted(db, me, request.query_params.get("accepted")),
        "answered_no": request.query_params.get("answered") == "not-now",
        "is_supporter": await supporters.is_supporter(db, user_id=me.user_id),
        "errors": errors or {},
    }
    return render(request, "pages/introductions.html", context, status_code=status_code)


@router.get("/introductions", response_class=HTMLResponse)
async def inbox(request: Request, me: Peer, db: SessionDep) -> Response:
    return await _inbox_page(request, db, me)


@router.post(
    "/introductions/{relationship_id}/{answer}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def answer(
    request: Request, relationship_id: UUID, answer: str, me: Peer, db: SessionDep
) -> Response:
    if answer not in ("accept", "decline"):
        raise NotFound("Unknown answer.")
    try:
        if answer == "accept":
            await introductions.accept(db, me, relationship_id=relationship_id)
        else:
            await introductions.decline(db, me, relationship_id=relationship_id)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return await _inbox_page(request, db, me, {"": error.detail or error.title}, error.status)
    target = f"accepted={relationship_id}" if answer == "accept" else "answered=not-now"
    return redirect(request, f"/introductions?{target}")


@router.post(
    "/relationships/{relationship_id}/share-own-words",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def share_own_words(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    share: Annotated[bool, Form()] = False,
) -> Response:
    """The seeker lets their supporter read their own words, or stops sharing them."""
    found = await relationships.mine(db, me, relationship_id=relationship_id)
    if found.seeker_id != me.user_id or found.request_id is None:
        raise NotFound("No such request.")
    await requests.share_own_words(db, me, request_id=found.request_id, share=share)
    return redirect(request, f"/relationships/{relationship_id}")
