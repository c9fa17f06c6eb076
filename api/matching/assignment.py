"""Batch assignment: many waiting seekers to supporters with limited capacity, best total score.

Formulated as a min-cost flow (OR-Tools ``SimpleMinCostFlow``)::

    source --(cap 1, cost 0)--> seeker --(cap 1, cost -round(score*scale))--> supporter
    supporter --(cap = remaining capacity, cost 0)--> sink
    source --(cap S, cost 0)--> sink                                   (the "bypass")

The source supplies S units (one per seeker) and the sink absorbs S. A seeker's unit either
reaches the sink through one supporter (and earns that pair's score) or goes through the
bypass, i.e. the seeker stays unassigned. Every pair arc costs less than the bypass, so the
minimum-cost flow is exactly the assignment with the largest total score: a maximum-weight
b-matching. We deliberately do not use ``solve_max_flow_with_min_cost`` by default: forcing
the largest number of matches first can lower the total quality (two good matches can be
worth more than three poor ones). Pass ``prefer_count=True`` for that behaviour instead.
Nothing here sends introductions: coordinators review the result first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from api.matching.batch import CandidatePairs, QueryBatch, batch_candidates, score_pairs

SCORE_SCALE = 1000  # costs are integers: scores are kept to 1/1000


@dataclass(frozen=True)
class Assignment:
    """Chosen (seeker, supporter row, score) pairs, their total, and who stayed unassigned."""

    pairs: list[tuple[int, int, float]]
    total: float
    unassigned: list[int]


def _inputs(
    seekers: np.ndarray,
    supporters: np.ndarray,
    scores: np.ndarray,
    capacities: np.ndarray,
    n_seekers: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    s = np.asarray(seekers, np.int64).ravel()
    r = np.asarray(supporters, np.int64).ravel()
    v = np.asarray(scores, np.float64).ravel()
    cap = np.asarray(capacities, np.int64).ravel()
    if not s.size == r.size == v.size:
        raise ValueError("seekers, supporters and scores must have the same length")
    count = int(n_seekers) if n_seekers is not None else int(s.max(initial=-1)) + 1
    if s.size and (s.min() < 0 or s.max() >= count):
        raise ValueError("seeker index out of range")
    if r.size and (r.min() < 0 or r.max() >= cap.size):
        raise ValueError("supporter index out of range")
    if (cap < 0).any() or not np.isfinite(v).all():
        raise ValueError("capacities must be >= 0 and scores finite")
    return s, r, v, cap, count


def _result(
    s: np.ndarray, r: np.ndarray, v: np.ndarray, chosen: np.ndarray, count: int
) -> Assignment:
    order = np.argsort(s[chosen], kind="stable")
    picked = chosen[order]
    pairs = list(zip(s[picked].tolist(), r[picked].tolist(), v[picked].tolist(), strict=True))
    assigned = np.zeros(count, np.bool_)
    assigned[s[picked]] = True
    return Assignment(pairs, float(v[picked].sum()), np.flatnonzero(~assigned).tolist())


def assign(
    seekers: np.ndarray,
    supporters: np.ndarray,
    scores: np.ndarray,
    capacities: np.ndarray,
    n_seekers: int | None = None,
    prefer_count: bool = False,
) -> Assignment:
    """Optimal assignment over candidate pairs; no supporter above capacity, seekers once."""
    s, r, v, cap, count = _inputs(seekers, supporters, scores, capacities, n_seekers)
    cost = -np.rint(v * SCORE_SCALE).astype(np.int64)
    # A pair worth nothing (or less) can never beat staying unassigned: leave it out.
    useful = np.flatnonzero(cost < 0) if not prefer_count else np.arange(s.size)
    n_sup = cap.size
    source, sink = 0, 1 + count + n_sup
    flow = min_cost_flow.SimpleMinCostFlow()
    seeker_nodes = np.arange(1, 1 + count, dtype=np.int32)
    supporter_nodes = np.arange(1 + count, 1 + count + n_sup, dtype=np.int32)
    ones = np.ones(count, np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(count, source, np.int32), seeker_nodes, ones, np.zeros(count, np.int64)
    )
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        (1 + s[useful]).astype(np.int32),
        (1 + count + r[useful]).astype(np.int32),
        np.ones(useful.size, np.int64),
        cost[useful],
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        supporter_nodes, np.full(n_sup, sink, np.int32), cap, np.zeros(n_sup, np.int64)
    )
    if not prefer_count:
        flow.add_arc_with_capacity_and_unit_cost(source, sink, count, 0)
    flow.set_node_supply(source, count)
    flow.set_node_supply(sink, -count)
    status = flow.solve_max_flow_with_min_cost() if prefer_count else flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    used = np.asarray(flow.flows(np.asarray(pair_arcs, np.int32))) > 0
    return _result(s, r, v, useful[used], count)


def greedy_assign(
    seekers: np.ndarray,
    supporters: np.ndarray,
    scores: np.ndarray,
    capacities: np.ndarray,
    n_seekers: int | None = None,
) -> Assignment:
    """Baseline for comparison only: take pairs best score first while both sides are free."""
    s, r, v, cap, count = _inputs(seekers, supporters, scores, capacities, n_seekers)
    order = np.lexsort((r, s, -v))
    left = cap.tolist()
    taken = [False] * count
    chosen = []
    for i, seeker, supporter, score in zip(
        order.tolist(), s[order].tolist(), r[order].tolist(), v[order].tolist(), strict=True
    ):
        if score > 0 and not taken[seeker] and left[supporter] > 0:
            taken[seeker] = True
            left[supporter] -= 1
            chosen.append(i)
    return _result(s, r, v, np.asarray(chosen, np.int64), count)


def assign_candidates(
    candidates: CandidatePairs,
    capacities: np.ndarray,
    n_seekers: int,
    prefer_count: bool = False,
) -> Assignment:
    """:func:`assign` over the output of :func:`api.matching.batch.batch_candidates`."""
    return assign(
        candidates.seeker,
        candidates.supporter,
        candidates.score,
        capacities,
        n_seekers,
        prefer_count=prefer_count,
    )


__all__ = [
    "SCORE_SCALE",
    "Assignment",
    "CandidatePairs",
    "QueryBatch",
    "assign",
    "assign_candidates",
    "batch_candidates",
    "greedy_assign",
    "score_pairs",
]
