import asyncio

from alembic import command
from tests.conftest import alembic_config


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_migrations_and_models_agree(database_url):
    # alembic check raises when autogenerate would find something to do.
    await asyncio.to_thread(command.check, alembic_config(database_url))


async def test_security_headers_on_api_pages_and_static_files(client):
    for path in ("/api/v1/crisis-resources", "/", "/static/css/app.css", "/nowhere"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert response.headers["x-request-id"]
    assert (await client.get("/api/v1/crisis-resources")).headers["cache-control"] == "no-store"


async def test_errors_are_problem_json_for_unknown_routes_and_methods(client):
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_method = await client.delete("/api/v1/crisis-resources")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["type"] == "/problems/method-not-allowed"


async def test_an_unexpected_failure_is_a_problem_not_a_stack_trace(app, settings):
    import httpx

    from api.main import create_app

    broken = create_app(settings)

    @broken.get("/api/v1/broken")
    async def explode() -> None:
        raise RuntimeError("secret detail that must not leak")

    transport = httpx.ASGITransport(app=broken, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        response = await c.get("/api/v1/broken")
    await broken.state.engine.dispose()
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret detail" not in response.text


async def test_crisis_resources_are_public(client):
    resources = (await client.get("/api/v1/crisis-resources")).json()
    assert resources and all(r["name"] for r in resources)
    assert any(r.get("phone") for r in resources)


async def test_openapi_documents_errors_as_problem_json(client):
    spec = (await client.get("/openapi.json")).json()
    signup = spec["paths"]["/api/v1/auth/signup"]["post"]["responses"]
    assert "application/problem+json" in signup["422"]["content"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
