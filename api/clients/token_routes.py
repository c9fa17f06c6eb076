"""The token endpoint, for both grants: people (password) and integrators' clients
(client_credentials). It lives here, above accounts, because it is the one place that knows
both kinds of caller."""

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request, Response
from fastapi.security.utils import get_authorization_scheme_param

from api.auth import service as auth
from api.auth.models import SessionKind
from api.auth.second_factor import COMPLETE_LOGIN
from api.clients import grant
from api.clients.schemas import TokenOut
from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import PROBLEM_MEDIA_TYPE, RATE_LIMITED, Problem

router = APIRouter(tags=["accounts"])

_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": grant.OAuthProblem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "invalid_request, unsupported_grant_type or invalid_scope",
    },
    401: {
        "model": grant.OAuthProblem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "invalid_client (with WWW-Authenticate: Basic), or a wrong password",
    },
    403: {
        "model": grant.SecondFactorProblem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "mfa_required: the password was right and the account has a second "
        "factor. The problem carries an `mfa_token` (valid `expires_in` seconds); POST it with "
        "a code from the authenticator app (or a recovery code) to `complete_at` "
        "(/api/v1/auth/second-factor) for the tokens. Or account-suspended: the password was "
        "right, but the account is suspended until a date (the detail says until when and why).",
    },
    429: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "Too many failed attempts; Retry-After says when to try again",
    },
}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-encoded first)."""
    scheme, param = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(param, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise grant.InvalidRequest("The Basic credentials can't be read.") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise grant.InvalidRequest("Basic credentials are client_id:client_secret.")
    return unquote_plus(client_id), unquote_plus(secret)


FormText = Annotated[str | None, Form(max_length=500)]


@router.post(
    "/auth/token",
    response_model=TokenOut,
    response_model_exclude_none=True,
    responses=_OAUTH_ERRORS,
    openapi_extra={
        RATE_LIMITED: True,
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "examples": {
                        "a person": {
                            "value": {
                                "grant_type": "password",
                                "username": "sam@example.org",
                                "password": "a calm walk by the river",
                            }
                        },
                        "an integrator": {
                            "value": {
                                "grant_type": "client_credentials",
                                "scope": "referrals:write referrals:read",
                            }
                        },
                    }
                }
            }
        },
    },
)
async def token(
    request: Request,
    response: Response,
    db: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[
        str | None,
        Form(max_length=40, description="`password` (the default) or `client_credentials`"),
    ] = None,
    username: Annotated[str | None, Form(max_length=320)] = None,
    password: Annotated[str | None, Form(max_length=128)] = None,
    scope: FormText = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenOut:
    """OAuth 2.0 token endpoint (form-encoded).

    - `grant_type=password` (people): `username` (email) and `password` give a 15-minute
      access token and a revocable refresh token. An account with a second factor (all
      staff) gets 403 `mfa_required` instead, with an `mfa_token`: POST it with a code from
      the authenticator app to `/api/v1/auth/second-factor` for the tokens.
    - `grant_type=client_credentials` (integrators, RFC 6749 §4.4): authenticate the client
      with HTTP Basic (`client_id:client_secret`) or the form's `client_id` and
      `client_secret` (not both); `scope` (space-separated) may narrow the client's scopes.
      The answer is a 15-minute access token carrying the scopes, and no refresh token.

    Unsuccessful attempts are limited per account and per address (RateLimit-Policy); a
    password grant's answer says what is left (RateLimit), and past the limit it is 429 with
    Retry-After. Errors are problem+json with RFC 6749's `error` and `error_description`."""
    response.headers["Pragma"] = "no-cache"
    if grant_type in (None, "password"):
        if not username or not password:
            raise grant.InvalidRequest("The password grant needs a username and a password.")
        address = client_address(request)
        login = await auth.log_in(
            db,
            settings=settings,
            email=username,
            password=password,
            address=address,
            kind=SessionKind.api,
        )
        if isinstance(login, auth.SecondFactorStep):
            raise grant.SecondFactorNeeded(login.mfa_token, login.expires_in, COMPLETE_LOGIN)
        response.headers.update(await auth.login_limits(db, settings=settings, address=address))
        return TokenOut(**auth.token_pair(settings, login).__dict__)
    if grant_type != "client_credentials":
        raise grant.UnsupportedGrantType(
            "Use grant_type=password (people) or grant_type=client_credentials (integrators)."
        )
    basic = _basic_credentials(request)
    if basic and (client_id or client_secret):
        raise grant.InvalidRequest(
            "Send the client's credentials one way: HTTP Basic or the form, not both."
        )
    found_id, found_secret = basic or (client_id, client_secret)
    if not found_id or not found_secret:
        raise grant.InvalidClient()
    issued = await grant.client_credentials(
        db,
        settings=settings,
        client_id=found_id,
        client_secret=found_secret,
        scope=scope,
        address=client_address(request),
    )
    return TokenOut(
        access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
    )
