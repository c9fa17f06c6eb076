"""The OpenAPI document, made to tell the truth about conventions FastAPI can't see.

Every error is problem+json with an example; every POST takes an ``Idempotency-Key`` (and can
answer 409 while the first request with it is running); ``If-Match`` is required wherever a
428 follows without it; rate-limited operations (marked ``x-rate-limited`` on the route)
document 429 with ``Retry-After`` and the RateLimit header fields; each page of a list has an
example built from its items' example.
"""

from typing import Any

from api.errors import PROBLEM_MEDIA_TYPE, RATE_LIMITED
from api.idempotency.service import KEY_PATTERN, MAX_KEY_LENGTH

API_PREFIX = "/api/v1"

_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "The request could not be read", "The body is not valid JSON."),
    401: ("unauthorized", "Please log in", "Send an access token: Authorization: Bearer <token>."),
    403: ("forbidden", "You can't do that", "This needs a coordinator."),
    404: ("not-found", "Not found", "No such relationship."),
    405: ("method-not-allowed", "That method is not allowed here", "Use one of: GET, POST."),
    409: ("conflict", "That clashes with the current state", "That relationship has ended."),
    412: ("stale", "Someone changed this in the meantime", "Read it again, then resend."),
    422: ("validation", "Some fields need another look", "Use 1 or more."),
    428: ("precondition-required", "Send the version you are changing", "Send If-Match."),
    429: ("too-many-requests", "Too many attempts", "Please wait 15 minutes and try again."),
    500: ("internal", "Something went wrong on our side", "It has been logged."),
}

_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string of visible ASCII characters (a UUID is ideal), up to 255 "
    "characters. A retry with the "
    "same key and the same request gets the first answer again, marked "
    "`Idempotent-Replayed: true`, without running twice; the same key for a different request "
    "is 422, and while the first is still running 409. Keys are kept for 24 hours.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": KEY_PATTERN,
    },
    "example": "6f1c9a7e-1c1b-4a52-9a5e-2f5d0d8f3b21",
}
_REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the same "
    "Idempotency-Key",
    "schema": {"type": "string", "enum": ["true"]},
}
_RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 1},
}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": "The quotas (IETF draft-ietf-httpapi-ratelimit-headers-10), e.g. "
        '`"account";q=5;w=900, "address";q=30;w=900`: unsuccessful attempts per window',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left, e.g. `"address";r=28;t=840` (remaining; seconds until '
        "one more is allowed)",
        "schema": {"type": "string"},
    },
}


def problem_example(status: int) -> dict[str, Any]:
    slug, title, detail = _PROBLEMS.get(status, ("error", "Something went wrong", ""))
    example: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/api/v1/relationships/3f0c5d3e-8f53-4a0e-9d0b-5a8e1f0f6c1a",
    }
    if status == 422:
        example["errors"] = [{"field": "capacity", "message": "Use 1 or more."}]
    return example


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add what the routes can't say for themselves; returns the same document."""
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            if path.startswith(API_PREFIX):
                _conventions(method, operation)
            _problems(operation)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, component in components.items():
        if name.startswith("ListOut_") and "examples" not in component:
            _list_example(component, components)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def _conventions(method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.setdefault("parameters", [])
    if method == "post":
        if not any(p.get("name") == "Idempotency-Key" for p in parameters):
            parameters.append(dict(_IDEMPOTENCY_KEY))
        responses.setdefault("409", {"description": "Conflict"})
        for code, response in responses.items():
            if code.startswith("2"):
                response.setdefault("headers", {})["Idempotent-Replayed"] = _REPLAYED
    if "428" in responses:
        for parameter in parameters:
            if parameter.get("name") == "If-Match":
                parameter["required"] = True
                parameter["schema"] = {"type": "string", "minLength": 1}
    if operation.get(RATE_LIMITED):
        responses.setdefault("429", {"description": "Too Many Requests"})
        for code, response in responses.items():
            headers = response.setdefault("headers", {})
            headers.update(_RATE_LIMIT_HEADERS)
            if code == "429":
                headers["Retry-After"] = _RETRY_AFTER


def _problems(operation: dict[str, Any]) -> None:
    for code, response in operation.get("responses", {}).items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": problem_example(int(code)),
                }
            }


def _list_example(component: dict[str, Any], components: dict[str, Any]) -> None:
    items = component.get("properties", {}).get("data", {}).get("items", {})
    ref = items.get("$ref", "")
    item = components.get(ref.rsplit("/", 1)[-1], items) if ref else items
    examples = item.get("examples") or ([item["example"]] if "example" in item else [])
    if examples:
        component["examples"] = [{"data": examples[:1], "has_more": False}]
