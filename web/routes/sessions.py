"""The PWA's sessions pages: all sessions, proposing one, confirming, marking what happened
and cancelling (inside the agreed windows, like the API)."""

from collections.abc import Awaitable
from datetime import UTC, date, datetime, time
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.config import Settings
from api.contact import rules, sessions
from api.contact.common import channel_words
from api.contact.rules import open_slots
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.contact import BASE, clock, home_context, home_url, zone_label

router = APIRouter()


@router.get(f"{BASE}/sessions", response_class=HTMLResponse)
async def all_sessions(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep
) -> HTMLResponse:
    found = await sessions.sessions_of(db, me, relationship_id=relationship_id)
    contact = found.contact
    context = {
        "rid": contact.id,
        "relationship": contact.relationship,
        "other": contact.pair.other,
        "found": found,
        "counts": found.counts,
        "clock": clock(contact.my_tz),
        "tz": contact.my_tz,
        "zone_label": zone_label(contact.my_tz),
        "channel_words": channel_words,
        "can": rules.can,
        "now": found.now,
        "me_id": me.user_id,
    }
    return render(request, "pages/sessions.html", context)


def _local_start(day: str, at: str, tz: str) -> datetime:
    """A date and a time typed on the reader's clock, as an instant; refuses a time the clock
    skips (the spring change) and takes the first of a time it shows twice."""
    try:
        wall = datetime.combine(date.fromisoformat(day), time.fromisoformat(at))
    except ValueError:
        raise Invalid.field("day", "Choose a date and a time, like 2027-03-30 and 19:00.") from None
    local = wall.replace(tzinfo=ZoneInfo(tz))
    instant = local.astimezone(UTC)
    if instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) != wall:
        raise Invalid.field("time", f"{at} doesn't happen that day: the clocks go forward then.")
    return instant


async def _propose_page(
    request: Request,
    db: AsyncSession,
    me: Principal,
    relationship_id: UUID,
    session_id: UUID | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    found = await sessions.sessions_of(db, me, relationship_id=relationship_id)
    contact, terms = found.contact, found.contact.terms
    moving = None
    if session_id is not None:
        _, moving = await sessions.one(
            db, me, relationship_id=relationship_id, session_id=session_id
        )
    days: list[tuple[str, list[tuple[str, str]]]] = []
    if terms and contact.relationship.state == "active":
        starts = open_slots(
            terms,
            sessions=found.sessions,
            sessions_held=contact.relationship.sessions_held,
            now=found.now,
            exclude_id=moving.id if moving else None,
        )
        for start in starts:
            local = start.astimezone(ZoneInfo(contact.my_tz))
            label = f"{local:%A} {local.day} {local:%B}"
            if not days or days[-1][0] != label:
                days.append((label, []))
            days[-1][1].append((start.isoformat(), f"{local:%H:%M}"))
    context = {
        "rid": contact.id,
        "relationship": contact.relationship,
        "other": contact.pair.other,
        "terms": terms,
        "tz": contact.my_tz,
        "days": days,
        "moving": moving,
        "clock": clock(contact.my_tz),
        "channel_words": channel_words,
        "counts": found.counts,
        "form": form or {},
        "errors": errors or {},
    }
    status = 200 if not errors else 422
    return render(request, "pages/session_propose.html", context, status_code=status)


@router.get(f"{BASE}/sessions/new", response_class=HTMLResponse)
async def propose_page(
    request: Request, relationship_id: UUID, me: Peer, db: SessionDep, move: UUID | None = None
) -> Response:
    return await _propose_page(request, db, me, relationship_id, move)


@router.post(f"{BASE}/sessions/new", response_class=HTMLResponse, dependencies=[Checked])
async def propose(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    channel: Annotated[str, Form()] = "",
    start_at: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
    move: Annotated[str, Form()] = "",
) -> Response:
    form = {"channel": channel, "start_at": start_at, "day": day, "at": at}
    moving = UUID(move) if move else None
    try:
        found = await sessions.sessions_of(db, me, relationship_id=relationship_id)
        if day or at:
            start = _local_start(day, at, found.contact.my_tz)
        elif start_at:
            start = datetime.fromisoformat(start_at)
        else:
            raise Invalid.field("start_at", "Choose a time, or type another one below.")
        if moving:
            await sessions.reschedule(
                db,
                me,
                relationship_id=relationship_id,
                session_id=moving,
                start_at=start,
                channel=channel or None,
            )
        else:
            await sessions.propose(
                db, me, relationship_id=relationship_id, start_at=start, channel=channel
            )
    except (DomainError, ValueError) as error:
        if isinstance(error, DomainError) and error.status == 404:
            raise
        await db.rollback()
        problem = error if isinstance(error, DomainError) else Invalid.field("start_at", str(error))
        return await _propose_page(
            request, db, me, relationship_id, moving, field_errors(problem), form
        )
    return redirect(request, home_url(relationship_id, "proposed"))


async def _act(
    request: Request,
    db: AsyncSession,
    settings: Settings,
    me: Principal,
    relationship_id: UUID,
    done: str,
    action: Awaitable[object],
) -> Response:
    """Do one thing to a session, then go home; a refusal is shown at the top of home."""
    try:
        await action
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        context = await home_context(db, settings, me, relationship_id)
        context["errors"] = {"": error.detail or error.title}  # every reason, in one place
        return render(request, "pages/relationship_home.html", context, status_code=error.status)
    return redirect(request, home_url(relationship_id, done))


@router.post(f"{BASE}/sessions/{{session_id}}/confirm", dependencies=[Checked])
async def confirm(
    request: Request,
    relationship_id: UUID,
    session_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    action = sessions.confirm(db, me, relationship_id=relationship_id, session_id=session_id)
    return await _act(request, db, settings, me, relationship_id, "confirmed", action)


@router.post(f"{BASE}/sessions/{{session_id}}/outcome", dependencies=[Checked])
async def outcome(
    request: Request,
    relationship_id: UUID,
    session_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    outcome: Annotated[str, Form()] = "",
) -> Response:
    result: Literal["held", "missed"] = "held" if outcome == "held" else "missed"
    action = sessions.record_outcome(
        db, me, relationship_id=relationship_id, session_id=session_id, outcome=result
    )
    return await _act(request, db, settings, me, relationship_id, result, action)


@router.get(f"{BASE}/sessions/{{session_id}}/cancel", response_class=HTMLResponse)
async def cancel_page(
    request: Request, relationship_id: UUID, session_id: UUID, me: Peer, db: SessionDep
) -> Response:
    contact, session = await sessions.one(
        db, me, relationship_id=relationship_id, session_id=session_id
    )
    context = {
        "rid": contact.id,
        "other": contact.pair.other,
        "session": session,
        "clock": clock(contact.my_tz),
        "tz": contact.my_tz,
        "channel_words": channel_words,
        "mine_to_answer": session.status == "proposed" and session.proposed_by != me.user_id,
    }
    return render(request, "pages/session_cancel.html", context)


@router.post(f"{BASE}/sessions/{{session_id}}/cancel", dependencies=[Checked])
async def cancel(
    request: Request,
    relationship_id: UUID,
    session_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    action = sessions.cancel(
        db, me, settings=settings, relationship_id=relationship_id, session_id=session_id, note=note
    )
    return await _act(request, db, settings, me, relationship_id, "cancelled", action)
