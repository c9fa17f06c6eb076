"""examples/referral_client.py against a live server (uvicorn on 127.0.0.1 running the worker
in-process, RUN_WORKER=1, with the service's audience): it authenticates, registers an
endpoint on its own receiver, refers a person, and verifies the webhooks that arrive."""

import asyncio
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.main import create_app
from tests.clients.helpers import integrator
from tests.web.pages import csrf_token

EXAMPLE = Path(__file__).parents[2] / "examples" / "referral_client.py"


def _example():
    spec = importlib.util.spec_from_file_location("referral_client", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hooked_server(hook_settings) -> Iterator[str]:
    """The app with its worker, receivers on 127.0.0.1 allowed, on a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_app(hook_settings.model_copy(update={"run_worker": True}))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


async def test_the_example_authenticates_registers_refers_and_verifies_webhooks(
    client, db, settings, hooked_server
):
    example = _example()
    made = await integrator(client, db, settings)

    with socket.socket() as probe:  # a free port for the example's receiver
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/kindred/webhooks"
    with httpx.Client(base_url=hooked_server, timeout=10) as http:
        await asyncio.to_thread(example.authenticate, http, made.client_id, made.secret)
        endpoint = await asyncio.to_thread(example.register, http, url, ["referral.refused"])
        with example.receiving(endpoint["secret"], port) as (_port, arrived):
            sent = await asyncio.to_thread(
                http.post, f"/api/v1/webhooks/endpoints/{endpoint['id']}/test"
            )
            assert sent.status_code == 202, sent.text
            referral = await asyncio.to_thread(example.refer, http, "EXAMPLE-1")
            # The person says no thanks on their invite page: referral.refused.
            invite = httpx.URL(referral["invite_url"]).path
            page = await client.get(invite)
            no = await client.post(f"{invite}/refuse", data={"csrf_token": csrf_token(page.text)})
            assert no.status_code == 200, no.text
            events = [await asyncio.to_thread(arrived.get, timeout=20) for _ in range(2)]
    assert endpoint["secret"].startswith("whsec_") and referral["status"] == "invited"
    by_type = {e["type"]: e for e in events}
    assert set(by_type) == {"webhook.test", "referral.refused"}, events
    assert by_type["webhook.test"]["data"] == {"endpoint_id": endpoint["id"]}
    assert by_type["referral.refused"]["data"]["referral_id"] == referral["id"]
    assert by_type["referral.refused"]["data"]["status"] == "refused"
