"""wrk Lua scripts that cycle through many prepared requests (each with its own person's
token) and report p50/p95/p99 as one JSON line, for the API benchmark."""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str
    body: dict[str, Any] | None = None


_TEMPLATE = """
local calls = {%(calls)s}
local prepared = {}
local counter = 0
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  for i, c in ipairs(calls) do
    local headers = {["Authorization"] = "Bearer " .. c[3]}
    if c[4] then headers["Content-Type"] = "application/json" end
    prepared[i] = wrk.format(c[1], c[2], headers, c[4])
  end
  -- the threads start half-way apart, so two never send the same write at once
  counter = (tid or 0) * math.floor(#prepared / 2)
end

function request()
  counter = counter %% #prepared + 1
  return prepared[counter]
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d,'
    .. ' "p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _lua(value: str | None) -> str:
    return "nil" if value is None else json.dumps(value)  # JSON strings are Lua strings here


def _json(body: dict[str, Any] | None) -> str | None:
    return None if body is None else json.dumps(body)


def script(calls: list[Call], path: Path) -> Path:
    rows = ",\n".join(
        "{" + ", ".join(_lua(v) for v in (c.method, c.path, c.token, _json(c.body))) + "}"
        for c in calls
    )
    path.write_text(_TEMPLATE % {"calls": rows})
    return path


def run(base_url: str, lua: Path | None, clients: int, seconds: float) -> dict[str, Any]:
    """wrk with two threads and ``clients`` connections: req/s, p50/p95/p99 in ms, failures."""
    args = [
        shutil.which("wrk") or "wrk",
        "-t2",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
    ]
    if lua is not None:
        args += ["-s", str(lua)]
    else:  # the ceiling: wrk's own GET, with the same latency report
        args += ["-s", str(script([Call("GET", "/", "x")], lua_path_for_ceiling()))]
    out = subprocess.run(  # noqa: S603 - our own benchmark command line
        [*args, base_url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    found = re.search(r"^BENCH_JSON (.*)$", out, re.M)
    if found is None:
        raise RuntimeError(f"wrk said: {out}")
    raw = json.loads(found.group(1))
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "requests": raw["requests"],
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
    }


def lua_path_for_ceiling() -> Path:
    return Path("/tmp") / "kindred_bench_ceiling.lua"  # noqa: S108 - a scratch file of ours
