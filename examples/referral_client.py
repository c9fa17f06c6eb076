"""A complete integrator, in one file: Kindred's referral API with webhooks.

It takes a token with the client credentials, starts a small receiver on this machine,
registers it as a webhook endpoint, refers a person, prints their invite link, and then
verifies and prints each webhook as it arrives (Ctrl-C to stop; the endpoint is removed).

    pip install httpx standardwebhooks
    python examples/referral_client.py --base-url https://kindred.example \\
        --client-id … --client-secret kcs_… --public-url https://hooks.you.example

Kindred only sends to public https:// URLs; `--public-url` is where your receiver (listening
on `--port`) can be reached from the internet, e.g. through a tunnel. A Kindred you run
yourself with WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true can send to http://127.0.0.1 directly.
See docs/integrations.md.
"""

import argparse
import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

EVENTS = [
    "referral.joined",
    "referral.refused",
    "referral.waiting",
    "referral.summary",
    "introduction.created",
    "relationship.active",
    "relationship.ended",
    "session.held",
]


def authenticate(http: httpx.Client, client_id: str, client_secret: str) -> None:
    """A client-credentials token (15 minutes), sent on every request from now on."""
    answer = http.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, client_secret),
    )
    answer.raise_for_status()
    http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"


def register(http: httpx.Client, url: str, events: list[str] = EVENTS) -> dict[str, Any]:
    """A webhook endpoint; the answer holds its whsec_ secret (shown only this once)."""
    answer = http.post(
        "/api/v1/webhooks/endpoints",
        json={"url": url, "event_types": events, "description": "examples/referral_client.py"},
    )
    answer.raise_for_status()
    return dict(answer.json())


def refer(http: httpx.Client, reference: str, email: str | None = None) -> dict[str, Any]:
    """Refer a person; the answer holds their invite link, to give them yourself."""
    body: dict[str, Any] = {"reference": reference}
    if email:
        body["email"] = email
    answer = http.post("/api/v1/referrals", json=body)
    answer.raise_for_status()
    return dict(answer.json())


@contextmanager
def receiving(secret: str, port: int = 0) -> Iterator[tuple[int, "queue.Queue[dict[str, Any]]"]]:
    """A receiver on `port` (0: any free one): it verifies each request's signature, answers
    204 at once, and puts each new event on the queue (a duplicate webhook-id is dropped)."""
    webhook = Webhook(secret)
    arrived: queue.Queue[dict[str, Any]] = queue.Queue()
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                event = webhook.verify(body, {k.lower(): v for k, v in self.headers.items()})
            except WebhookVerificationError:
                self.send_response(400)
                self.end_headers()
                return
            self.send_response(204)
            self.end_headers()
            webhook_id = self.headers["webhook-id"]
            if webhook_id not in seen:
                seen.add(webhook_id)
                arrived.put({"webhook_id": webhook_id, **event})

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], arrived
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="Kindred, e.g. https://kindred.example")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--port", type=int, default=8787, help="the receiver's local port")
    parser.add_argument("--public-url", help="where Kindred reaches the receiver")
    parser.add_argument("--reference", default="EXAMPLE-1", help="your reference for the person")
    parser.add_argument("--email", help="the person's e-mail (pre-fills their sign-up)")
    args = parser.parse_args(argv)

    with httpx.Client(base_url=args.base_url, timeout=10) as http:
        authenticate(http, args.client_id, args.client_secret)
        # The secret is only known once the endpoint exists, so the receiver starts after.
        url = args.public_url or f"http://127.0.0.1:{args.port}/kindred/webhooks"
        endpoint = register(http, url)
        print(f"Endpoint {endpoint['id']} registered for {url}")
        try:
            with receiving(endpoint["secret"], args.port) as (_port, arrived):
                referral = refer(http, args.reference, args.email)
                print(f"Referred {referral['reference']}: {referral['status']}")
                print(f"Give them this link: {referral['invite_url']}")
                print("Waiting for webhooks (Ctrl-C to stop)…")
                while True:
                    event = arrived.get()
                    print(json.dumps(event, indent=2))
        except KeyboardInterrupt:
            pass
        finally:
            http.delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
