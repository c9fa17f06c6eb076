"""Pure ASGI middleware: request ids and access logs, security headers."""

import re
import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("kindred.access")
# Labelled by the route's template (never a URL: ids and tokens stay out), method and status.
REQUESTS = Counter("kindred_http_requests", "Requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "kindred_http_request_duration_seconds",
    "Time to answer a request, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give each request an id, log one line per request with the route template, not the URL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, template = scope["method"], route_template(scope)
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(seconds)
            log.info(
                "request",
                method=method,
                route=template,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")


def route_template(scope: Scope) -> str:
    """The path with its parameters as ``{name}``: ids and tokens never reach the log."""
    if "route" not in scope:
        return "unmatched"
    by_value = {str(v): k for k, v in scope.get("path_params", {}).items()}
    segments = scope["path"].split("/")
    return "/".join(f"{{{by_value[s]}}}" if s in by_value else s for s in segments)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI sets inline styles; only /docs gets that allowance.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = self.hsts or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra: dict[str, Any] = {
                    "content-security-policy": DOCS_CSP if path == "/docs" else CSP,
                    "x-content-type-options": "nosniff",
                    "referrer-policy": "no-referrer",
                    "x-frame-options": "DENY",
                    "cross-origin-opener-policy": "same-origin",
                    "permissions-policy": "camera=(), microphone=(), geolocation=()",
                }
                if https:
                    extra["strict-transport-security"] = "max-age=63072000; includeSubDomains"
                if b"cache-control" not in present:
                    cacheable = path.startswith("/static/")
                    extra["cache-control"] = "public, max-age=3600" if cacheable else "no-store"
                headers.extend((k.encode(), v.encode()) for k, v in extra.items())
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
