"""Conventions every route keeps: RateLimit headers, a complete Allow on 405, strict booleans,
window times as declared."""

import re

from api.weekly.windows import END_PATTERN, START_PATTERN, WeeklyWindow
from tests.personas import PASSWORD, peer

TOKEN = "/api/v1/auth/token"


async def test_the_token_endpoint_advertises_its_limits(client, settings):
    alice = await peer(client, "alice")
    good = await client.post(TOKEN, data={"username": alice.email, "password": PASSWORD})
    assert good.status_code == 200
    policy = good.headers["RateLimit-Policy"]
    assert policy == '"account";q=5;w=900, "address";q=30;w=900'
    assert good.headers["RateLimit"] == '"address";r=30;t=0'
    for attempt in range(1, 6):
        bad = await client.post(TOKEN, data={"username": alice.email, "password": "wrong one"})
        assert bad.status_code == 401
        assert re.fullmatch(rf'"address";r={30 - attempt};t=\d+', bad.headers["RateLimit"])
    refused = await client.post(TOKEN, data={"username": alice.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert re.fullmatch(r'"account";r=0;t=\d+', refused.headers["RateLimit"])
    assert refused.headers["RateLimit-Policy"] == policy


async def test_a_405_lists_every_method_of_the_path(client):
    alice = await peer(client, "alice")
    answer = await client.request("OPTIONS", "/api/v1/me", headers=alice.headers)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "DELETE, GET, HEAD"
    offer = await client.put("/api/v1/supporter-offer", headers=alice.headers)
    assert set(offer.headers["Allow"].split(", ")) == {"DELETE", "GET", "HEAD", "PATCH", "POST"}
    page = await client.request("TRACE", "/healthz")
    assert page.status_code == 405 and page.headers["Allow"] == "GET, HEAD"


async def test_booleans_refuse_numbers(client):
    alice = await peer(client, "alice")
    made = await client.post("/api/v1/supporter-offer", json={"capacity": 2}, headers=alice.headers)
    assert made.status_code == 201
    for value in (0, 1, "true"):
        answer = await client.patch(
            "/api/v1/supporter-offer", json={"paused": value}, headers=alice.headers
        )
        assert answer.status_code == 422, value
        assert answer.json()["errors"][0]["field"] == "paused"
    ok = await client.patch("/api/v1/supporter-offer", json={"paused": True}, headers=alice.headers)
    assert ok.status_code == 200 and ok.json()["paused"] is True


def test_window_times_accept_exactly_their_declared_pattern():
    for start, end in [("19:00", "21:00"), ("7:05", "24:00"), ("19:00:00", "21:30:00")]:
        assert re.match(START_PATTERN, start) and re.match(END_PATTERN, end)
        WeeklyWindow.model_validate({"weekday": 1, "start": start, "end": end})
    for start in ("19:00:30", " 19:00", "24:00", "19.00", "\u0661\u0669:\u0660\u0660"):
        assert not re.match(START_PATTERN, start)
        try:
            WeeklyWindow.model_validate({"weekday": 1, "start": start, "end": "23:00"})
        except ValueError:
            continue
        raise AssertionError(f"{start!r} was accepted")
    try:
        WeeklyWindow.model_validate({"weekday": True, "start": "19:00", "end": "21:00"})
    except ValueError:
        pass
    else:
        raise AssertionError("a boolean weekday was accepted")
