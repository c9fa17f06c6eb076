"""Run every matching benchmark: ``python -m bench`` (a few minutes on 2 cores)."""

from __future__ import annotations

import time

from bench import bench_assignment, bench_scoring


def main() -> None:
    """Scoring first, then assignment; each prints its table and writes bench/results/*.json."""
    started = time.perf_counter()
    bench_scoring.main()
    print()
    bench_assignment.main()
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
