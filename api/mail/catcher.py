"""A development mail catcher: a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it
is sent, so the whole flow (sign up, confirm, forgot my password) works on one machine.

`make run` starts it in the app (``MAIL_CATCHER=1``, refused in production) and the PWA lists
what it caught at /dev/mail. Tests start their own and read ``messages``.
"""

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

_NAME = re.compile(r"^[0-9]{20}-[0-9a-f]{32}\.eml$")


class Catcher:
    """aiosmtpd's handler: every message accepted, kept in memory and (optionally) on disk."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        self.messages.append(as_message(raw))
        self.recipients.append(list(envelope.rcpt_tos))
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = f"{len(list(self.folder.glob('*.eml'))):020d}"
            (self.folder / f"{stamp}-{uuid.uuid4().hex}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"


def as_message(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@contextlib.contextmanager
def catching(host: str, port: int, folder: Path | None = None) -> Iterator[Catcher]:
    """Run a catcher on host:port (in a thread of its own) until the block ends."""
    # aiosmtpd logs every envelope (addresses included) at INFO: never personal data in logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    catcher = Catcher(folder)
    controller = Controller(catcher, hostname=host, port=port)
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()


@dataclass(frozen=True)
class Caught:
    name: str
    to: str
    subject: str
    date: str


def caught(folder: Path) -> list[Caught]:
    """What the catcher kept in `folder`, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = as_message(path.read_bytes())
        found.append(
            Caught(path.name, str(message["To"]), str(message["Subject"]), str(message["Date"]))
        )
    return found


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (
        text.get_content() if text is not None else "",
        html.get_content() if html is not None else "",
    )


def read(folder: Path, name: str) -> EmailMessage | None:
    """One caught message by its file name (None for any other name)."""
    if not _NAME.match(name):
        return None
    path = folder / name
    return as_message(path.read_bytes()) if path.is_file() else None
