"""Forgot my password, confirming an address, one-click unsubscribe, and (in development only)
the e-mails the local catcher caught. The same services as the API (api/auth/recovery.py,
api/auth/addresses.py, api/notices/preferences.py)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import addresses, recovery
from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import DomainError, Invalid, NotFound
from api.mail import catcher
from api.notices import preferences
from web.auth import MaybePeer, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
Token = Annotated[str, Form(max_length=200)]


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_page(request: Request) -> Response:
    return render(request, "pages/forgot_password.html", {"values": {}})


@router.post("/forgot-password", response_class=HTMLResponse, dependencies=[Checked])
async def forgot(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    try:
        if not email.strip():
            raise Invalid.field("email", "Enter the e-mail address of your account.")
        await recovery.ask_for_reset(
            db, settings=settings, email=email, address=client_address(request)
        )
    except DomainError as error:
        response = render(
            request,
            "pages/forgot_password.html",
            {"values": {"email": email}, "errors": field_errors(error)},
            status_code=error.status,
            block="form",
        )
        response.headers.update(error.headers)
        return response
    return render(
        request, "pages/forgot_password.html", {"sent": recovery.SENT, "values": {}}, block="form"
    )


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_page(request: Request, token: str = "") -> Response:
    response = render(request, "pages/reset_password.html", {"token": token[:200]})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/reset-password", response_class=HTMLResponse, dependencies=[Checked])
async def reset(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    token: Token = "",
    password: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    try:
        await recovery.reset_password(db, settings=settings, token=token, password=password)
    except DomainError as error:
        return render(
            request,
            "pages/reset_password.html",
            {"token": token, "errors": field_errors(error)},
            status_code=error.status,
            block="form",
        )
    return redirect(request, "/login?reset=1")


@router.get("/confirm-email", response_class=HTMLResponse)
async def confirm_page(request: Request, token: str = "") -> Response:
    """A button, not the confirmation itself: a GET never changes anything (mail scanners
    follow links)."""
    response = render(request, "pages/confirm_email.html", {"token": token[:200]})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/confirm-email", response_class=HTMLResponse, dependencies=[Checked])
async def confirm(
    request: Request, db: SessionDep, settings: SettingsDep, me: MaybePeer, token: Token = ""
) -> Response:
    try:
        await addresses.confirm(db, settings=settings, token=token)
    except DomainError as error:
        return render(
            request,
            "pages/confirm_email.html",
            {"token": token, "errors": field_errors(error)},
            status_code=error.status,
            block="form",
        )
    return render(request, "pages/confirm_email.html", {"confirmed": True}, block="form")


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(request: Request, token: str) -> Response:
    return render(request, "pages/unsubscribe.html", {"token": token[:200]})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(
    request: Request, token: str, db: SessionDep, settings: SettingsDep
) -> Response:
    """One-click unsubscribe (RFC 8058): mail programs POST here without any cookie, so the
    link's own signature is the only check (no CSRF token)."""
    done = await preferences.unsubscribe(db, settings=settings, token=token[:200])
    return render(
        request,
        "pages/unsubscribe.html",
        {"token": token[:200], "done": done, "failed": not done},
        status_code=200 if done else 404,
    )


# ---- development only: what the local mail catcher caught ------------------------------------


def _caught_folder(settings: SettingsDep) -> Path:
    if not settings.mail_catcher or settings.environment != "development":
        raise NotFound("No such page.")
    return Path(settings.mail_catcher_dir)


@router.get("/dev/mail", response_class=HTMLResponse)
async def caught_mail(request: Request, settings: SettingsDep) -> Response:
    folder = _caught_folder(settings)
    response = render(request, "pages/dev_mail.html", {"caught": catcher.caught(folder)})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/dev/mail/{name}", response_class=HTMLResponse)
async def one_mail(request: Request, name: str, settings: SettingsDep) -> Response:
    message = catcher.read(_caught_folder(settings), name)
    if message is None:
        raise NotFound("No such e-mail.")
    text, _html = catcher.parts(message)
    headers = {k: str(message[k]) for k in ("From", "To", "Subject", "Date", "List-Unsubscribe")}
    response = render(request, "pages/dev_mail_one.html", {"headers": headers, "text": text})
    response.headers["Cache-Control"] = "no-store"
    return response
