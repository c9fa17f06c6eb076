"""A real webhook receiver on 127.0.0.1, in a thread: each path answers from its own script
(the last answer repeats) and every arrival is recorded with its headers, body and time."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Arrival:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self, secret: str) -> dict:
        """The payload, if the signature verifies with `secret` (raises otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    def __init__(self) -> None:
        self.scripts: dict[str, list[Answer]] = {}
        self.arrivals: list[Arrival] = []
        self.lock = threading.Lock()
        self.in_flight: dict[tuple[str, str], int] = {}
        self.overlaps = 0
        self.base = ""

    def script(self, path: str, *answers: Answer) -> str:
        self.scripts[path] = list(answers) or [Answer()]
        return self.base + path

    def at(self, path: str) -> list[Arrival]:
        with self.lock:
            return [a for a in self.arrivals if a.path == path]

    def _answer(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        key = (path, headers.get("webhook-id", ""))
        with self.lock:
            self.arrivals.append(Arrival(path, headers, body, time.monotonic()))
            self.in_flight[key] = self.in_flight.get(key, 0) + 1
            if self.in_flight[key] > 1:
                self.overlaps += 1
            script = self.scripts.get(path, [Answer(404)])
            answer = script.pop(0) if len(script) > 1 else script[0]
        time.sleep(answer.delay)
        with self.lock:
            self.in_flight[key] -= 1
        return answer


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = receiver._answer(self.path, headers, body)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
