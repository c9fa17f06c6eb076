"""A real SMTP server on 127.0.0.1 (aiosmtpd) for each test; the app's settings point at it."""

import socket
from collections.abc import Iterator

import pytest

from api.mail.catcher import Catcher, catching


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings, monkeypatch) -> Iterator[Catcher]:
    port = free_port()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    with catching("127.0.0.1", port) as catcher:
        yield catcher
