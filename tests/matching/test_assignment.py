"""Batch assignment: optimal over the candidate pairs, within capacity, each seeker at most once."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from api.matching.assignment import assign, assign_candidates, greedy_assign
from api.matching.batch import batch_candidates
from api.matching.scoring import SupporterPool, shortlist
from bench import synthetic


def check(result, capacities, n_seekers):
    seekers = [s for s, _, _ in result.pairs]
    assert len(seekers) == len(set(seekers))
    load = np.bincount([r for _, r, _ in result.pairs], minlength=len(capacities))
    assert (load <= np.asarray(capacities)).all()
    assert sorted(seekers + result.unassigned) == list(range(n_seekers))
    assert result.total == pytest.approx(sum(v for _, _, v in result.pairs))


def brute_force_total(seekers, supporters, scores, capacities, n_seekers):
    """Best total by the Hungarian method on supporters repeated by capacity (tiny cases)."""
    slots = [r for r, c in enumerate(capacities) for _ in range(c)]
    gain = np.zeros((n_seekers, len(slots) + n_seekers))  # extra columns: stay unassigned
    for s, r, v in zip(seekers, supporters, scores, strict=True):
        for j, slot in enumerate(slots):
            if slot == r:
                gain[s, j] = max(gain[s, j], v)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return gain[rows, cols].sum()


def test_optimal_beats_greedy_on_a_crafted_instance():
    # Greedy grabs the single best pair (0->0, 10) and leaves seeker 1 the poor one (1).
    seekers, supporters, scores = [0, 0, 1, 1], [0, 1, 0, 1], [10.0, 9.0, 8.0, 1.0]
    greedy = greedy_assign(seekers, supporters, scores, [1, 1])
    best = assign(seekers, supporters, scores, [1, 1])
    assert greedy.total == pytest.approx(11.0)
    assert best.total == pytest.approx(17.0)
    assert best.pairs == [(0, 1, 9.0), (1, 0, 8.0)]


def test_total_score_wins_over_the_number_of_matches():
    # Matching both seekers (1 + 1) is worth less than one good match (10).
    seekers, supporters, scores = [0, 0, 1], [0, 1, 0], [10.0, 1.0, 1.0]
    best = assign(seekers, supporters, scores, [1, 1])
    assert best.pairs == [(0, 0, 10.0)] and best.unassigned == [1]
    most = assign(seekers, supporters, scores, [1, 1], prefer_count=True)
    assert len(most.pairs) == 2 and most.total == pytest.approx(2.0)


def test_capacities_and_single_assignment_hold_and_match_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n_seekers, n_supporters = int(rng.integers(2, 9)), int(rng.integers(1, 5))
        capacities = rng.integers(0, 3, n_supporters)
        pairs = {
            (int(s), int(r))
            for s, r in zip(
                rng.integers(0, n_seekers, 15), rng.integers(0, n_supporters, 15), strict=True
            )
        }
        seekers, supporters = (np.array(x) for x in zip(*sorted(pairs), strict=True))
        scores = rng.integers(1, 100, seekers.size) / 10
        best = assign(seekers, supporters, scores, capacities, n_seekers)
        greedy = greedy_assign(seekers, supporters, scores, capacities, n_seekers)
        check(best, capacities, n_seekers)
        check(greedy, capacities, n_seekers)
        assert best.total >= greedy.total - 1e-9
        expected = brute_force_total(seekers, supporters, scores, capacities, n_seekers)
        assert best.total == pytest.approx(expected)


def test_seekers_without_candidates_stay_unassigned():
    best = assign([0, 2], [0, 0], [5.0, 4.0], [1], n_seekers=4)
    assert best.pairs == [(0, 0, 5.0)]
    assert best.unassigned == [1, 2, 3]
    empty = assign([], [], [], [2, 2], n_seekers=3)
    assert empty.pairs == [] and empty.unassigned == [0, 1, 2] and empty.total == 0


def test_empty_batches():
    tax = synthetic.taxonomy()
    records, _ = synthetic.supporters(20, tax)
    pool = SupporterPool.build(records, tax.n_tags, tax.n_categories, tax.tag_category)
    empty_pool = SupporterPool.build([], tax.n_tags, tax.n_categories, tax.tag_category)
    queries, _ = synthetic.seekers(3, tax)
    assert len(batch_candidates(pool, [])) == 0
    assert len(batch_candidates(empty_pool, queries)) == 0
    assert shortlist(empty_pool, queries[0]) == []


def test_worthless_pairs_are_not_used_and_bad_input_is_refused():
    assert assign([0], [0], [0.0], [1]).pairs == []
    with pytest.raises(ValueError):
        assign([0, 1], [0], [1.0], [1])
    with pytest.raises(ValueError):
        assign([0], [3], [1.0], [1])
    with pytest.raises(ValueError):
        assign([0], [0], [1.0], [-1])


def test_batch_candidates_end_to_end_respects_exclusions_and_capacity():
    tax = synthetic.taxonomy()
    records, capacities = synthetic.supporters(300, tax, seed=4)
    pool = SupporterPool.build(records, tax.n_tags, tax.n_categories, tax.tag_category)
    queries, _ = synthetic.seekers(400, tax, seed=5)
    excluded = (np.arange(0, 400, 2), np.arange(0, 400, 2) % 300)  # e.g. blocked pairs
    candidates = batch_candidates(
        pool, queries, m=10, probe=400, related=300, fallback=300, excluded=excluded
    )
    banned = set(zip(*(e.tolist() for e in excluded), strict=True))
    pairs = set(zip(candidates.seeker.tolist(), candidates.supporter.tolist(), strict=True))
    assert not pairs & banned
    assert pool.eligible[candidates.supporter].all()
    best = assign_candidates(candidates, capacities, len(queries))
    check(best, capacities, len(queries))
    greedy = greedy_assign(
        candidates.seeker, candidates.supporter, candidates.score, capacities, len(queries)
    )
    assert best.total >= greedy.total
    # Probing every sharer of a small pool finds each seeker's exact best candidate.
    for s in range(1, 400, 40):
        [exact] = shortlist(pool, queries[s], k=1) or [None]
        mine = candidates.score[candidates.seeker == s]
        if exact is not None:
            assert mine.max() == pytest.approx(exact.score, rel=1e-5)
