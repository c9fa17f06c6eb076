"""The console's integrations page: administrators only; a secret shown once, to copy;
rotating and revoking from the page."""

import re

from tests.clients.helpers import admin, grant
from tests.personas import staff
from tests.web.pages import csrf_token, log_in


def _secret(html: str) -> str:
    match = re.search(r'id="issued-secret" type="text" readonly value="([^"]+)"', html)
    assert match, "no secret on the page"
    return match.group(1)


def _client_id(html: str) -> str:
    match = re.search(r'id="issued-client-id" type="text" readonly value="([^"]+)"', html)
    assert match
    return match.group(1)


async def test_only_administrators_see_the_integrations_page(client, db, settings):
    robin = await staff(client, db, settings)
    await log_in(client, robin.email)
    assert (await client.get("/coordinator/clients")).status_code == 403
    assert "/coordinator/clients" not in (await client.get("/coordinator")).text
    page = await client.get("/coordinator")
    refused = await client.post(
        "/coordinator/clients",
        data={"csrf_token": csrf_token(page.text), "name": "Sneaky", "scopes": ["stats:read"]},
    )
    assert refused.status_code == 403


async def test_create_rotate_and_revoke_from_the_page(client, db, settings):
    ada = await admin(client, db, settings)
    await log_in(client, ada.email)
    page = await client.get("/coordinator/clients")
    assert page.status_code == 200 and 'aria-current="page">Integrations' in page.text
    assert not re.search(r"<script(?![^>]*\ssrc=)", page.text) and " style=" not in page.text
    # A mistake is explained next to the field, with what was chosen kept.
    token = csrf_token(page.text)
    bad = await client.post(
        "/coordinator/clients", data={"csrf_token": token, "name": "", "scopes": ["stats:read"]}
    )
    assert bad.status_code == 422 and "Give the client a name" in bad.text
    assert 'value="stats:read" checked' in bad.text
    made = await client.post(
        "/coordinator/clients",
        data={
            "csrf_token": token,
            "name": "Riverside social prescribing",
            "scopes": ["referrals:write", "referrals:read"],
        },
    )
    assert made.status_code == 200
    assert "Copy the secret for Riverside social prescribing now" in made.text
    secret, client_id = _secret(made.text), _client_id(made.text)
    assert (await grant(client, client_id, secret)).status_code == 200
    # Shown once: the page never shows it again.
    again = await client.get("/coordinator/clients")
    assert secret not in again.text and f"…{secret[-4:]}" in again.text
    # A new secret, the old one kept for a day.
    rotated = await client.post(
        f"/coordinator/clients/{client_id}/rotate",
        data={"csrf_token": token, "overlap_hours": "24"},
    )
    assert rotated.status_code == 200
    new_secret = _secret(rotated.text)
    assert new_secret != secret and f"ending …{secret[-4:]}) keeps working until" in rotated.text
    assert (await grant(client, client_id, secret)).status_code == 200
    assert (await grant(client, client_id, new_secret)).status_code == 200
    # Revoked: both stop at once.
    revoked = await client.post(
        f"/coordinator/clients/{client_id}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    shown = await client.get(revoked.headers["location"])
    assert "Revoked. Its secrets and tokens stopped working" in shown.text
    assert "New secret for Riverside" not in shown.text
    for s in (secret, new_secret):
        assert (await grant(client, client_id, s)).status_code == 401
