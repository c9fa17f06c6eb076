"""The client-credentials grant (RFC 6749 §4.4) at the token endpoint: HTTP Basic or form
credentials, a 15-minute JWT with the scopes, RFC 6749's errors as problem+json, throttling
like the password grant, and people's and clients' tokens never taken for each other."""

import time

import jwt

from api.auth.tokens import signing_key
from tests.clients.helpers import basic, grant, integrator
from tests.personas import peer

TOKEN = "/api/v1/auth/token"


def _client_claims(settings, token: str) -> dict:
    return jwt.decode(
        token,
        signing_key(settings, "client-jwt"),
        algorithms=["HS256"],
        audience="kindred-integrations",
    )


async def test_basic_or_form_credentials_give_a_short_lived_token_with_the_scopes(
    client, db, settings
):
    made = await integrator(client, db, settings, scopes=["referrals:read", "stats:read"])
    by_basic = await grant(client, made.client_id, made.secret)
    by_form = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": made.client_id,
            "client_secret": made.secret,
        },
    )
    for response in (by_basic, by_form):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 900
        assert body["scope"] == "referrals:read stats:read"
        assert "refresh_token" not in body  # RFC 6749 §4.4.3
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"
        claims = _client_claims(settings, body["access_token"])
        assert claims["sub"] == made.client_id and claims["typ"] == "client"
        assert claims["exp"] - claims["iat"] == 900
        assert claims["scope"] == "referrals:read stats:read"


async def test_a_scope_narrows_the_token(client, db, settings):
    made = await integrator(client, db, settings, scopes=["referrals:read", "stats:read"])
    narrow = await grant(client, made.client_id, made.secret, scope="stats:read")
    assert narrow.status_code == 200 and narrow.json()["scope"] == "stats:read"
    headers = {"Authorization": f"Bearer {narrow.json()['access_token']}"}
    assert (await client.get("/api/v1/integrations/statistics", headers=headers)).status_code == 200
    refused = await client.get("/api/v1/referrals", headers=headers)
    assert refused.status_code == 403


async def test_rfc_6749_errors_as_problem_details(client, db, settings):
    made = await integrator(client, db, settings, scopes=["referrals:read"])
    cases = {
        "wrong secret": (
            await grant(client, made.client_id, made.secret + "x"),
            401,
            "invalid_client",
        ),
        "unknown client": (
            await grant(client, "00000000-0000-0000-0000-000000000000", made.secret),
            401,
            "invalid_client",
        ),
        "not an id at all": (await grant(client, "riverside", made.secret), 401, "invalid_client"),
        "no credentials": (
            await client.post(TOKEN, data={"grant_type": "client_credentials"}),
            401,
            "invalid_client",
        ),
        "both ways at once": (
            await client.post(
                TOKEN,
                data={"grant_type": "client_credentials", "client_id": made.client_id},
                headers=basic(made.client_id, made.secret),
            ),
            400,
            "invalid_request",
        ),
        "unreadable basic": (
            await client.post(
                TOKEN,
                data={"grant_type": "client_credentials"},
                headers={"Authorization": "Basic !!!"},
            ),
            400,
            "invalid_request",
        ),
        "scope it doesn't hold": (
            await grant(client, made.client_id, made.secret, scope="referrals:read stats:read"),
            400,
            "invalid_scope",
        ),
        "unknown grant": (
            await client.post(TOKEN, data={"grant_type": "authorization_code", "code": "x"}),
            400,
            "unsupported_grant_type",
        ),
        "password grant without a password": (
            await client.post(TOKEN, data={"username": "sam@example.org"}),
            400,
            "invalid_request",
        ),
    }
    for reason, (response, status, error) in cases.items():
        assert response.status_code == status, (reason, response.text)
        assert response.headers["content-type"] == "application/problem+json", reason
        body = response.json()
        assert body["error"] == error and body["status"] == status, reason
        assert body["error_description"] and body["title"], reason
        if error == "invalid_client":
            assert response.headers["www-authenticate"].startswith("Basic realm="), reason
    assert "stats:read" in cases["scope it doesn't hold"][0].json()["error_description"]


async def test_failed_client_logins_are_throttled_like_the_password_grant(client, db, settings):
    made = await integrator(client, db, settings, scopes=["referrals:read"])
    for _ in range(settings.login_max_failures_per_account):
        assert (await grant(client, made.client_id, "kcs_guess")).status_code == 401
    limited = await grant(client, made.client_id, made.secret)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["content-type"] == "application/problem+json"


async def test_the_password_grant_still_works_at_the_same_endpoint(client):
    sam = await peer(client, "sam")
    for form in (
        {"username": sam.email, "password": "a calm walk by the river"},
        {"grant_type": "password", "username": sam.email, "password": "a calm walk by the river"},
    ):
        response = await client.post(TOKEN, data=form)
        assert response.status_code == 200
        assert response.json()["refresh_token"] and "scope" not in response.json()


async def test_people_and_clients_tokens_are_never_taken_for_each_other(client, db, settings):
    made = await integrator(client, db, settings)
    sam = await peer(client, "sam")
    # A client's token where a person's is needed.
    for path in ("/api/v1/me", "/api/v1/profile", "/api/v1/relationships", "/api/v1/notices"):
        response = await client.get(path, headers=made.headers)
        assert response.status_code == 401, path
    # A person's token where a client's is needed.
    for path in ("/api/v1/referrals", "/api/v1/integrations/statistics"):
        response = await client.get(path, headers=sam.headers)
        assert response.status_code == 401, path
        assert response.json()["type"] == "/problems/invalid-token"
    # A person's claims signed with the client key, or a client's with the person key: no.
    person_claims = jwt.decode(
        sam.access_token, signing_key(settings, "jwt"), algorithms=["HS256"], audience="kindred-api"
    )
    client_claims = _client_claims(settings, made.token)
    forged = {
        "person claims, client key": jwt.encode(
            {**person_claims, "scope": "referrals:read", "aud": "kindred-integrations"},
            signing_key(settings, "client-jwt"),
            algorithm="HS256",
        ),
        "client claims, person key": jwt.encode(
            client_claims, signing_key(settings, "jwt"), algorithm="HS256"
        ),
        "client claims, person audience": jwt.encode(
            {**client_claims, "aud": "kindred-api"},
            signing_key(settings, "client-jwt"),
            algorithm="HS256",
        ),
        "expired": jwt.encode(
            {**client_claims, "exp": int(time.time()) - 60},
            signing_key(settings, "client-jwt"),
            algorithm="HS256",
        ),
        "no exp": jwt.encode(
            {k: v for k, v in client_claims.items() if k != "exp"},
            signing_key(settings, "client-jwt"),
            algorithm="HS256",
        ),
        "alg none": jwt.encode(client_claims, None, algorithm="none"),
    }
    for reason, token in forged.items():
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/referrals", headers=headers)).status_code == 401, reason
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 401, reason
