"""The second factor in the PWA: the code after the password, and setting it up (staff
must, before any console page; peers may, from their account page)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import second_factor
from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import DomainError
from web.auth import MaybePeer, Peer, redirect, safe_next
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.account import start_session, step_cookie_name

router = APIRouter()

Code = Annotated[str, Form(max_length=40)]
Next = Annotated[str, Form(max_length=500)]


@router.get("/login/code", response_class=HTMLResponse)
async def code_page(
    request: Request, me: MaybePeer, settings: SettingsDep, next: str | None = None
) -> Response:
    if me is not None:
        return redirect(request, safe_next(next))
    if not request.cookies.get(step_cookie_name(settings)):
        return redirect(request, "/login")
    return render(request, "pages/login_code.html", {"next": safe_next(next)})


@router.post("/login/code", response_class=HTMLResponse, dependencies=[Checked])
async def enter_code(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    code: Code = "",
    next: Next = "/",
) -> Response:
    """The code from the app (or a recovery code) completes the login."""
    try:
        login = await second_factor.complete_login(
            db,
            settings=settings,
            mfa_token=request.cookies.get(step_cookie_name(settings), ""),
            code=code,
            address=client_address(request),
        )
    except second_factor.StepExpired:
        return redirect(request, "/login?expired=1")
    except DomainError as error:
        context = {"next": safe_next(next), "errors": field_errors(error)}
        page = render(
            request, "pages/login_code.html", context, status_code=error.status, block="form"
        )
        page.headers.update(error.headers)
        return page
    done = start_session(redirect(request, safe_next(next)), settings, login)
    done.delete_cookie(step_cookie_name(settings), path="/", secure=settings.cookie_secure)
    return done


async def _set_up_page(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    *,
    next_url: str,
    codes: list[str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "status": await second_factor.status(db, me),
        "enrolment": await second_factor.setting_up(db, me, settings=settings),
        "codes": codes,
        "next": next_url,
        "errors": errors or {},
        "done": request.query_params.get("done"),
    }
    return render(request, "pages/second_factor.html", context, status_code=status_code)


@router.get("/account/second-factor", response_class=HTMLResponse)
async def set_up_page(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep, next: str | None = None
) -> Response:
    return await _set_up_page(request, me, db, settings, next_url=safe_next(next))


def _back(next_url: str, extra: str = "") -> str:
    return f"/account/second-factor?next={quote(next_url)}{extra}"


@router.post("/account/second-factor/start", dependencies=[Checked])
async def start(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep, next: Next = "/"
) -> Response:
    try:
        await second_factor.start(db, me, settings=settings)
    except DomainError as error:
        return await _set_up_page(
            request,
            me,
            db,
            settings,
            next_url=safe_next(next),
            errors=field_errors(error),
            status_code=error.status,
        )
    return redirect(request, _back(safe_next(next)))


@router.post("/account/second-factor/confirm", response_class=HTMLResponse, dependencies=[Checked])
async def confirm(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    code: Code = "",
    next: Next = "/",
) -> Response:
    try:
        codes = await second_factor.confirm(
            db, me, settings=settings, code=code, address=client_address(request)
        )
    except DomainError as error:
        response = await _set_up_page(
            request,
            me,
            db,
            settings,
            next_url=safe_next(next),
            errors=field_errors(error),
            status_code=error.status,
        )
        response.headers.update(error.headers)
        return response
    response = await _set_up_page(request, me, db, settings, next_url=safe_next(next), codes=codes)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(
    "/account/second-factor/recovery-codes", response_class=HTMLResponse, dependencies=[Checked]
)
async def new_codes(request: Request, me: Peer, db: SessionDep, settings: SettingsDep) -> Response:
    try:
        codes = await second_factor.new_recovery_codes(db, me, settings=settings)
    except DomainError as error:
        return await _set_up_page(
            request,
            me,
            db,
            settings,
            next_url="/",
            errors=field_errors(error),
            status_code=error.status,
        )
    response = await _set_up_page(request, me, db, settings, next_url="/", codes=codes)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/second-factor/off", dependencies=[Checked])
async def turn_off(request: Request, me: Peer, db: SessionDep, settings: SettingsDep) -> Response:
    try:
        await second_factor.turn_off(db, me)
    except DomainError as error:
        return await _set_up_page(
            request,
            me,
            db,
            settings,
            next_url="/",
            errors=field_errors(error),
            status_code=error.status,
        )
    return redirect(request, _back("/", "&done=off"))
