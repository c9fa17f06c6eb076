"""Who is using the PWA: the session cookie, and pages that need a login."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import service as auth
from api.auth.principal import Principal
from api.config import Settings
from api.contact import inbox
from api.db import SessionDep
from api.errors import Forbidden


def session_cookie_name(settings: Settings) -> str:
    return "__Host-kindred_session" if settings.cookie_secure else "kindred_session"


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


async def optional_principal(request: Request, db: SessionDep) -> Principal | None:
    settings = request.app.state.settings
    secret = request.cookies.get(session_cookie_name(settings))
    principal = (
        await auth.principal_from_cookie(db, settings=settings, secret=secret) if secret else None
    )
    request.state.principal = principal
    # The header's "Notices, 2 unread" on every page for someone signed in (a part of a page
    # that htmx swaps in has no header).
    request.state.unread_notices = (
        await inbox.unread_count(db, principal) if principal and _whole_page(request) else 0
    )
    return principal


def _whole_page(request: Request) -> bool:
    """Whether the page is shown whole, header and all (not a part htmx swaps in)."""
    headers = request.headers
    part = headers.get("hx-request") and not (
        headers.get("hx-boosted") or headers.get("hx-history-restore-request")
    )
    return not part


async def required_principal(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    if principal is None:
        raise LoginRequired(request.url.path)
    return principal


MaybePeer = Annotated[Principal | None, Depends(optional_principal)]
Peer = Annotated[Principal, Depends(required_principal)]


class SecondFactorFirst(Exception):
    """A staff member whose session hasn't proved a second factor asked for a staff page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


SET_UP_PAGE = "/account/second-factor"


async def staff_principal(request: Request, me: Peer) -> Principal:
    """A coordinator or administrator who signed in with their second factor; staff without
    one are sent to set it up, anyone else is refused."""
    if not me.is_staff:
        raise Forbidden("This page is for coordinators.")
    if not me.second_factor:
        raise SecondFactorFirst(request.url.path)
    return me


async def admin_principal(me: Annotated[Principal, Depends(staff_principal)]) -> Principal:
    if not me.is_admin:
        raise Forbidden("This page is for administrators.")
    return me


Staff = Annotated[Principal, Depends(staff_principal)]
Admin = Annotated[Principal, Depends(admin_principal)]


async def second_factor_first_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SecondFactorFirst)
    return redirect(request, f"{SET_UP_PAGE}?next={quote(exc.next_url)}")


async def login_required_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = f"/login?next={quote(exc.next_url)}"
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


# What Starlette's RedirectResponse leaves unescaped in a Location header.
_URL_SAFE = ":/%#?=@[]!$&'()*+,;"


def redirect(request: Request, url: str) -> Response:
    """After a form: a full page load for htmx, a 303 otherwise."""
    if request.headers.get("hx-request"):
        # Escaped like Location: a raw non-Latin-1 path can't go in a header at all.
        return Response(status_code=200, headers={"HX-Redirect": quote(url, safe=_URL_SAFE)})
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str:
    """Only local paths: never an open redirect."""
    # Browsers drop tabs and newlines from URLs, so "/\t/evil.example" means "//evil.example".
    if not url or not url.isprintable():
        return "/"
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"
