"""Sign up, log in, log out: forms that work without JavaScript, enhanced by htmx."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import service as auth
from api.auth.models import SessionKind
from api.config import Settings
from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import DomainError
from web.auth import MaybePeer, redirect, safe_next, session_cookie_name
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()


def start_session(response: Response, settings: Settings, login: auth.Login) -> Response:
    lifetime = auth.session_lifetime(settings, login.user.role, SessionKind.web)
    response.set_cookie(
        session_cookie_name(settings),
        login.secret,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    return response


def step_cookie_name(settings: Settings) -> str:
    return "__Host-kindred_step" if settings.cookie_secure else "kindred_step"


def code_page(next_url: str | None) -> str:
    return f"/login/code?next={quote(safe_next(next_url))}"


def start_step(response: Response, settings: Settings, step: auth.SecondFactorStep) -> Response:
    """Between the password and the code: the step's token in its own short-lived cookie."""
    response.set_cookie(
        step_cookie_name(settings),
        step.mfa_token,
        max_age=step.expires_in,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )
    return response


@router.get("/signup", response_class=HTMLResponse)
async def signup_page(request: Request, me: MaybePeer) -> Response:
    if me is not None:
        return redirect(request, "/")
    return render(request, "pages/signup.html", {"values": {}})


@router.post("/signup", response_class=HTMLResponse, dependencies=[Checked])
async def signup(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    display_name: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    values = {"email": email, "display_name": display_name}
    try:
        user = await auth.sign_up(
            db, settings=settings, email=email, password=password, display_name=display_name
        )
        login = await auth.open_session(db, settings, user, SessionKind.web)
    except DomainError as error:
        return render(
            request,
            "pages/signup.html",
            {"values": values, "errors": field_errors(error)},
            status_code=error.status,
            block="form",
        )
    return start_session(redirect(request, "/"), settings, login)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, me: MaybePeer, next: str | None = None) -> Response:
    if me is not None:
        return redirect(request, safe_next(next))
    return render(request, "pages/login.html", {"values": {}, "next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse, dependencies=[Checked])
async def login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        login = await auth.log_in(
            db,
            settings=settings,
            email=email,
            password=password,
            address=client_address(request),
            kind=SessionKind.web,
        )
    except DomainError as error:
        context = {
            "values": {"email": email},
            "errors": field_errors(error),
            "next": safe_next(next),
            "suspended": error.type == "account-suspended",  # may appeal: web/routes/moderation
        }
        response = render(
            request, "pages/login.html", context, status_code=error.status, block="form"
        )
        response.headers.update(error.headers)
        return response
    if isinstance(login, auth.SecondFactorStep):
        return start_step(redirect(request, code_page(next)), settings, login)
    return start_session(redirect(request, safe_next(next)), settings, login)


@router.post("/logout", dependencies=[Checked])
async def logout(
    request: Request, me: MaybePeer, db: SessionDep, settings: SettingsDep
) -> Response:
    if me is not None:
        await auth.log_out(db, session_id=me.session_id)
    response = redirect(request, "/login?bye=1")
    response.delete_cookie(session_cookie_name(settings), path="/", secure=settings.cookie_secure)
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response
