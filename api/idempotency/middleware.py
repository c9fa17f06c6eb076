"""``Idempotency-Key`` on every POST of the JSON API, as pure ASGI middleware.

Only a POST under /api/ that carries the header is touched; everything else (the PWA's
forms included) streams straight through. The key belongs to whoever is asking (a person or
an integrator), read from the bearer token; a request without a valid login is passed on
untouched (its answer is a 401, or a token the service must never keep). The request is
fingerprinted by method, path with query and body; see ``service`` for what happens next.
"""

import asyncio
import hashlib
import json

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import service as auth
from api.clients import grant
from api.clients import tokens as client_tokens
from api.config import Settings
from api.errors import PROBLEM_MEDIA_TYPE, Problem, Unauthorized
from api.handlers import REFUSED_BEFORE_ENDPOINT
from api.idempotency import service
from api.idempotency.service import Answer, Claimed, InFlight, Replay, Reused

log = structlog.get_logger("kindred.idempotency")

HEADER = b"idempotency-key"
REPLAYED = "Idempotent-Replayed"
# What a replay repeats of the first answer; per-request headers (ids, dates) are made anew.
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "location",
        "etag",
        "cache-control",
        "retry-after",
        "www-authenticate",
        "link",
        "content-language",
        "ratelimit",
        "ratelimit-policy",
    }
)
# Answers given before any endpoint ran: a retry with the same key must run afresh.
NOT_KEPT_STATUSES = frozenset({401, 405, 429})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not service.usable_key(key):
            await _problem(
                send,
                scope,
                400,
                "idempotency-key-invalid",
                "The Idempotency-Key could not be used",
                f"Send 1 to {service.MAX_KEY_LENGTH} visible ASCII characters (a UUID is ideal).",
            )
            return
        token = _bearer(headers.get(b"authorization", b""))
        if token is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away before sending its body
            return
        state = scope["app"].state
        sessionmaker: async_sessionmaker[AsyncSession] = state.sessionmaker
        settings: Settings = state.settings
        fingerprint = _fingerprint(scope, body)
        replay_receive = _replaying(body, receive)
        async with sessionmaker() as db:
            principal = await _principal(db, settings, token)
            if principal is None:  # the route answers 401 itself; nothing is kept
                claim: service.Claim | None = None
            else:
                claim = await service.claim(
                    db, settings=settings, principal=principal, key=key, fingerprint=fingerprint
                )
            await db.commit()
        if claim is None or principal is None:
            await self.app(scope, replay_receive, send)
            return
        if isinstance(claim, Replay):
            await _send_answer(send, claim.answer, replayed=True)
            return
        if isinstance(claim, Reused):
            await _problem(
                send,
                scope,
                422,
                "idempotency-key-reused",
                "That Idempotency-Key was used for another request",
                "Use a new key for a new request; reuse a key only to retry the same request.",
            )
            return
        if isinstance(claim, InFlight):
            await _problem(
                send,
                scope,
                409,
                "idempotency-key-in-flight",
                "The first request with that Idempotency-Key is still running",
                "Try again in a moment to get its answer.",
                retry_after=claim.retry_after_seconds,
            )
            return
        assert isinstance(claim, Claimed)
        await self._run(scope, replay_receive, send, sessionmaker, settings, principal, key)

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        principal: str,
        key: str,
    ) -> None:
        status: int | None = None
        kept: list[tuple[str, str]] = []
        parts: list[bytes] = []
        settled = False

        async def settle(answer: Answer | None) -> None:
            nonlocal settled
            if not settled:
                settled = True
                await asyncio.shield(_settle(sessionmaker, settings, principal, key, answer))

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.decode("latin-1").lower() in KEPT_HEADERS:
                        kept.append((name.decode("latin-1").lower(), value.decode("latin-1")))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                # Kept as soon as the answer is complete, before any background task runs.
                await settle(_answer(scope, status, kept, parts))

        try:
            await self.app(scope, receive, capture)
        except Exception:
            # The outermost handler turns this into the 500 problem; a retry replays it.
            await settle(_internal_error(scope))
            raise
        finally:
            await settle(_answer(scope, status, kept, parts))


def _answer(
    scope: Scope, status: int | None, kept: list[tuple[str, str]], parts: list[bytes]
) -> Answer | None:
    """What to keep: nothing when no answer was made or it came before the endpoint ran."""
    if status is None or _refused_early(scope, status):
        return None
    return Answer(status=status, headers=kept, body=b"".join(parts))


def _refused_early(scope: Scope, status: int) -> bool:
    return (
        bool(scope.get(REFUSED_BEFORE_ENDPOINT))
        or status in NOT_KEPT_STATUSES
        or "endpoint" not in scope
    )


async def _settle(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    principal: str,
    key: str,
    answer: Answer | None,
) -> None:
    try:
        async with sessionmaker() as db:
            if answer is None:
                await service.release(db, principal=principal, key=key)
            else:
                await service.finish(
                    db, settings=settings, principal=principal, key=key, answer=answer
                )
            await db.commit()
    except Exception as exc:  # the answer has gone out; the key then expires with its lock
        log.error("idempotency_store_failed", error=type(exc).__name__)


async def _principal(db: AsyncSession, settings: Settings, token: str) -> str | None:
    """Whose key this is: ``client:<id>`` for an integrator's token, ``user:<id>`` for a
    person's, None without a valid one."""
    if client_tokens.read(settings, token) is not None:
        try:
            client = await grant.client_principal(db, settings=settings, token=token)
        except Unauthorized:
            return None
        return f"client:{client.client_id}"
    try:
        me = await auth.principal_from_access_token(db, settings=settings, token=token)
    except Unauthorized:
        return None
    return f"user:{me.user_id}"


def _bearer(value: bytes) -> str | None:
    scheme, _, token = value.decode("latin-1").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def _read_body(receive: Receive) -> bytes | None:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the real channel."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _internal_error(scope: Scope) -> Answer:
    problem = Problem(
        type="/problems/internal",
        title="Something went wrong on our side",
        status=500,
        detail="It has been logged. Please try again in a moment.",
        instance=scope["path"],
    )
    body = json.dumps(problem.model_dump(exclude_none=True)).encode()
    return Answer(status=500, headers=[("content-type", PROBLEM_MEDIA_TYPE)], body=body)


async def _send_answer(send: Send, answer: Answer, *, replayed: bool) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    if replayed:
        headers.append((REPLAYED.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _problem(
    send: Send,
    scope: Scope,
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    retry_after: int | None = None,
) -> None:
    problem = Problem(
        type=f"/problems/{slug}", title=title, status=status, detail=detail, instance=scope["path"]
    )
    headers: list[tuple[str, str]] = [("content-type", PROBLEM_MEDIA_TYPE)]
    if retry_after is not None:
        headers.append(("retry-after", str(retry_after)))
    body = json.dumps(problem.model_dump(exclude_none=True)).encode()
    await _send_answer(send, Answer(status=status, headers=headers, body=body), replayed=False)
