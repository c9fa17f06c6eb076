"""The PWA's pages and forms: signing up, logging in and out, what every page has."""

import re

import pytest
from sqlalchemy import select

from api.auth.models import AuthSession, User
from tests.personas import PASSWORD
from tests.web.pages import (
    CSRF,
    HTMX,
    SESSION,
    cookie_attributes,
    count,
    csrf_token,
    field_html,
    input_value,
    log_in,
    set_cookie,
    sign_up,
    token,
)

# Sign up ---------------------------------------------------------------------------------------


async def test_sign_up_works_without_javascript(client, db):
    page = await client.get("/signup")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csrf_cookie = set_cookie(page, CSRF)
    assert csrf_cookie, "the form page sets the CSRF cookie"
    assert {"httponly", "secure"} <= cookie_attributes(csrf_cookie).keys()
    assert cookie_attributes(csrf_cookie)["path"] == "/"

    response = await client.post(
        "/signup",
        data={
            "csrf_token": csrf_token(page.text),
            "display_name": "Sam",
            "email": "sam@example.org",
            "password": PASSWORD,
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    session_cookie = set_cookie(response, SESSION)
    assert session_cookie, "signing up logs you in"
    attributes = cookie_attributes(session_cookie)
    assert {"httponly", "secure"} <= attributes.keys()
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/"
    assert "domain" not in attributes  # required by the __Host- prefix
    user = await db.scalar(select(User).where(User.email == "sam@example.org"))
    assert user is not None and user.display_name == "Sam"
    home = await client.get("/")
    assert "Hello, Sam" in home.text


async def test_an_htmx_sign_up_is_told_where_to_go_next(client):
    response = await sign_up(client, htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/"
    assert set_cookie(response, SESSION)


async def test_a_form_without_the_right_csrf_token_is_refused_and_changes_nothing(
    client, other_client, db
):
    page = await client.get("/signup")
    form = {"display_name": "Sam", "email": "sam@example.org", "password": PASSWORD}
    theirs = csrf_token((await other_client.get("/signup")).text)

    for sent in ({}, {"csrf_token": "0" * 64}, {"csrf_token": theirs}):
        response = await client.post("/signup", data={**form, **sent})
        assert response.status_code == 403, sent
        assert response.headers["content-type"].startswith("text/html")
        assert "This page had expired" in response.text
        assert set_cookie(response, SESSION) is None
    # The right token without the cookie it belongs to is no good either.
    stranger = await other_client.post(
        "/signup", data={**form, "csrf_token": csrf_token(page.text)}
    )
    assert stranger.status_code == 403
    assert await count(db, User) == 0
    assert await count(db, AuthSession) == 0


async def test_a_form_sent_from_another_site_is_refused(client, db):
    page = await client.get("/signup")
    form = {
        "csrf_token": csrf_token(page.text),
        "display_name": "Sam",
        "email": "sam@example.org",
        "password": PASSWORD,
    }
    refused = await client.post("/signup", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert "another site" in refused.text
    assert await count(db, User) == 0
    accepted = await client.post("/signup", data=form, headers={"Sec-Fetch-Site": "same-origin"})
    assert accepted.status_code == 303


async def test_a_short_password_is_explained_next_to_it_and_the_rest_is_kept(client, db):
    response = await sign_up(client, name="Sam", email="sam@example.org", password="Pw#1x")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    password = field_html(response.text, "password")
    assert "Use at least 8 characters" in password
    assert 'aria-invalid="true"' in password
    assert input_value(response.text, "password") == ""
    assert "Pw#1x" not in response.text
    assert input_value(response.text, "display_name") == "Sam"
    assert input_value(response.text, "email") == "sam@example.org"
    assert "Use at least 8 characters" not in field_html(response.text, "email")
    assert await count(db, User) == 0


async def test_an_email_already_in_use_is_explained_and_the_form_kept(client, other_client, db):
    assert (await sign_up(client, name="Sam", email="sam@example.org")).status_code == 303

    response = await sign_up(other_client, name="Samantha", email="SAM@example.org")

    assert response.status_code == 409
    assert "already exists" in response.text
    assert 'role="alert"' in response.text
    assert input_value(response.text, "email") == "SAM@example.org"
    assert input_value(response.text, "display_name") == "Samantha"
    assert input_value(response.text, "password") == ""
    assert await count(db, User) == 1


async def test_an_htmx_form_error_swaps_only_the_form(client):
    response = await sign_up(client, password="Pw#1x", htmx=True)
    assert response.status_code == 422
    assert 'id="signup-form"' in response.text
    assert "<html" not in response.text and "<header" not in response.text
    assert "Use at least 8 characters" in response.text


# Log in and log out ----------------------------------------------------------------------------


async def test_a_wrong_password_is_explained_and_the_email_kept(client, other_client):
    await sign_up(client, email="sam@example.org")

    response = await log_in(other_client, "sam@example.org", "not the right password")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "That email and password don&#39;t match an account." in response.text
    assert input_value(response.text, "email") == "sam@example.org"
    assert "not the right password" not in response.text
    assert set_cookie(response, SESSION) is None
    again = await log_in(other_client, "sam@example.org")
    assert again.status_code == 303 and set_cookie(again, SESSION)


async def test_an_htmx_log_in_is_told_where_to_go_next(client, other_client):
    await sign_up(client, email="sam@example.org")
    response = await log_in(other_client, "sam@example.org", next_url="/support/offer", htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/support/offer"


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/support/offer", "/support/offer"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),  # browsers drop the tab: "//evil.example"
        ("javascript:alert(1)", "/"),
    ],
)
async def test_logging_in_returns_you_to_a_page_of_ours_only(
    client, other_client, next_url, lands_on
):
    await sign_up(client, email="sam@example.org")

    plain = await log_in(other_client, "sam@example.org", next_url=next_url)
    assert plain.status_code == 303
    assert plain.headers["location"] == lands_on

    other_client.cookies.delete(SESSION)
    htmx = await log_in(other_client, "sam@example.org", next_url=next_url, htmx=True)
    assert htmx.headers["hx-redirect"] == lands_on
    # Already logged in, the login page sends you on at once: to the same places only.
    page = await other_client.get("/login", params={"next": next_url})
    assert page.status_code == 303
    assert page.headers["location"] == lands_on


async def test_the_login_form_keeps_only_a_safe_next(client):
    page = await client.get("/login", params={"next": "//evil.example"})
    assert 'name="next" value="/"' in page.text


async def test_logging_out_ends_the_session_on_the_server(client, other_client, db):
    signed_up = await sign_up(client, email="sam@example.org")
    old_cookie = signed_up.cookies[SESSION]

    response = await client.post("/logout", data={"csrf_token": await token(client)})

    assert response.status_code == 303
    assert response.headers["location"] == "/login?bye=1"
    assert '"cookies"' in response.headers["clear-site-data"]
    removed = set_cookie(response, SESSION)
    assert removed and cookie_attributes(removed)["max-age"] == "0"
    db.expire_all()
    session = await db.scalar(select(AuthSession))
    assert session is not None and session.revoked_at is not None
    # Someone who kept a copy of the cookie gets nothing with it.
    headers = {"Cookie": f"{SESSION}={old_cookie}"}
    offer = await other_client.get("/support/offer", headers=headers)
    assert offer.status_code == 303
    assert offer.headers["location"].startswith("/login")
    home = await other_client.get("/", headers=headers)
    assert "Hello, Sam" not in home.text
    bye = await client.get("/login?bye=1")
    assert "You have logged out" in bye.text


async def test_logging_out_needs_the_csrf_token(client, db):
    await sign_up(client, email="sam@example.org")
    response = await client.post("/logout")
    assert response.status_code == 403
    assert (await client.get("/")).text.count("Hello, Sam") == 1
    assert (await db.scalar(select(AuthSession))).revoked_at is None


# Every page --------------------------------------------------------------------------------------


async def test_every_page_has_the_crisis_link_and_quick_exit_and_no_inline_code(client, settings):
    anonymous = ["/", "/login", "/signup", "/crisis", "/offline", "/no-such-page"]
    pages = [(path, await client.get(path)) for path in anonymous]
    await sign_up(client)
    logged_in = ["/", "/support/offer", "/crisis", "/coordinator/offers"]
    pages += [(path, await client.get(path)) for path in logged_in]

    for path, page in pages:
        html = page.text
        assert page.headers["content-type"].startswith("text/html"), path
        assert 'href="/crisis"' in html, path
        exit_link = re.search(r"<a [^>]*data-quick-exit[^>]*>", html)
        assert exit_link, path
        assert f'href="{settings.quick_exit_url}"' in exit_link.group(0), path
        assert 'hx-boost="false"' in exit_link.group(0), path
        # The CSP allows no inline styles or scripts: nothing on the page may need them.
        assert " style=" not in html, path
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert "hx-on" not in html, path
        assert "script-src 'self'" in page.headers["content-security-policy"], path


async def test_the_crisis_page_needs_no_login(client, settings):
    page = await client.get("/crisis")
    assert page.status_code == 200
    for resource in settings.crisis_resources:
        assert resource.name in page.text
    assert 'href="tel:116123"' in page.text


@pytest.mark.parametrize("path", ["/support/offer", "/coordinator/offers"])
async def test_pages_that_need_a_login_send_you_to_log_in_first(client, path):
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"
    htmx = await client.get(path, headers=HTMX)
    assert htmx.headers["hx-redirect"] == f"/login?next={path}"
    login_page = await client.get(response.headers["location"])
    assert f'name="next" value="{path}"' in login_page.text


async def test_an_unknown_page_is_a_readable_html_404(client):
    page = await client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    # One kind heading, said once (it used to read "Not found / Not Found").
    assert "<h1>We can't find that page</h1>" in page.text.replace("&#39;", "'")
    assert "Not Found" not in page.text and "Not found" not in page.text
    assert 'href="/"' in page.text
    api = await client.get("/api/v1/no-such-thing")
    assert api.headers["content-type"] == "application/problem+json"


async def test_crisis_numbers_are_a_tap_away_to_call_or_to_text(client):
    page = await client.get("/crisis")
    assert page.status_code == 200
    assert 'href="tel:116123"' in page.text and 'href="tel:999"' in page.text
    assert 'href="sms:85258?body=SHOUT">Text SHOUT to 85258</a>' in page.text
    offline = await client.get("/offline")
    assert 'href="sms:85258?body=SHOUT"' in offline.text
