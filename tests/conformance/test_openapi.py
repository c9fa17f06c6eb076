"""The OpenAPI document tells the truth, for every operation (integrators' ones included):
a description, the errors it can answer with problem+json examples, an example request."""

import pytest

from api.openapi import API_PREFIX

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def document(app) -> dict:
    return app.openapi()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith(API_PREFIX):
                yield path, method, operation


def _has_example(document: dict, node: dict, depth: int = 0) -> bool:
    components = document["components"]["schemas"]
    if "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[1]]
    if node.get("examples") or node.get("example") is not None:
        return True
    if depth < 3:
        if "items" in node:
            return _has_example(document, node["items"], depth + 1)
        for key in ("anyOf", "oneOf", "allOf"):
            options = [n for n in node.get(key, []) if n.get("type") != "null"]
            if options and all(_has_example(document, n, depth + 1) for n in options):
                return True
    return False


def test_every_operation_is_described_with_its_errors_and_examples(document):
    missing: list[str] = []
    for path, method, operation in _operations(document):
        name = f"{method.upper()} {path}"
        if not operation.get("description", "").strip():
            missing.append(f"{name}: no description")
        errors = {c: r for c, r in operation["responses"].items() if c[0] in "45"}
        if not errors:
            missing.append(f"{name}: no documented error")
        for code, response in errors.items():
            media = response.get("content", {}).get(PROBLEM)
            if media is None or not media.get("example"):
                missing.append(f"{name}: {code} is not problem+json with an example")
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if not (media.get("example") or media.get("examples")) and not _has_example(
                document, media["schema"]
            ):
                missing.append(f"{name}: no example of its {media_type} request")
    assert not missing, "\n".join(missing)


def test_every_post_takes_an_idempotency_key(document):
    for path, method, operation in _operations(document):
        if method != "post":
            continue
        [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert key["in"] == "header" and key["schema"]["maxLength"] == 255, path
        assert "409" in operation["responses"], path
        ok = next(r for c, r in operation["responses"].items() if c.startswith("2"))
        assert "Idempotent-Replayed" in ok["headers"], path


def test_if_match_is_required_wherever_428_follows_without_it(document):
    checked = 0
    for path, _method, operation in _operations(document):
        if "428" in operation["responses"]:
            [if_match] = [p for p in operation["parameters"] if p["name"] == "If-Match"]
            assert if_match["required"] is True, path
            checked += 1
    assert checked >= 4


def test_rate_limited_operations_document_429_and_their_headers(document):
    token = document["paths"][f"{API_PREFIX}/auth/token"]["post"]
    refused = token["responses"]["429"]
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= set(refused["headers"])
    assert {"RateLimit", "RateLimit-Policy"} <= set(token["responses"]["200"]["headers"])
    assert "429" in document["paths"][f"{API_PREFIX}/me"]["delete"]["responses"]


def test_the_409s_that_used_to_be_missing_are_documented(document):
    paths = document["paths"]
    for path, method in [
        ("/auth/signup", "post"),
        ("/supporter-offer", "post"),
        ("/supporter-offer", "patch"),
        ("/support-requests", "post"),
        ("/support-requests/{request_id}/choice", "post"),
        ("/support-requests/{request_id}", "delete"),
        ("/coordination/supporter-offers/{offer_id}/approve", "post"),
    ]:
        assert "409" in paths[API_PREFIX + path][method]["responses"], (method, path)


def test_window_times_declare_the_pattern_they_accept(document):
    window = document["components"]["schemas"]["WeeklyWindow"]["properties"]
    assert "format" not in window["start"] and window["start"]["pattern"]
    assert "24:00" in window["end"]["pattern"]
