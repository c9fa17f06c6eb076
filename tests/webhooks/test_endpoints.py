"""Endpoints through their domain functions: each client reaches only its own; secrets are
sealed at rest and rotate with an overlap; bad input is refused with a reason."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from api.common import utcnow
from api.errors import Invalid, NotFound
from api.webhooks import endpoints
from api.webhooks.models import WebhookSecret
from api.webhooks.signing import new_secret
from tests.webhooks.conftest import CLIENT_A, CLIENT_B

URL = "https://hooks.example.org/kindred"


async def test_a_client_creates_lists_changes_and_deletes_its_own_endpoints(sessions):
    async with sessions() as db:
        made = await endpoints.create_endpoint(
            db,
            client_id=CLIENT_A,
            url=URL,
            event_types=["relationship.ended", "introduction.created", "relationship.ended"],
            description="  CRM  ",
        )
        await endpoints.create_endpoint(
            db, client_id=CLIENT_B, url=URL, event_types=["session.held"]
        )
        await db.commit()
    endpoint = made.endpoint
    assert made.secret.startswith("whsec_") and len(made.secret) > 40
    assert endpoint.event_types == ["introduction.created", "relationship.ended"]
    assert endpoint.description == "CRM" and endpoint.enabled

    async with sessions() as db:
        mine = await endpoints.list_endpoints(db, client_id=CLIENT_A)
        assert [e.id for e in mine] == [endpoint.id]
        with pytest.raises(NotFound):
            await endpoints.get_endpoint(db, client_id=CLIENT_B, endpoint_id=endpoint.id)
        with pytest.raises(NotFound):
            await endpoints.update_endpoint(
                db, client_id=CLIENT_B, endpoint_id=endpoint.id, url=URL + "/b"
            )
        changed = await endpoints.update_endpoint(
            db, client_id=CLIENT_A, endpoint_id=endpoint.id, event_types=["session.held"]
        )
        assert changed.event_types == ["session.held"] and changed.url == URL
        off = await endpoints.update_endpoint(
            db, client_id=CLIENT_A, endpoint_id=endpoint.id, enabled=False
        )
        assert not off.enabled and off.disabled_reason == "Disabled by you."
        assert off.client_told_at is not None  # nothing to tell them: they did it
        on = await endpoints.update_endpoint(
            db, client_id=CLIENT_A, endpoint_id=endpoint.id, enabled=True
        )
        assert on.enabled and on.disabled_reason is None and on.disabled_at is None
        with pytest.raises(NotFound):
            await endpoints.delete_endpoint(db, client_id=CLIENT_B, endpoint_id=endpoint.id)
        await endpoints.delete_endpoint(db, client_id=CLIENT_A, endpoint_id=endpoint.id)
        await db.commit()
    async with sessions() as db:
        assert await endpoints.list_endpoints(db, client_id=CLIENT_A) == []
        assert len(await endpoints.list_endpoints(db, client_id=CLIENT_B)) == 1
        # The deleted endpoint's secret went with it.
        assert len((await db.scalars(select(WebhookSecret))).all()) == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"url": "ftp://hooks.example.org/x"}, "url", "http:// or https://"),
        ({"url": "file:///etc/passwd"}, "url", "http:// or https://"),
        ({"url": "https://user:pw@hooks.example.org/"}, "url", "credentials"),
        ({"url": "not a url"}, "url", "http:// or https://"),
        ({"url": "https://" + "a" * 2000 + ".org"}, "url", "under 2000"),
        ({"event_types": []}, "event_types", "at least one"),
        ({"event_types": ["message.sent"]}, "event_types", "Unknown event type 'message.sent'"),
        ({"description": "x" * 201}, "description", "under 200"),
        ({"secret": "sk_live_123"}, "secret", "starts with whsec_"),
        ({"secret": "whsec_c2hvcnQ="}, "secret", "24 to 64 bytes"),
        ({"secret": "whsec_!!!"}, "secret", "base64"),
    ],
)
async def test_bad_input_is_refused_with_the_field_and_a_reason(sessions, changes, field, words):
    arguments = {"url": URL, "event_types": ["session.held"], **changes}
    async with sessions() as db:
        with pytest.raises(Invalid) as refused:
            await endpoints.create_endpoint(db, client_id=CLIENT_A, **arguments)
        assert refused.value.errors and refused.value.errors[0].field == field
        assert words in refused.value.errors[0].message
        assert await endpoints.list_endpoints(db, client_id=CLIENT_A) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
async def test_private_addresses_are_refused_unless_the_deployment_allows_them(
    sessions, app, settings, url
):
    from api.db import create_sessionmaker

    strict = create_sessionmaker(app.state.engine, settings)  # the default: not allowed
    async with strict() as db:
        with pytest.raises(Invalid, match="public internet"):
            await endpoints.create_endpoint(
                db, client_id=CLIENT_A, url=url, event_types=["session.held"]
            )
    async with sessions() as db:  # tests and development may allow them
        made = await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url=url, event_types=["session.held"]
        )
        assert made.endpoint.url == url


async def test_secrets_are_sealed_at_rest_and_a_rotation_keeps_the_old_one_for_a_day(sessions):
    own = new_secret()
    async with sessions() as db:
        made = await endpoints.create_endpoint(
            db, client_id=CLIENT_A, url=URL, event_types=["session.held"], secret=own
        )
        await db.commit()
    assert made.secret == own
    endpoint_id = made.endpoint.id
    async with sessions() as db:
        raw = (await db.execute(text("SELECT secret_sealed FROM webhook_secret"))).scalar_one()
        assert own.encode() not in bytes(raw) and own[6:].encode() not in bytes(raw)
        assert await endpoints.signing_secrets(db, endpoint_id=endpoint_id) == [own]
        with pytest.raises(NotFound):
            await endpoints.rotate_secret(db, client_id=CLIENT_B, endpoint_id=endpoint_id)
        rotated = await endpoints.rotate_secret(db, client_id=CLIENT_A, endpoint_id=endpoint_id)
        await db.commit()
    assert rotated.secret != own
    expires = rotated.previous_expires_at
    assert expires is not None
    assert abs(expires - (utcnow() + timedelta(hours=24))) < timedelta(minutes=1)
    async with sessions() as db:
        # Both sign during the overlap, newest first; after it only the new one.
        both = await endpoints.signing_secrets(db, endpoint_id=endpoint_id)
        assert both == [rotated.secret, own]
        later = utcnow() + timedelta(hours=24, minutes=1)
        after = await endpoints.signing_secrets(db, endpoint_id=endpoint_id, now=later)
        assert after == [rotated.secret]
        # Rotating again shortens nothing already shorter and adds a third, briefly.
        again = await endpoints.rotate_secret(db, client_id=CLIENT_A, endpoint_id=endpoint_id)
        await db.commit()
        assert await endpoints.signing_secrets(db, endpoint_id=endpoint_id) == [
            again.secret,
            rotated.secret,
            own,
        ]
