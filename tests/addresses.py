"""Following the links Kindred e-mails, as a person would: read from the outgoing queue (the
same message the SMTP server would get), then used through the API."""

import json
import re

import httpx
from sqlalchemy import select

from api.crypto import unseal
from api.mail.models import MailOut

_LINK = re.compile(r"(/confirm-email|/reset-password)\?token=([A-Za-z0-9_\-]+)")


async def queued_texts(app, to: str) -> list[str]:
    """The plain-text parts of every e-mail queued to `to` and not yet sent, newest first."""
    settings = app.state.settings
    async with app.state.sessionmaker() as db:
        rows = (
            await db.execute(
                select(MailOut.id, MailOut.body_sealed)
                .where(MailOut.to_address == to)
                .order_by(MailOut.created_at.desc())
            )
        ).all()
    return [
        json.loads(unseal(settings, body, mail_id.bytes))["text"] for mail_id, body in rows if body
    ]


async def link_token(app, to: str, path: str = "/confirm-email") -> str:
    """The token of the newest link of this kind e-mailed to `to`."""
    for text in await queued_texts(app, to):
        for found_path, token in _LINK.findall(text):
            if found_path == path:
                return token
    raise AssertionError(f"no {path} link was e-mailed to {to}")


async def confirm_address(client: httpx.AsyncClient, email: str, app=None) -> None:
    """Follow the confirmation link sent to `email` (the app behind `client` by default)."""
    app = app or client._transport.app  # type: ignore[attr-defined]
    token = await link_token(app, email)
    response = await client.post("/api/v1/auth/email-confirmation", json={"token": token})
    assert response.status_code == 204, response.text


async def confirm_in_browser(page, base: str, app, email: str) -> None:
    """Open the confirmation link e-mailed to `email` in the browser and tap the button."""
    token = await link_token(app, email)
    await page.goto(f"{base}/confirm-email?token={token}")
    await page.get_by_role("button", name="Confirm my address").click()
    await page.get_by_text("your address is confirmed").wait_for()
