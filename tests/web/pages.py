"""Helpers for driving the PWA like a browser without JavaScript (and like htmx)."""

import html
import re

import httpx
from sqlalchemy import func, select

from tests.personas import PASSWORD, totp_code

SESSION = "__Host-kindred_session"
CSRF = "__Host-kindred_csrf"
HTMX = {"HX-Request": "true"}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def set_cookie(response: httpx.Response, name: str) -> str | None:
    """The Set-Cookie header for ``name``, if the response sets it."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


def cookie_attributes(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")[1:]]
    return {k.lower(): v for k, _, v in (p.partition("=") for p in parts)}


def field_html(html: str, name: str) -> str:
    """The markup of one form field: its label, input and message."""
    match = re.search(rf'<div class="field[^"]*">\s*<label for="{name}">.*?</div>', html, re.S)
    assert match, f"no field {name!r} on the page"
    return match.group(0)


def input_value(html: str, name: str) -> str:
    match = re.search(rf'<input id="{name}" name="{name}"[^>]*?value="([^"]*)"', html, re.S)
    assert match, f"no input {name!r}"
    return match.group(1)


async def sign_up(
    client: httpx.AsyncClient,
    name: str = "Sam",
    email: str | None = None,
    password: str = PASSWORD,
    htmx: bool = False,
) -> httpx.Response:
    page = await client.get("/signup")
    form = {
        "csrf_token": csrf_token(page.text),
        "display_name": name,
        "email": email or f"{name.lower()}@example.org",
        "password": password,
    }
    return await client.post("/signup", data=form, headers=_htmx(page) if htmx else {})


def _htmx(page: httpx.Response) -> dict[str, str]:
    """What htmx sends: its header, and the CSRF token from the page's hx-headers."""
    return {**HTMX, "X-CSRF-Token": csrf_token(page.text)}


async def log_in(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    next_url: str = "/",
    htmx: bool = False,
) -> httpx.Response:
    page = await client.get("/login")
    form = {
        "csrf_token": csrf_token(page.text),
        "email": email,
        "password": password,
        "next": next_url,
    }
    answer = await client.post("/login", data=form, headers=_htmx(page) if htmx else {})
    return await code_step(client, answer, email, htmx=htmx)


async def code_step(
    client: httpx.AsyncClient, answer: httpx.Response, email: str, htmx: bool = False
) -> httpx.Response:
    """When the password's answer leads to the code page (staff, and peers who opted in),
    type the code the account's authenticator app would show; otherwise the answer as is."""
    target = answer.headers.get("HX-Redirect") or answer.headers.get("location") or ""
    if not target.startswith("/login/code"):
        return answer
    page = await client.get(target)
    assert page.status_code == 200, page.text
    next_url = re.search(r'name="next" value="([^"]*)"', page.text)
    form = {
        "csrf_token": csrf_token(page.text),
        "code": totp_code(email),
        "next": html.unescape(next_url.group(1)) if next_url else "/",
    }
    return await client.post("/login/code", data=form, headers=_htmx(page) if htmx else {})


async def token(client: httpx.AsyncClient, path: str = "/") -> str:
    return csrf_token((await client.get(path)).text)


async def count(db, model) -> int:
    return await db.scalar(select(func.count()).select_from(model))
