"""The relationship home (next session, sessions held of agreed, the agreement in short, chat)
and the session pages: propose, confirm, another time, cancel, held or missed. Every page calls
the same services as /api/v1. New messages arrive without a reload: the chat log polls every
5 seconds (htmx) and gets 204 when nothing changed.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact import messages, rules, sessions
from api.contact.common import channel_words, local_text
from api.contact.rules import windows_text
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.relationships.lifecycle import describe_state
from api.relationships.review import review_due
from api.relationships.terms import RESPONSE_EXPECTATIONS, AgreementTerms
from api.safety import reports
from api.weekly.zones import clock_name
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
BASE = "/relationships/{relationship_id}"
DONE = {
    "proposed": "Proposed. We've let them know; it's confirmed once they agree.",
    "confirmed": "Confirmed. It's in your sessions, and in your calendar feed if you use one.",
    "cancelled": "Cancelled. We've let them know. No reason is needed.",
    "held": "Thank you: it counts as held.",
    "missed": "Noted as missed. That's all right: you can arrange another time.",
}


def home_url(relationship_id: UUID, done: str | None = None) -> str:
    return f"/relationships/{relationship_id}/home" + (f"?done={done}" if done else "")


def zone_label(tz: str) -> str:
    """A zone as people say it: "Europe/London" is "London time"."""
    return clock_name(tz)


def clock(tz: str) -> Callable[[datetime], str]:
    def clock(at: datetime) -> str:
        return local_text(at, tz)

    return clock


async def _chat_context(
    db: AsyncSession, settings: Settings, me: Principal, relationship_id: UUID, now: datetime
) -> dict[str, Any]:
    """What the chat log needs (all the 5-second poll reads)."""
    chat = await messages.conversation(
        db, me, settings=settings, relationship_id=relationship_id, now=now
    )
    contact = chat.contact
    theirs = [m for m in chat.messages if not m.mine]
    return {
        "rid": contact.id,
        "relationship": contact.relationship,
        "other": contact.pair.other,
        "tz": contact.my_tz,
        "zone_label": zone_label(contact.my_tz),
        "clock": clock(contact.my_tz),
        "chat": chat,
        "last_theirs": theirs[-1] if theirs else None,
        "polling": contact.relationship.state in ("active", "paused"),
        "night": not 6 <= now.astimezone(ZoneInfo(contact.my_tz)).hour < 22,
    }


def _in_short(terms: AgreementTerms | None, tz: str, now: datetime) -> list[tuple[str, str]]:
    """The agreement in four lines, contact times on the reader's clock."""
    if terms is None:
        return []
    return [
        ("When", windows_text(terms, tz, now.astimezone(ZoneInfo(tz)).date())),
        ("How", ", ".join(channel_words(c) for c in terms.channels).capitalize()),
        (
            "Sessions",
            f"{terms.session_minutes} minutes, at most {terms.max_sessions_per_week} a week",
        ),
        ("Replies to messages", RESPONSE_EXPECTATIONS[terms.response_expectation]),
    ]


async def home_context(
    db: AsyncSession, settings: Settings, me: Principal, relationship_id: UUID
) -> dict[str, Any]:
    now = utcnow()
    found = await sessions.sessions_of(db, me, relationship_id=relationship_id, now=now)
    contact = found.contact
    return {
        **await _chat_context(db, settings, me, relationship_id, now),
        "my_role": contact.pair.me.role,
        "state_text": describe_state(contact.relationship.state),
        "found": found,
        "counts": found.counts,
        "review": review_due(contact.relationship),
        "silence": await reports.silence(db, me, relationship_id=relationship_id, now=now),
        "summary": _in_short(contact.terms, contact.my_tz, now),
        "channel_words": channel_words,
        "can": rules.can,
        "now": now,
    }


@router.get(f"{BASE}/home", response_class=HTMLResponse)
async def home(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    done: str | None = None,
) -> Response:
    context = await home_context(db, settings, me, relationship_id)
    context["done"] = DONE.get(done or "")
    return render(request, "pages/relationship_home.html", context)


@router.get(f"{BASE}/home/chat", response_class=HTMLResponse)
async def chat_log(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    seen: str | None = None,
) -> Response:
    """The chat log alone, for the 5-second poll: 204 when nothing has changed. Opened
    directly (a bookmark, no JavaScript), it is the relationship home at its messages."""
    context = await _chat_context(db, settings, me, relationship_id, utcnow())
    if not request.headers.get("hx-request") or request.headers.get("hx-boosted"):
        return redirect(request, home_url(relationship_id) + "#chat")
    if seen and seen == context["chat"].fingerprint:
        return Response(status_code=204)
    return render(request, "pages/relationship_home.html", context, block="chat_log")


@router.post(f"{BASE}/chat", response_class=HTMLResponse, dependencies=[Checked])
async def send_message(
    request: Request,
    relationship_id: UUID,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    sent_text = None
    try:
        _, sent = await messages.send(
            db, me, settings=settings, relationship_id=relationship_id, body=body
        )
        sent_text = sent.delivery_text or "Sent."
    except DomainError as error:
        if error.status == 404:
            raise
        await db.rollback()
        errors = field_errors(error)
    if not request.headers.get("hx-request"):
        return redirect(request, home_url(relationship_id) + "#chat")
    context = await home_context(db, settings, me, relationship_id)
    context.update(errors=errors, sent_text=sent_text, draft=body if errors else "")
    return render(request, "pages/relationship_home.html", context, block="chat")


@router.post(f"{BASE}/chat/read", dependencies=[Checked])
async def read_messages(
    relationship_id: UUID, me: Peer, db: SessionDep, up_to: Annotated[str, Form()] = ""
) -> Response:
    until = None
    if up_to:
        try:
            until = datetime.fromisoformat(up_to)
        except ValueError:
            until = None
    await messages.mark_read(
        db, me, relationship_id=relationship_id, up_to=until if until and until.tzinfo else None
    )
    return Response(status_code=204)
