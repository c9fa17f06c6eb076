from sqlalchemy import select

from api.auth.models import User
from tests.personas import PASSWORD

PROBLEM = "application/problem+json"


async def test_sign_up_creates_a_peer_and_stores_only_a_hash(client, db):
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": " Sam@Example.org ", "password": PASSWORD, "display_name": "Sam"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "sam@example.org"
    assert body["role"] == "peer" and body["is_supporter"] is False
    assert "password" not in response.text
    user = (await db.execute(select(User).where(User.email == "sam@example.org"))).scalar_one()
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_the_same_email_twice_is_a_conflict(client):
    payload = {"email": "sam@example.org", "password": PASSWORD, "display_name": "Sam"}
    assert (await client.post("/api/v1/auth/signup", json=payload)).status_code == 201
    again = await client.post("/api/v1/auth/signup", json={**payload, "email": "SAM@example.org"})
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["type"] == "/problems/conflict"


async def test_weak_passwords_are_refused_with_a_field_error_and_nothing_is_stored(client, db):
    cases = {
        "short": "Use at least 8 characters",
        "password1": "most common",
        "sam@example.org": "email or name",
    }
    for password, message in cases.items():
        response = await client.post(
            "/api/v1/auth/signup",
            json={"email": "sam@example.org", "password": password, "display_name": "Sam"},
        )
        assert response.status_code == 422, password
        assert response.headers["content-type"] == PROBLEM
        errors = response.json()["errors"]
        assert errors[0]["field"] == "password" and message in errors[0]["message"]
    assert (await db.execute(select(User))).first() is None


async def test_long_passphrases_without_composition_rules_are_accepted(client):
    phrase = "all lower case words are fine " * 2
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "a@example.org", "password": phrase, "display_name": "A"},
    )
    assert response.status_code == 201


async def test_missing_and_malformed_fields_are_listed(client):
    response = await client.post("/api/v1/auth/signup", json={"email": "not-an-email"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"password", "display_name"}
    bad_email = await client.post(
        "/api/v1/auth/signup", json={"email": "nope", "password": PASSWORD, "display_name": "N"}
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["errors"][0]["field"] == "email"


async def test_a_body_that_is_not_json_is_a_400_problem(client):
    response = await client.post(
        "/api/v1/auth/signup", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/bad-request"
