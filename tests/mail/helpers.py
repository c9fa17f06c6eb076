"""Running the job queue's sweep as a worker would, and reading what the SMTP server got."""

import re
from email.message import EmailMessage

from api.mail.catcher import Catcher, parts
from api.tasks.notices import deliver_due

LINK = re.compile(r"https?://[^\s]+?(/confirm-email|/reset-password)\?token=([A-Za-z0-9_\-]+)")


async def deliver(app) -> tuple[int, int]:
    """One sweep of the queue's notices job: (pushes, e-mails) sent."""
    return await deliver_due(app.state.sessionmaker, settings=app.state.settings)


def to(catcher: Catcher, address: str, subject: str | None = None) -> list[EmailMessage]:
    """What reached `address` (with this subject), oldest first."""
    return [
        m
        for m in catcher.messages
        if address in str(m["To"]) and (subject is None or m["Subject"] == subject)
    ]


RESET = "Reset your Kindred password"
CONFIRM = "Please confirm your e-mail address for Kindred"


def token_in(message: EmailMessage, path: str) -> str:
    text, html = parts(message)
    found = [token for p, token in LINK.findall(text) if p == path]
    assert found, text
    assert found[0] in html  # the same link in both parts
    return found[0]


async def unconfirmed_peer(client, name: str):
    """A person who signed up and has not followed the link yet."""
    from uuid import UUID

    from tests.personas import PASSWORD, Person, token_for

    email = f"{name}.unconfirmed@example.org"
    made = await client.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "display_name": name.title()},
    )
    assert made.status_code == 201, made.text
    tokens = await token_for(client, email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return Person(
        name=name,
        email=email,
        id=UUID(made.json()["id"]),
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        headers=headers,
    )
