"""How Kindred grows: the matching pool from 10k to 1M supporters, messages from 100k to 10M.

    python -m bench.bench_growth          # or: make bench-growth

Supporters (``bench/growth_pool.py``): one PostgreSQL database grown by COPY through each size;
at each, a fresh process builds the pool as a replica does and reports its build time (by
step), the arrays' bytes and its resident memory, and the shortlist kernel's time per query.
Messages (``bench/growth_messages.py``): another database grown by COPY; at each size the app
is called in process over httpx's ASGI transport (list a typical and a hot conversation, a deep
page of the hot one, send in both), with EXPLAIN ANALYZE of every SELECT those calls make, and
the table's and indexes' sizes.

Knobs: ``BENCH_GROWTH_MAX`` (largest pool, 1,000,000), ``BENCH_GROWTH_MAX_MESSAGES``
(10,000,000), ``BENCH_GROWTH_ONLY`` (``pool`` or ``messages``), ``BENCH_GROWTH_MINUTES`` (each
part's time budget, 12: sizes not started by then are skipped and extrapolated, marked so),
``BENCH_GROWTH_NAME`` (the results file's name), ``BENCH_GROWTH_CALLS`` (calls per operation
and size, 200), ``BENCH_GROWTH_RELATIONSHIPS``
(background relationships the messages spread over, 40,000). Results:
``bench/results/growth.json``.
"""

import asyncio
import json
import math
import os
import sys
from typing import Any

from bench import growth_messages, growth_pool
from bench.common import RESULTS, context, table, write_results

NAME = os.environ.get("BENCH_GROWTH_NAME", "growth")  # bench/results/<NAME>.json
POOL_SIZES = (10_000, 100_000, 300_000, 1_000_000)
MESSAGE_SIZES = (100_000, 1_000_000, 10_000_000)
POOL_METRICS = ("build_s", "build_database_s", "build_records_s", "build_arrays_s")
POOL_METRICS += ("arrays_mib", "rss_delta_mib", "p50_ms", "p99_ms", "best_p50_ms", "best_p99_ms")


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def exponent(small: dict, large: dict, size: str, metric: str) -> float | None:
    """b in metric ~ size^b between two measured sizes: 1 is linear, above 1 grows worse."""
    a, b = small.get(metric), large.get(metric)
    if not a or not b or a <= 0 or b <= 0:
        return None
    return round(math.log(b / a) / math.log(large[size] / small[size]), 2)


def extrapolate(measured: list[dict], target: int, size: str, metrics: tuple) -> dict:
    """A skipped size, from the power law through the last two measured sizes (marked)."""
    small, large = measured[-2], measured[-1]
    out: dict[str, Any] = {size: target, "extrapolated": True}
    for metric in metrics:
        b = exponent(small, large, size, metric)
        if b is not None:
            out[metric] = round(large[metric] * (target / large[size]) ** b, 3)
    return out


def growth(results: list[dict], size: str, metrics: tuple, note: str) -> dict[str, Any]:
    """Ratios to the smallest size, each metric's growth exponent over the whole range and
    between the two largest sizes (where fixed costs no longer hide it), and which metric
    grows worst there."""
    measured = [r for r in results if "skipped" not in r]
    if len(measured) < 2:
        return {"note": "fewer than two sizes measured"}
    first, last = measured[0], measured[-1]
    ratios = {
        str(r[size]): {m: round(r[m] / first[m], 2) for m in metrics if r.get(m) and first.get(m)}
        for r in measured
    }
    upper = {m: exponent(measured[-2], last, size, m) for m in metrics}
    known = {m: b for m, b in upper.items() if b is not None}
    missing = [r[size] for r in results if "skipped" in r]
    return {
        "ratios_to_smallest": ratios,
        "exponents": {m: exponent(first, last, size, m) for m in metrics},
        "exponents_upper": upper,
        "grows_worst": max(known, key=lambda m: known[m]) if known else None,
        "note": note,
        "extrapolated": [extrapolate(measured, n, size, metrics) for n in missing],
    }


def _ops(result: dict[str, Any]) -> dict[str, float]:
    return {
        f"{op} {q}": v[q] for op, v in result.get("ops", {}).items() for q in ("p50_ms", "p99_ms")
    }


def _messages_part(found: list[dict]) -> dict[str, Any]:
    flat = [{"messages": r["messages"], **_ops(r)} if "ops" in r else r for r in found]
    metrics = tuple(k for k in (flat[0] if flat else {}) if k.endswith("_ms"))
    return {
        "results": found,
        "growth": growth(flat, "messages", metrics, "messages x10: latency x10^b"),
    }


