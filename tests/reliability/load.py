"""The load generator's own record: every request it made and what came back, and every write
it saw acknowledged (so the database can be checked against it afterwards)."""

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "reliability.json"


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)  # (operation, status)
    transport_errors: Counter = field(default_factory=Counter)  # "operation error-class"
    server_errors: list[str] = field(default_factory=list)  # "operation status: body"
    server_error_times: list[float] = field(default_factory=list)  # time.monotonic()
    # The first answer of each kind (operation, status, problem title), to read what happened.
    samples: dict[tuple[str, int, str], str] = field(default_factory=dict)

    async def call(
        self, client: httpx.AsyncClient, op: str, method: str, url: str, **options: Any
    ) -> httpx.Response | None:
        """One request; None when it never got an answer (the server was killed, say)."""
        try:
            response = await client.request(method, url, **options)
        except httpx.TransportError as exc:
            self.transport_errors[f"{op} {type(exc).__name__}"] += 1
            return None
        self.statuses[(op, response.status_code)] += 1
        if response.status_code >= 400:
            kind = response.headers.get("content-type", "")
            title = response.json().get("title", "") if "json" in kind else ""
            self.samples.setdefault((op, response.status_code, title), response.text[:400])
        if response.status_code >= 500:
            self.server_errors.append(f"{op} {response.status_code}: {response.text[:300]}")
            self.server_error_times.append(time.monotonic())
        return response

    def count(self, *, status: int | None = None, op: str | None = None) -> int:
        return sum(
            n
            for (o, s), n in self.statuses.items()
            if (status is None or s == status) and (op is None or o == op)
        )

    def summary(self) -> dict[str, Any]:
        by_class = Counter()
        for (_, s), n in self.statuses.items():
            by_class[f"{s // 100}xx"] += n
        return {
            "requests": sum(self.statuses.values()),
            "answered_2xx": by_class["2xx"],
            "answered_4xx": by_class["4xx"],
            "answered_5xx": by_class["5xx"],
            "conflicts_409": self.count(status=409),
            "precondition_failed_412": self.count(status=412),
            "refused_422": self.count(status=422),
            "no_answer": sum(self.transport_errors.values()),
            "no_answer_by_kind": dict(self.transport_errors),
            "refusals": sorted(f"{op} {status} {title}" for op, status, title in self.samples),
            "by_operation": {
                op: {str(s): n for (o, s), n in sorted(self.statuses.items()) if o == op}
                for op in sorted({o for o, _ in self.statuses})
            },
        }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def record(section: str, figures: dict[str, Any]) -> None:
    """Add one section's figures to bench/results/reliability.json (git-ignored), keeping
    the other sections of this run."""
    RESULTS.parent.mkdir(exist_ok=True)
    found: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            found = json.loads(RESULTS.read_text())
        except ValueError:
            found = {}
    found[section] = {
        **figures,
        "load_average_1_5_15": load_average(),
        "cpus": os.cpu_count(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
