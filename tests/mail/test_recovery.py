"""Forgot my password, end to end through a real SMTP server on 127.0.0.1: the link works once,
for 30 minutes; a new password signs every session out and the person is told; an address
with no account gets the same answer and no e-mail; asks are limited per address and client."""

import statistics
import time

from sqlalchemy import update

from api.auth.email_models import EmailToken
from api.common import utcnow
from api.mail.catcher import parts
from tests.mail.helpers import RESET, deliver, to, token_in
from tests.personas import PASSWORD, peer

NEW_PASSWORD = "a quiet bench under the oak tree"
ASK = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"


async def test_a_forgotten_password_is_reset_by_a_link_that_works_once(client, app, smtp):
    sam = await peer(client, "sam")
    other_device = (
        await client.post("/api/v1/auth/token", data={"username": sam.email, "password": PASSWORD})
    ).json()

    asked = await client.post(ASK, json={"email": sam.email.upper()})
    assert asked.status_code == 202, asked.text
    assert smtp.messages == []  # nothing is sent in the request itself
    await deliver(app)
    [mail] = to(smtp, sam.email, RESET)
    assert "List-Unsubscribe" not in mail  # about the account itself: always sent
    text, html = parts(mail)
    assert "Hello Sam," in text and "30 minutes" in text and "<a href=" in html
    token = token_in(mail, "/reset-password")

    # The page the link opens asks for the new password.
    page = await client.get(f"/reset-password?token={token}")
    assert page.status_code == 200 and 'name="token"' in page.text

    # The same password rules as signing up; a refused password doesn't use the link up.
    weak = await client.post(CONFIRM, json={"token": token, "password": "password"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"

    done = await client.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    # Every session is signed out: this one and the other device's.
    assert (await client.get("/api/v1/me", headers=sam.headers)).status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
    )
    assert refreshed.status_code == 401
    old = await client.post(
        "/api/v1/auth/token", data={"username": sam.email, "password": PASSWORD}
    )
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/token", data={"username": sam.email, "password": NEW_PASSWORD}
    )
    assert new.status_code == 200

    # The link works once.
    again = await client.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD + "!"})
    assert again.status_code == 422
    assert "expired or was already used" in again.json()["detail"]

    # Sam is told by e-mail.
    await deliver(app)
    assert len(to(smtp, sam.email, "Your Kindred password was changed")) == 1


async def test_an_expired_link_is_refused(client, app, db, smtp):
    kim = await peer(client, "kim")
    assert (await client.post(ASK, json={"email": kim.email})).status_code == 202
    await deliver(app)
    token = token_in(to(smtp, kim.email, RESET)[-1], "/reset-password")
    # 31 minutes later.
    await db.execute(
        update(EmailToken).values(expires_at=utcnow().replace(microsecond=0) - _minute())
    )
    await db.commit()
    refused = await client.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "token"
    still = await client.post(
        "/api/v1/auth/token", data={"username": kim.email, "password": PASSWORD}
    )
    assert still.status_code == 200  # nothing changed


async def test_an_earlier_link_stops_working_when_a_new_one_is_sent(client, app, smtp):
    lee = await peer(client, "lee")
    for _ in range(2):
        assert (await client.post(ASK, json={"email": lee.email})).status_code == 202
    await deliver(app)
    first, second = (token_in(m, "/reset-password") for m in to(smtp, lee.email, RESET))
    assert (
        await client.post(CONFIRM, json={"token": first, "password": NEW_PASSWORD})
    ).status_code == 422
    assert (
        await client.post(CONFIRM, json={"token": second, "password": NEW_PASSWORD})
    ).status_code == 204


def _minute():
    from datetime import timedelta

    return timedelta(minutes=1)


def _shape(response) -> tuple:
    """What a client sees, less what differs on every call (the id, the quota left)."""
    headers = frozenset(response.headers)
    return response.status_code, response.text, headers


async def test_an_address_without_an_account_gets_the_same_answer_and_no_email(client, app, smtp):
    ana = await peer(client, "ana")
    nobody = "nobody-here@example.org"
    timings: dict[str, list[float]] = {ana.email: [], nobody: []}
    shapes: dict[str, set] = {ana.email: set(), nobody: set()}
    for _ in range(4):  # alternating, so both see the same machine
        for address in (ana.email, nobody):
            started = time.perf_counter()
            response = await client.post(ASK, json={"email": address})
            timings[address].append(time.perf_counter() - started)
            shapes[address].add(_shape(response))
    assert shapes[ana.email] == shapes[nobody] and len(shapes[nobody]) == 1
    # The same timing shape: no password hashing and no sending in either (the e-mail goes
    # from the job queue), so the medians are close: within 50 ms, or half the slower one on
    # a loaded machine (measured idle: ~15 ms each, a few ms apart).
    with_account = statistics.median(timings[ana.email])
    without = statistics.median(timings[nobody])
    print(
        f"median ask: with an account {with_account * 1000:.1f} ms, without {without * 1000:.1f} ms"
    )
    assert abs(with_account - without) < max(0.05, 0.5 * max(with_account, without))
    await deliver(app)
    assert to(smtp, nobody) == []
    assert all(nobody not in rcpt for rcpts in smtp.recipients for rcpt in rcpts)
    assert len(to(smtp, ana.email, RESET)) == 4


async def test_asking_is_limited_per_address_and_per_client(client, app, smtp):
    ray = await peer(client, "ray")
    answers = [(await client.post(ASK, json={"email": ray.email})).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    # The same for an address without an account: the limit doesn't tell them apart.
    ghost = [
        (await client.post(ASK, json={"email": "ghost@example.org"})).status_code for _ in range(6)
    ]
    assert ghost == [202] * 5 + [429]
    refused = await client.post(ASK, json={"email": ray.email})
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["content-type"].startswith("application/problem+json")
    await deliver(app)
    assert len(to(smtp, ray.email, RESET)) == 5


async def test_the_client_limit_holds_across_addresses(client, app, settings, monkeypatch, smtp):
    monkeypatch.setattr(settings, "login_max_failures_per_address", 3)
    answers = [
        (await client.post(ASK, json={"email": f"many-{i}@example.org"})).status_code
        for i in range(4)
    ]
    assert answers == [202, 202, 202, 429]
