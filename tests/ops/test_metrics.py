"""GET /metrics: off unless enabled, never through the proxy, and never personal data."""

import uuid

import httpx
import pytest

from api.main import create_app
from tests.personas import peer


@pytest.fixture
async def metrics_client(app, settings):
    """The same app and database with METRICS_ENABLED set."""
    enabled = create_app(settings.model_copy(update={"metrics_enabled": True}), app.state.engine)
    transport = httpx.ASGITransport(app=enabled)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


async def test_off_by_default(client):
    assert (await client.get("/metrics")).status_code == 404


async def test_never_answered_through_the_proxy(metrics_client):
    response = await metrics_client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 404


async def test_requests_by_route_template_queue_and_index_without_personal_data(
    metrics_client,
):
    alice = await peer(metrics_client)
    someone_elses = uuid.uuid4()
    missing = await metrics_client.get(
        f"/api/v1/relationships/{someone_elses}", headers=alice.headers
    )
    assert missing.status_code == 404
    response = await metrics_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'kindred_http_requests_total{method="GET",route="/api/v1/relationships/{relationship_id}",'
        'status="404"}' in text
    )
    assert (
        'kindred_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/me"}'
        in text
    )
    for status in ("todo", "doing", "failed"):
        assert f'kindred_jobs{{status="{status}"}}' in text
    assert "kindred_matching_index_age_seconds" in text
    # Route templates only: no ids, no emails, no names, no tokens.
    for personal in (str(someone_elses), str(alice.id), alice.email, alice.access_token[:20]):
        assert personal not in text
