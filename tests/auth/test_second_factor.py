"""The second factor through the API: staff reach nothing of the console without it; setting
it up; the code step of a login (its token is no access token); recovery codes once each;
wrong codes throttled; peers may opt in and out, staff may not opt out."""

from datetime import timedelta

from sqlalchemy import func, select, update

from api.auth.models import AuthSession, RecoveryCode, Role, SecondFactor
from api.common import utcnow
from tests.personas import PASSWORD, enrol, peer, staff, token_for, totp_code

ME = "/api/v1/me/second-factor"
STEP = "/api/v1/auth/second-factor"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def password_step(client, email: str) -> dict:
    answer = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["error"] == "mfa_required" and body["complete_at"] == STEP
    assert "access_token" not in body and "refresh_token" not in body
    return body


async def test_a_staff_session_without_a_second_factor_reaches_no_console_endpoint(
    client, db, settings
):
    robin = await staff(client, db, settings, second_factor=False)
    ada = await staff(client, db, settings, role=Role.admin, name="ada", second_factor=False)
    for who, path in (
        (robin, "/api/v1/coordination/concerns"),
        (robin, "/api/v1/coordination/today"),
        (ada, "/api/v1/admin/audit-log"),
        (ada, "/api/v1/coordination/supporters"),
    ):
        refused = await client.get(path, headers=who.headers)
        assert refused.status_code == 403, (path, refused.text)
        problem = refused.json()
        assert problem["type"] == "/problems/second-factor-required"
        assert problem["title"] == "Set up your second factor first"
        assert "/api/v1/me/second-factor" in problem["detail"]
    # A peer is refused as a peer, not asked for a second factor.
    alice = await peer(client)
    refused = await client.get("/api/v1/coordination/concerns", headers=alice.headers)
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/forbidden"
    # Setting it up makes this very session a verified one: the console answers.
    await enrol(client, robin)
    assert (
        await client.get("/api/v1/coordination/concerns", headers=robin.headers)
    ).status_code == 200


