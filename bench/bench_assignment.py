"""Batch assignment: candidate generation, min-cost-flow solve, optimal vs greedy total score.

Targets: 10k seekers x 5k supporters solved in <= 1 s; 100k x 50k in <= 15 s in total
(candidates + solve); peak RSS <= 1 GiB. Run alone: ``python -m bench.bench_assignment``.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np

from api.matching.assignment import Assignment, assign_candidates, greedy_assign
from api.matching.batch import CandidatePairs, QueryBatch, batch_candidates
from api.matching.scoring import SupporterPool, Weights, shortlist
from bench import synthetic
from bench.common import Timer, peak_rss_mib, table, write_results

# (seekers, supporters, top-m kept per seeker, tag-sharers probed per seeker)
CASES = ((10_000, 5_000, 30, 512), (100_000, 50_000, 20, 256))
RECALL_SAMPLE = 200


def _check(result: Assignment, capacities: np.ndarray, n_seekers: int) -> None:
    """The invariants a coordinator relies on; a benchmark that breaks them is worthless."""
    seekers = [s for s, _, _ in result.pairs]
    assert len(seekers) == len(set(seekers)), "a seeker was assigned twice"
    load = np.bincount([r for _, r, _ in result.pairs], minlength=capacities.size)
    assert (load <= capacities).all(), "a supporter is over capacity"
    assert len(seekers) + len(result.unassigned) == n_seekers


def _recall(
    pool: SupporterPool, queries: list, candidates: CandidatePairs, weights: Weights
) -> dict[str, float]:
    """How close each sampled seeker's best probed candidate is to the exact best (shortlist)."""
    order = np.argsort(candidates.seeker, kind="stable")
    seekers, scores = candidates.seeker[order], candidates.score[order]
    starts = np.searchsorted(seekers, np.arange(len(queries) + 1))
    same, ratios = 0, []
    step = max(1, len(queries) // RECALL_SAMPLE)
    for s in range(0, len(queries), step):
        exact = shortlist(pool, queries[s], weights, k=1)
        if not exact:
            continue
        mine = scores[starts[s] : starts[s + 1]]
        best = float(mine.max()) if mine.size else 0.0
        same += abs(best - exact[0].score) < 1e-4
        ratios.append(best / exact[0].score)
    return {
        "best_found_share": round(same / max(1, len(ratios)), 3),
        "best_score_ratio": round(float(np.mean(ratios)) if ratios else 1.0, 4),
    }


def run_case(n_seekers: int, n_supporters: int, m: int, probe: int) -> dict[str, Any]:
    """Generate data, candidates, optimal and greedy assignments for one size."""
    tax = synthetic.taxonomy()
    records, capacities = synthetic.supporters(n_supporters, tax, seed=21)
    pool = SupporterPool.build(records, tax.n_tags, tax.n_categories, tax.tag_category)
    del records
    queries, _ = synthetic.seekers(n_seekers, tax, seed=22)
    weights = Weights()
    gc.collect()
    with Timer() as pack:
        batch = QueryBatch.pack(queries)
    with Timer() as gen:
        candidates = batch_candidates(pool, batch, weights=weights, m=m, probe=probe)
    with Timer() as solve:
        optimal = assign_candidates(candidates, capacities, n_seekers)
    with Timer() as greedy_t:
        greedy = greedy_assign(
            candidates.seeker, candidates.supporter, candidates.score, capacities, n_seekers
        )
    _check(optimal, capacities, n_seekers)
    _check(greedy, capacities, n_seekers)
    recall = _recall(pool, queries, candidates, weights)
    eligible_capacity = int(capacities[pool.eligible].sum())
    return {
        "seekers": n_seekers,
        "supporters": n_supporters,
        "eligible_capacity": eligible_capacity,
        "m": m,
        "probe": probe,
        "pairs": len(candidates),
        "pack_s": round(pack.wall, 3),
        "candidates_s": round(gen.wall, 3),
        "candidates_cpu_s": round(gen.cpu, 3),
        "solve_s": round(solve.wall, 3),
        "solve_cpu_s": round(solve.cpu, 3),
        "greedy_s": round(greedy_t.wall, 3),
        "total_s": round(pack.wall + gen.wall + solve.wall, 3),
        "optimal_total": round(optimal.total, 2),
        "optimal_matched": len(optimal.pairs),
        "greedy_total": round(greedy.total, 2),
        "greedy_matched": len(greedy.pairs),
        "gain_vs_greedy_pct": round(100 * (optimal.total / max(greedy.total, 1e-9) - 1), 2),
        **recall,
        "peak_rss_mib": round(peak_rss_mib()),
    }


def main() -> dict[str, Any]:
    """Run every case, print a table, write bench/results/assignment.json."""
    results = [run_case(*case) for case in CASES]
    header = ["seekers x supporters", "pairs", "cand s", "solve s", "total s", "greedy s"]
    header += ["optimal", "greedy", "gain %", "matched", "best found", "RSS MiB"]
    rows = [
        [
            f"{r['seekers']:,} x {r['supporters']:,}",
            r["pairs"],
            r["candidates_s"],
            r["solve_s"],
            r["total_s"],
            r["greedy_s"],
            r["optimal_total"],
            r["greedy_total"],
            r["gain_vs_greedy_pct"],
            f"{r['optimal_matched']:,}/{r['eligible_capacity']:,}",
            r["best_found_share"],
            r["peak_rss_mib"],
        ]
        for r in results
    ]
    print(table("batch assignment (min-cost flow vs greedy)", header, rows))
    small, big = results[0], results[-1]
    targets = {
        "small_solve_le_1s": small["solve_s"] <= 1.0,
        "big_total_le_15s": big["total_s"] <= 15.0,
        "peak_rss_le_1gib": big["peak_rss_mib"] <= 1024,
    }
    print(f"targets: {targets}")
    payload = {"results": results, "targets": targets}
    print(f"wrote {write_results('assignment', payload)}")
    return payload


if __name__ == "__main__":
    main()