def _previous() -> dict[str, Any]:
    """The last run's results: a run of one part keeps the other part's figures."""
    path = RESULTS / f"{NAME}.json"
    return json.loads(path.read_text()) if path.exists() else {}


async def run() -> dict[str, Any]:
    only = os.environ.get("BENCH_GROWTH_ONLY", "")
    budget = _env("BENCH_GROWTH_MINUTES", 12) * 60
    previous = _previous()
    payload: dict[str, Any] = {"before": context()}
    if only == "messages" and "pool" in previous:
        payload["pool"] = {**previous["pool"], "from_run": previous.get("context")}
    if only == "pool" and "messages" in previous:
        payload["messages"] = {**previous["messages"], "from_run": previous.get("context")}
    if only in ("", "pool"):
        sizes = [n for n in POOL_SIZES if n <= _env("BENCH_GROWTH_MAX", POOL_SIZES[-1])]
        pool = await growth_pool.measure(sizes, budget)
        payload["pool"] = {
            "results": pool,
            "growth": growth(pool, "supporters", POOL_METRICS, "supporters x10: metric x10^b"),
        }
        write_results(NAME, payload)  # kept if the messages part fails
    if only in ("", "messages"):
        sizes = [n for n in MESSAGE_SIZES if n <= _env("BENCH_GROWTH_MAX_MESSAGES", 10**7)]

        def progress(found: list[dict]) -> None:
            write_results(NAME, {**payload, "messages": _messages_part(found)})

        found = await growth_messages.measure(
            sizes,
            budget,
            _env("BENCH_GROWTH_CALLS", 200),
            _env("BENCH_GROWTH_RELATIONSHIPS", 40_000),
            progress,
        )
        payload["messages"] = _messages_part(found)
    return payload


def report(payload: dict[str, Any]) -> str:
    parts = []
    if "pool" in payload:
        rows = [
            [r["supporters"], "skipped"] + [""] * 8
            if "skipped" in r
            else [r[k] for k in ("supporters", "build_s", "build_database_s", "build_records_s")]
            + [r[k] for k in ("build_arrays_s", "arrays_mib", "rss_delta_mib", "p50_ms")]
            + [r["p99_ms"], r["best_p99_ms"]]
            for r in payload["pool"]["results"]
        ]
        header = ["supporters", "build s", "db s", "records s", "arrays s", "arrays MiB"]
        header += ["RSS +MiB", "p50 ms", "p99 ms", "best p99 ms"]
        parts.append(table("matching pool (one replica)", header, rows))
        parts.append(_exponents(payload["pool"]["growth"]))
    if "messages" in payload:
        rows = []
        for r in payload["messages"]["results"]:
            if "skipped" in r:
                rows.append([r["messages"], "skipped", "", "", "", "", ""])
                continue
            ops = r["ops"]
            rows.append(
                [r["messages"], r["table_mib"], sum(r["indexes_mib"].values())]
                + [f"{ops[o]['p50_ms']} / {ops[o]['p99_ms']}" for o in ops]
            )
        first = next((r for r in payload["messages"]["results"] if "ops" in r), None)
        header = ["messages", "table MiB", "indexes MiB", *(first["ops"] if first else [])]
        parts.append(table("messages: p50 / p99 ms per call, in process", header, rows))
        parts.append(_exponents(payload["messages"]["growth"]))
    return "\n\n".join(parts)


def _exponents(found: dict[str, Any]) -> str:
    """metric ~ size^b, between the two largest sizes measured; 1 is linear."""
    upper = found.get("exponents_upper") or {}
    shown = ", ".join(f"{m} {b}" for m, b in upper.items() if b is not None)
    return f"growth exponents (two largest sizes): {shown}\ngrows worst: {found.get('grows_worst')}"


def regrow(payload: dict[str, Any]) -> dict[str, Any]:
    """The derived figures again from the measured ones (``python -m bench.bench_growth
    report`` prints the last run's tables without measuring anything)."""
    if "pool" in payload:
        payload["pool"]["growth"] = growth(
            payload["pool"]["results"], "supporters", POOL_METRICS, "supporters x10: x10^b"
        )
    if "messages" in payload:
        payload["messages"] = {
            **payload["messages"],
            **_messages_part(payload["messages"]["results"]),
        }
    return payload


def main() -> None:
    if sys.argv[1:] == ["report"]:
        payload = regrow(_previous())
        (RESULTS / f"{NAME}.json").write_text(json.dumps(payload, indent=2) + "\n")
        print(report(payload))
        return
    payload = asyncio.run(run())
    written = write_results(NAME, payload)
    print(report(payload))
    print(f"wrote {written}")


if __name__ == "__main__":
    main()