async def test_a_wrong_code_at_set_up_fails_and_changes_nothing(client, db, settings):
    robin = await staff(client, db, settings, second_factor=False)
    started = await client.post(ME, headers=robin.headers)
    assert started.status_code == 201, started.text
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/")
    assert started.json()["qr_svg"].startswith("data:image/svg+xml")
    secret = started.json()["secret"]
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for bad in (wrong, "12345x", "000000000"):
        refused = await client.post(f"{ME}/confirm", json={"code": bad}, headers=robin.headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"] == "/problems/wrong-code"
    factor = await db.get(SecondFactor, robin.id)
    await db.refresh(factor)
    assert factor.confirmed_at is None
    assert await db.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    sessions = (await db.scalars(select(AuthSession.second_factor_at))).all()
    assert sessions == [None]
    status = (await client.get(ME, headers=robin.headers)).json()
    assert status["enabled"] is False and status["setting_up"] is True and status["required"]
    assert (
        await client.get("/api/v1/coordination/concerns", headers=robin.headers)
    ).status_code == 403
    # The right code still works afterwards.
    done = await client.post(f"{ME}/confirm", json={"code": right}, headers=robin.headers)
    assert done.status_code == 200, done.text
    assert len(set(done.json()["recovery_codes"])) == 10
    stored = (await db.scalars(select(RecoveryCode.code_hash))).all()
    assert not set(done.json()["recovery_codes"]) & set(stored)  # only hashes are kept
    sealed = (await db.scalars(select(SecondFactor.secret_sealed))).all()
    assert secret.encode() not in b"".join(sealed)


async def test_login_needs_the_code_and_its_step_token_is_no_access_token(client, db, settings):
    robin = await staff(client, db, settings)
    step = await password_step(client, robin.email)
    token = step["mfa_token"]
    for path in ("/api/v1/me", "/api/v1/coordination/concerns", ME):
        assert (await client.get(path, headers=bearer(token))).status_code == 401, path
    as_refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert as_refresh.status_code in (401, 422)  # no refresh token either (and too long)
    forged = await client.post(STEP, json={"mfa_token": robin.access_token, "code": "123456"})
    assert forged.status_code == 401  # an access token is no step token either
    assert forged.json()["type"] == "/problems/second-factor-step-expired"
    code = totp_code(robin.email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = await client.post(STEP, json={"mfa_token": token, "code": wrong})
    assert refused.status_code == 422 and refused.json()["type"] == "/problems/wrong-code"
    done = await client.post(STEP, json={"mfa_token": token, "code": code})
    assert done.status_code == 200, done.text
    tokens = done.json()
    assert (
        await client.get("/api/v1/coordination/concerns", headers=bearer(tokens["access_token"]))
    ).status_code == 200
    # The same code is never taken twice (RFC 6238 §5.2), even with a fresh step token.
    again = await password_step(client, robin.email)
    replay = await client.post(STEP, json={"mfa_token": again["mfa_token"], "code": code})
    assert replay.status_code == 422
    # A refreshed session stays verified.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert (
        await client.get(
            "/api/v1/coordination/concerns", headers=bearer(refreshed.json()["access_token"])
        )
    ).status_code == 200


async def test_a_recovery_code_works_once_and_new_ones_void_the_old(client, db, settings):
    robin = await staff(client, db, settings)
    first, second = robin.recovery_codes[:2]
    step = await password_step(client, robin.email)
    used = await client.post(STEP, json={"mfa_token": step["mfa_token"], "code": first.upper()})
    assert used.status_code == 200, used.text
    step = await password_step(client, robin.email)
    again = await client.post(STEP, json={"mfa_token": step["mfa_token"], "code": first})
    assert again.status_code == 422
    status = (await client.get(ME, headers=robin.headers)).json()
    assert status["recovery_codes_left"] == 9
    fresh = await client.post(f"{ME}/recovery-codes", headers=robin.headers)
    assert fresh.status_code == 200 and len(fresh.json()["recovery_codes"]) == 10
    old = await client.post(STEP, json={"mfa_token": step["mfa_token"], "code": second})
    assert old.status_code == 422
    new = await client.post(
        STEP, json={"mfa_token": step["mfa_token"], "code": fresh.json()["recovery_codes"][0]}
    )
    assert new.status_code == 200


async def test_wrong_codes_are_limited_like_wrong_passwords(client, db, settings):
    robin = await staff(client, db, settings)
    step = await password_step(client, robin.email)
    for _ in range(settings.login_max_failures_per_account):
        refused = await client.post(STEP, json={"mfa_token": step["mfa_token"], "code": "000000"})
        assert refused.status_code == 422
        assert "RateLimit" in refused.headers
    blocked = await client.post(
        STEP, json={"mfa_token": step["mfa_token"], "code": totp_code(robin.email)}
    )
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers


async def test_staff_sessions_end_sooner_than_peers(client, db, settings):
    robin = await staff(client, db, settings)
    alice = await peer(client)
    long_ago = utcnow() - timedelta(hours=settings.staff_session_absolute_hours, minutes=1)
    await db.execute(update(AuthSession).values(created_at=long_ago))
    await db.commit()
    assert (await client.get("/api/v1/me", headers=robin.headers)).status_code == 401
    assert (await client.get("/api/v1/me", headers=alice.headers)).status_code == 200
    # Idle: a staff member's refresh token stops working after the short idle time.
    tokens = await token_for(client, robin.email)
    idle = utcnow() - timedelta(minutes=settings.staff_session_idle_minutes + 1)
    await db.execute(
        update(AuthSession)
        .where(AuthSession.second_factor_at.is_not(None), AuthSession.created_at > long_ago)
        .values(last_used_at=idle)
    )
    await db.commit()
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    peer_tokens = await token_for(client, alice.email)
    await db.execute(update(AuthSession).values(last_used_at=idle))
    await db.commit()
    assert (
        await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": peer_tokens["refresh_token"]}
        )
    ).status_code == 200
    # And a staff session is made no longer than the staff's absolute time.
    session = await db.scalar(select(AuthSession).where(AuthSession.created_at > long_ago).limit(1))
    assert session is not None


async def test_peers_may_opt_in_and_out_staff_may_not_opt_out(client, db, settings):
    alice = await peer(client)
    status = (await client.get(ME, headers=alice.headers)).json()
    assert status == {
        "enabled": False,
        "confirmed_at": None,
        "setting_up": False,
        "recovery_codes_left": 0,
        "required": False,
    }
    await enrol(client, alice)
    await password_step(client, alice.email)  # her login asks for a code now
    off = await client.delete(ME, headers=alice.headers)
    assert off.status_code == 204, off.text
    assert (
        await client.post(
            "/api/v1/auth/token", data={"username": alice.email, "password": PASSWORD}
        )
    ).status_code == 200
    robin = await staff(client, db, settings)
    kept = await client.delete(ME, headers=robin.headers)
    assert kept.status_code == 409
    assert await db.get(SecondFactor, robin.id) is not None
    again = await client.post(ME, headers=robin.headers)
    assert again.status_code == 409  # set up already: starting again would replace it


async def test_a_staff_members_app_session_ends_after_the_short_idle_time(client, db, settings):
    from tests.web.pages import log_in

    robin = await staff(client, db, settings)
    assert (await log_in(client, robin.email)).status_code == 303
    assert (await client.get("/coordinator")).status_code == 200
    idle = utcnow() - timedelta(minutes=settings.staff_session_idle_minutes + 1)
    await db.execute(update(AuthSession).where(AuthSession.kind == "web").values(last_used_at=idle))
    await db.commit()
    for _ in range(2):  # and stays ended
        ended = await client.get("/coordinator")
        assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
