"""Reminders: a private calendar link of my sessions, and notifications on this phone (Web
Push). The same services as /api/v1/me/calendar-feed and /api/v1/me/push-subscriptions."""

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.config import Settings
from api.contact import calendar, push
from api.contact.schemas import PushSubscriptionIn
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import render

router = APIRouter()


async def _page(
    request: Request, db: AsyncSession, settings: Settings, me: Principal, **context: Any
) -> HTMLResponse:
    feed = await calendar.current(db, me)
    devices = [
        (s.id, urlsplit(s.endpoint).hostname or "", s.created_at) for s in await push.mine(db, me)
    ]
    values = {
        "feed": feed,
        "devices": devices,
        "push_key": push.public_key(settings),
        **context,
    }
    response = render(request, "pages/reminders.html", values)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reminders", response_class=HTMLResponse)
async def reminders(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    return await _page(request, db, settings, me)


@router.post("/reminders/calendar", response_class=HTMLResponse, dependencies=[Checked])
async def new_calendar_link(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """Shown once, on this response only: the link is never stored, only its hash."""
    made = await calendar.create(db, me)
    url = str(request.base_url).rstrip("/") + made.path
    webcal = "webcal://" + url.split("://", 1)[1]  # calendar apps subscribe to webcal: links
    return await _page(request, db, settings, me, new_url=url, webcal_url=webcal)


@router.post("/reminders/calendar/stop", dependencies=[Checked])
async def stop_calendar_link(request: Request, me: Peer, db: SessionDep) -> Response:
    await calendar.revoke(db, me)
    return redirect(request, "/reminders")


@router.post("/reminders/push", dependencies=[Checked])
async def subscribe(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """From contact.js: this browser's PushSubscription, as JSON (with the CSRF header)."""
    try:
        body = PushSubscriptionIn.model_validate(await request.json())
        await push.subscribe(
            db,
            me,
            settings=settings,
            endpoint=body.endpoint,
            p256dh=body.keys.p256dh,
            auth=body.keys.auth,
        )
    except (ValueError, ValidationError, DomainError):
        return JSONResponse({"ok": False}, status_code=422)
    return JSONResponse({"ok": True}, status_code=201)


@router.post("/reminders/push/{subscription_id}/remove", dependencies=[Checked])
async def unsubscribe(
    request: Request, subscription_id: UUID, me: Peer, db: SessionDep
) -> Response:
    await push.unsubscribe(db, me, subscription_id=subscription_id)
    return redirect(request, "/reminders")
