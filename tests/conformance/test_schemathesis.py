"""The API against its own OpenAPI document: schemathesis (`--checks all`) on a real uvicorn.

The database is seeded with the demo (relationships in every state); the run signs in as a
person in an active relationship, as a coordinator, as an integrator's client holding every
scope and as an administrator, and tries every operation the live document lists, so
operations added later are checked without touching this file. To check as another kind of
caller, add a principal to `_principals`.

Bounded and deterministic: a fixed seed, a few examples per operation, no stateful phase.
`make fuzz` runs the same with many more examples (FUZZ_EXAMPLES, FUZZ_SEED).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp
import pytest

from api import demo
from api.clients.scopes import SCOPES

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
SEED = int(os.environ.get("FUZZ_SEED", "1"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))  # make fuzz: 100
# Each principal's run may take this long (a longer run in `make fuzz` takes longer).
RUN_SECONDS = 300 * max(1, EXAMPLES // 3)

# Never run by the fuzzer: they would end the very session it is testing with (their own
# tests cover them: tests/auth, tests/safety/test_privacy.py).
EXCLUDED = ["logout_api_v1_auth_logout_post", "delete_my_account_api_v1_me_delete"]

# Schema-valid requests the domain may still refuse, each with a documented problem: a time
# zone that isn't a place, a date that has passed, a stale If-Match, an experience that
# doesn't exist. JSON Schema can't say these; 422/412 problem+json is the right answer.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "412", "422", "429"]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "DATA_ENCRYPTION_KEY": settings.data_encryption_key.get_secret_value(),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).with_name("uvicorn")),
        "--factory",
        "api.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    server = subprocess.Popen(  # noqa: S603 - our own server
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120  # importing the app takes 30 s+ on a busy 2-core machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                # The document is built on its first request: on a busy machine that takes
                # longer than schemathesis' own 10-second timeout for loading it.
                document = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=180)
                assert document.status_code == 200
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("uvicorn did not become ready")


# The demo staff's TOTP secrets (they sign in with a code, as every member of staff does).
STAFF_SECRETS: dict[str, str] = {}


def _token(base: str, email: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": email, "password": demo.DEMO_PASSWORD},
        timeout=10,
    )
    if email in STAFF_SECRETS:  # the password step, then the code an app would show
        assert answer.status_code == 403 and answer.json()["error"] == "mfa_required", answer.text
        answer = httpx.post(
            f"{base}/api/v1/auth/second-factor",
            json={
                "mfa_token": answer.json()["mfa_token"],
                "code": pyotp.TOTP(STAFF_SECRETS[email]).now(),
            },
            timeout=10,
        )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _warm_up(base: str, token: str) -> None:
    """Load the own-words model once, as a deployed server has after its first such write
    (the first load takes seconds; every request after it, milliseconds)."""
    headers = {"Authorization": f"Bearer {token}"}
    mine = httpx.get(f"{base}/api/v1/profile/experiences", headers=headers, timeout=60)
    assert mine.status_code == 200, mine.text
    kept = [
        {k: e[k] for k in ("tag_id", "stage", "willing_to_talk", "description")}
        for e in mine.json()
    ]
    again = httpx.put(f"{base}/api/v1/profile/experiences", json=kept, headers=headers, timeout=120)
    assert again.status_code == 200, again.text


def _integrator(base: str, admin: str, name: str) -> tuple[str, str]:
    """A client holding every scope, made by the administrator: (its id, its token)."""
    made = httpx.post(
        f"{base}/api/v1/admin/clients",
        json={"name": name, "scopes": list(SCOPES)},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    client_id, secret = made.json()["client_id"], made.json()["client_secret"]
    granted = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=10,
    )
    assert granted.status_code == 200, granted.text
    return client_id, str(granted.json()["access_token"])


async def _principals(base: str) -> list[tuple[str, str, dict[str, str], list[str]]]:
    """(name, token, path parameters to use, extra options) for each caller the run plays.

    The person tries every operation (those for staff and integrators answer 401/403, which
    is checked too); the coordinator, the integrator and the administrator each try their own,
    where a person only ever gets that 401/403. The administrator works on a client of its own
    (it may revoke it), not on the integrator's.
    """
    sam = _token(base, "sam@demo.kindred")
    _warm_up(base, sam)
    admin = _token(base, demo.ADMIN[0])
    _, integrator = _integrator(base, admin, "Fuzzing partner")
    managed, _ = _integrator(base, admin, "Client the administrator manages")
    return [
        ("person", sam, {}, []),
        (
            "coordinator",
            _token(base, demo.COORDINATOR[0]),
            {},
            ["--include-path-regex", "^/api/v1/coordination/"],
        ),
        (
            "integrator",
            integrator,
            {},
            ["--include-path-regex", "^/api/v1/(referrals|integrations/)"],
        ),
        (
            "administrator",
            admin,
            {"client_id": managed},
            ["--include-path-regex", "^/api/v1/admin/"],
        ),
    ]


def _run(
    base: str, name: str, token: str, parameters: dict[str, str], extra: list[str], out: Path
) -> str:
    config = out / f"{name}.toml"
    lines = [CONFIG]
    if parameters:
        lines += ["[parameters]", *(f'"{key}" = "{value}"' for key, value in parameters.items())]
    config.write_text("\n".join(lines) + "\n")
    command = [
        str(ST),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",  # one: two threads once broke inside hypothesis (schemathesis 4.32)
        "--generation-database",
        "none",
        "--request-timeout",
        "60",
        "-H",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-dir",
        str(out / name),
    ]
    for operation_id in EXCLUDED:
        command += ["--exclude-operation-id", operation_id]
    command += extra
    done = subprocess.run(  # noqa: S603 - our own tool
        command, cwd=out, capture_output=True, text=True, timeout=RUN_SECONDS, check=False
    )
    (out / f"{name}.txt").write_text(done.stdout)
    return done.stdout if done.returncode == 0 else f"FAILED ({name}):\n{done.stdout[-20000:]}"


@pytest.mark.skipif(shutil.which(str(ST)) is None, reason="schemathesis is not installed")
async def test_every_operation_keeps_to_its_openapi_document(app, db, settings, tmp_path):
    assert await demo.load(db, settings)
    await db.commit()
    STAFF_SECRETS.update(await demo.staff_secrets(db, settings))
    assert set(STAFF_SECRETS) == {demo.COORDINATOR[0], demo.ADMIN[0]}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(settings, port)
    try:
        results = [
            _run(base, name, token, parameters, extra, tmp_path)
            for name, token, parameters, extra in await _principals(base)
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    failed = [r for r in results if r.startswith("FAILED")]
    assert not failed, "\n\n".join(failed)
