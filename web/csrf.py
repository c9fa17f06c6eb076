"""CSRF protection for the PWA: a random cookie, and a form/header token derived from it."""

import hmac
import secrets

from fastapi import Depends, Request

from api.auth.tokens import signing_key
from api.config import Settings
from api.errors import Forbidden

HEADER = "x-csrf-token"
FIELD = "csrf_token"


def cookie_name(settings: Settings) -> str:
    return "__Host-kindred_csrf" if settings.cookie_secure else "kindred_csrf"


def token_for(settings: Settings, cookie_value: str) -> str:
    return hmac.new(signing_key(settings, "csrf"), cookie_value.encode(), "sha256").hexdigest()


def current_cookie(request: Request) -> tuple[str, bool]:
    """This browser's CSRF cookie value, and whether it is new (to be set on the response)."""
    settings = request.app.state.settings
    value = request.cookies.get(cookie_name(settings))
    if value and 20 <= len(value) <= 100:
        return value, False
    cached = getattr(request.state, "new_csrf_cookie", None)
    if cached:
        return cached, True
    request.state.new_csrf_cookie = secrets.token_urlsafe(32)
    return request.state.new_csrf_cookie, True


async def verify_csrf(request: Request) -> None:
    """Refuse a state change without a matching token, or one sent from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("This form was sent from another site.")
    settings = request.app.state.settings
    cookie = request.cookies.get(cookie_name(settings))
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not cookie or not sent or not hmac.compare_digest(sent, token_for(settings, cookie)):
        raise Forbidden("This page had expired. Please go back, reload the page and try again.")


# Add to every state-changing PWA route: ``dependencies=[Checked]``.
Checked = Depends(verify_csrf)
