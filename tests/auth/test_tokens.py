import asyncio
import time
from datetime import timedelta

import jwt

from api.auth.tokens import LEEWAY_SECONDS, signing_key
from api.common import utcnow
from tests.personas import PASSWORD, peer, token_for


async def test_token_gives_a_short_lived_jwt_with_the_required_claims(client, settings):
    alice = await peer(client, "alice")
    claims = _claims(settings, alice.access_token)
    assert {"exp", "iat", "sub", "jti", "sid", "aud", "iss", "typ"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 15 * 60
    me = await client.get("/api/v1/me", headers=alice.headers)
    assert me.status_code == 200 and me.json()["id"] == claims["sub"]


async def test_wrong_password_is_a_401_problem_that_does_not_say_which_part_was_wrong(client):
    alice = await peer(client, "alice")
    wrong = await client.post(
        "/api/v1/auth/token", data={"username": alice.email, "password": "x" * 12}
    )
    unknown = await client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.org", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"


def _claims(settings, token: str) -> dict:
    """A token's claims, verified as the app verifies them."""
    return jwt.decode(
        token, signing_key(settings, "jwt"), algorithms=["HS256"], audience="kindred-api"
    )


def _forge(settings, alice_claims: dict, **changes) -> str:
    claims = {**alice_claims, **changes}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, signing_key(settings, "jwt"), algorithm="HS256")


async def test_tampered_or_incomplete_tokens_are_refused(client, settings):
    alice = await peer(client, "alice")
    good = _claims(settings, alice.access_token)
    forged = {
        "no exp": _forge(settings, good, exp=None),
        "expired": _forge(settings, good, exp=utcnow() - timedelta(minutes=1)),
        "other audience": _forge(settings, good, aud="someone-else"),
        "refresh type": _forge(settings, good, typ="refresh"),
        "no session": _forge(settings, good, sid=None),
        "other key": jwt.encode(
            good, "another-secret-key-of-enough-length-000000", algorithm="HS256"
        ),
        "alg none": jwt.encode(good, None, algorithm="none"),
        "garbage": "not.a.token",
    }
    for reason, token in forged.items():
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, reason
        assert response.headers["www-authenticate"] == "Bearer"


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client):
    alice = await peer(client, "alice")
    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != alice.refresh_token
    # The old refresh token presented again: someone copied it. Everything from it stops.
    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert reuse.status_code == 401
    assert reuse.json()["type"] == "/problems/refresh-reused"
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert again.status_code == 401
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}
    )
    assert me.status_code == 401


async def test_logout_kills_the_access_and_refresh_tokens_server_side(client):
    alice = await peer(client, "alice")
    other_device = await token_for(client, alice.email)
    assert (await client.post("/api/v1/auth/logout", headers=alice.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert refresh.status_code == 401
    # Only that session ended: the other device is still logged in.
    other = {"Authorization": f"Bearer {other_device['access_token']}"}
    assert (await client.get("/api/v1/me", headers=other)).status_code == 200


async def test_each_login_is_a_new_session(client, settings):
    alice = await peer(client, "alice")
    again = await token_for(client, alice.email)
    sid = lambda t: jwt.decode(t, options={"verify_signature": False})["sid"]  # noqa: E731
    assert sid(again["access_token"]) != sid(alice.access_token)


async def test_a_token_that_worked_is_refused_once_it_expires(client, settings):
    # Good tokens are verified once per process and remembered; expiry is checked every time.
    alice = await peer(client, "alice")
    good = _claims(settings, alice.access_token)
    short = _forge(settings, good, exp=int(time.time()) + 2)
    headers = {"Authorization": f"Bearer {short}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    await asyncio.sleep(2 + LEEWAY_SECONDS + 0.5)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
