"""My notification settings and my address: e-mail and push per group of notices, a daily
digest, reminders and when, quiet hours; confirming or changing the address. The same
services as /api/v1/me/notification-settings and /api/v1/me/email."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import addresses
from api.auth.principal import Principal
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid
from api.notices import preferences
from web.auth import Peer
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
PAGE = "pages/notification_settings.html"
REMINDER_NAMES = {
    "session_reminder": "Before each confirmed session",
    "review_due": "When you reach the review you agreed",
    "introduction_expiring": "When an introduction to you is about to close (supporters)",
}
BEFORE = [(15, "15 minutes"), (60, "1 hour"), (120, "2 hours"), (1440, "1 day"), (2880, "2 days")]


def _clock(minute: int | None) -> str:
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def _minute(clock: str) -> int | None:
    hours, _, minutes = clock.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    return int(hours) * 60 + int(minutes)


async def _page(
    request: Request, db: AsyncSession, me: Principal, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    found = await preferences.mine(db, me)
    email, verified = await addresses.status(db, me)
    groups = [
        (
            index,
            name,
            all(k in found.email_kinds for k in kinds),
            not any(k in found.push_off for k in kinds),
        )
        for index, (name, kinds) in enumerate(preferences.GROUPS.items())
    ]
    values = {
        "groups": groups,
        "digest": found.digest,
        "reminders": [(k, REMINDER_NAMES[k], k not in found.reminders_off) for k in REMINDER_NAMES],
        "before": BEFORE,
        "remind_before": found.remind_before_minutes,
        "quiet_from": _clock(found.quiet_from),
        "quiet_until": _clock(found.quiet_until),
        "email": email,
        "verified": verified,
        **context,
    }
    response = render(request, PAGE, values, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/settings/notifications", response_class=HTMLResponse)
async def settings_page(request: Request, me: Peer, db: SessionDep) -> HTMLResponse:
    return await _page(request, db, me)


@router.post("/settings/notifications", response_class=HTMLResponse, dependencies=[Checked])
async def save(request: Request, me: Peer, db: SessionDep) -> HTMLResponse:
    form = await request.form()
    names = list(preferences.GROUPS.items())
    email_kinds = [k for i, (_, kinds) in enumerate(names) if form.get(f"email_{i}") for k in kinds]
    push_off = [k for i, (_, kinds) in enumerate(names) if not form.get(f"push_{i}") for k in kinds]
    before = str(form.get("remind_before", "1440"))
    quiet_from, quiet_until = str(form.get("quiet_from", "")), str(form.get("quiet_until", ""))
    choices = preferences.Choices(
        email_kinds=email_kinds,
        digest=form.get("digest") == "daily",
        push_off=push_off,
        reminders_off=[k for k in REMINDER_NAMES if not form.get(f"reminder_{k}")],
        remind_before_minutes=int(before) if before.isdigit() else 0,
        quiet_from=_minute(quiet_from),
        quiet_until=_minute(quiet_until),
    )
    try:
        if (quiet_from or quiet_until) and None in (choices.quiet_from, choices.quiet_until):
            raise Invalid.field("quiet_until", "Quiet hours need a start and an end, like 22:00.")
        await preferences.change(db, me, choices=choices)
    except DomainError as error:
        return await _page(request, db, me, status_code=error.status, errors=field_errors(error))
    return await _page(request, db, me, saved=True)


@router.post("/settings/email/confirm", response_class=HTMLResponse, dependencies=[Checked])
async def send_again(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    try:
        await addresses.send_again(db, me, settings=settings)
    except DomainError as error:
        return await _page(request, db, me, status_code=error.status, address_error=error.detail)
    return await _page(request, db, me, link_sent=True)


@router.post("/settings/email", response_class=HTMLResponse, dependencies=[Checked])
async def change_address(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    try:
        await addresses.change_address(db, me, settings=settings, email=email, password=password)
    except DomainError as error:
        return await _page(
            request,
            db,
            me,
            status_code=error.status,
            change_errors=field_errors(error),
            new_email=email,
        )
    return await _page(request, db, me, change_sent=True)
