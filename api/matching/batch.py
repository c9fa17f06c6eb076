"""Vectorised candidate generation for a batch of many seekers against one supporter pool.

Scoring every (seeker, sharer) pair is out of reach at scale: 100k seekers x 50k supporters
is ~1e9 pairs that share a tag. So each seeker *probes* a bounded, evenly spread sample of
eligible supporters (every one of them when there are few enough): ``probe`` who share a
requested tag (those further along with it first, when the seeker is going through it),
``related`` who share its category, and ``fallback`` anyone as a last resort. Probed pairs are
scored with exactly the formula of :func:`api.matching.scoring.shortlist` (tested) and each
seeker keeps its top ``m``; when each budget covers all it samples from, that is the exact
top ``m``. Seekers are processed in chunks as dense (chunk x probes) arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from api.matching.availability import SLOT_MINUTES, WORDS
from api.matching.pool import GOING_THROUGH, SupporterPool
from api.matching.scoring import Query, Weights


@dataclass(frozen=True)
class QueryBatch:
    """Many queries packed into arrays; ``tags`` is (S, K) padded with -1."""

    tags: np.ndarray
    going_through: np.ndarray  # (S, K) bool
    languages: np.ndarray  # (S,) uint64
    channels: np.ndarray  # (S,) uint8
    availability: np.ndarray  # (S, 6) uint64
    gender: np.ndarray  # (S,) int8, -1 no preference
    age_band: np.ndarray  # (S,) int8, -1 no preference
    prefers_further_along: np.ndarray  # (S,) bool

    @classmethod
    def pack(cls, queries: Sequence[Query]) -> QueryBatch:
        """Pack a sequence of :class:`Query` objects."""
        n = len(queries)
        width = max([len(q.tags) for q in queries] + [1])
        tags = np.full((n, width), -1, np.int32)
        going = np.zeros((n, width), np.bool_)
        avail = np.zeros((n, WORDS), np.uint64)
        for s, query in enumerate(queries):
            for j, (tag, stage) in enumerate(sorted(query.tags.items())):
                tags[s, j] = tag
                going[s, j] = stage == GOING_THROUGH
            avail[s] = query.availability
        return cls(
            tags=tags,
            going_through=going,
            languages=np.fromiter((q.languages for q in queries), np.uint64, n),
            channels=np.fromiter((q.channels for q in queries), np.uint8, n),
            availability=avail,
            gender=np.fromiter((q.gender for q in queries), np.int8, n),
            age_band=np.fromiter((q.age_band for q in queries), np.int8, n),
            prefers_further_along=np.fromiter(
                (q.prefers_further_along for q in queries), np.bool_, n
            ),
        )

    def __len__(self) -> int:
        return int(self.tags.shape[0])


@dataclass(frozen=True)
class CandidatePairs:
    """Sparse candidate pairs, parallel arrays."""

    seeker: np.ndarray  # int32
    supporter: np.ndarray  # int32
    score: np.ndarray  # float64

    def __len__(self) -> int:
        return int(self.seeker.size)


def _bit(bits: np.ndarray, rows: np.ndarray, col: np.ndarray) -> np.ndarray:
    """bits[rows, col] as bool, for parallel 1-D ``rows`` and ``col`` (col >= 0)."""
    shift = (col & 63).astype(np.uint64)
    return ((bits[rows, col >> 6] >> shift) & np.uint64(1)).astype(np.bool_)


def score_pairs(
    pool: SupporterPool,
    batch: QueryBatch,
    *,
    seekers: np.ndarray,
    rows: np.ndarray,
    weights: Weights,
) -> np.ndarray:
    """Scores of seekers[i] with rows[i, j] ((S,) and (S, L); -1 = none), -inf if filtered.

    The same formula as :func:`api.matching.scoring.shortlist`, pair by pair.
    """
    seekers, rows = np.asarray(seekers), np.asarray(rows)
    valid = rows >= 0
    r2 = np.where(valid, rows, 0)
    # Cheap filters on the dense (S, L) block, broadcasting each seeker's own values...
    valid &= pool.eligible[r2]
    valid &= (pool.languages[r2] & batch.languages[seekers][:, None]) != 0
    valid &= (pool.channels[r2] & batch.channels[seekers][:, None]) != 0
    wanted = batch.availability[seekers]
    count = np.zeros(rows.shape, np.uint16)
    for word in range(WORDS):  # word by word: pool.availability is stored word-major
        column = pool.availability[:, word]
        count += np.bitwise_count(column[r2] & wanted[:, word : word + 1])
    valid &= count > 0
    # ...then the experience part only for the pairs that passed them.
    pair = np.flatnonzero(valid)
    s = seekers[pair // rows.shape[1]]
    r = r2.ravel()[pair]
    minutes = count.ravel()[pair].astype(np.int32) * SLOT_MINUTES

    tags = batch.tags[s]
    going = batch.going_through[s]
    score = np.zeros(r.size)
    further_any = np.zeros(r.size, np.bool_)
    has: list[np.ndarray] = []
    cats: list[np.ndarray] = []
    for j in range(tags.shape[1]):
        present = tags[:, j] >= 0
        tag = np.where(present, tags[:, j], 0)
        shares = _bit(pool.tag_bits, r, tag) & present
        further = _bit(pool.further_bits, r, tag) & shares
        idf = weights.experience * pool.idf_tags[tag]
        score += shares * idf
        score += further * going[:, j] * (weights.further_along_bonus * idf)
        further_any |= further
        has.append(shares)
        cats.append(np.where(present, pool.tag_category[tag], -1))
    for j, category in enumerate(cats):
        first = category >= 0  # credit each requested category once
        exact = has[j].copy()
        for i in range(len(cats)):
            if i < j:
                first &= cats[i] != category
            if i != j:
                exact |= has[i] & (cats[i] == category)
        c = np.maximum(category, 0)
        partial = _bit(pool.category_bits, r, c) & ~exact & first
        score += (
            partial * (weights.experience * weights.same_category_partial) * pool.idf_categories[c]
        )
    score += weights.shared_experience_base * (score > 0)

    score += weights.availability * np.minimum(minutes / 60.0, weights.availability_cap_hours)
    gender, age = batch.gender[s], batch.age_band[s]
    score += weights.gender * ((pool.gender[r] == gender) & (gender >= 0))
    score += weights.age_band * ((pool.age_band[r] == age) & (age >= 0))
    score += weights.further_along_pref * (further_any & batch.prefers_further_along[s])
    out = np.full(rows.size, -np.inf)
    out[pair] = score
    return out.reshape(rows.shape)


def _eligible_columns(pool: SupporterPool, name: str, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, rows) of column lists restricted to eligible rows, once per batch."""
    indptr, indices = pool.column_index(name)
    col_of = np.repeat(np.arange(n_cols), np.diff(indptr))
    keep = pool.eligible[indices]
    counts = np.bincount(col_of[keep], minlength=n_cols)
    return np.concatenate([[0], np.cumsum(counts)]), indices[keep]


def _sample(
    indptr: np.ndarray, flat: np.ndarray, cols: np.ndarray, width: int, offset: np.ndarray
) -> np.ndarray:
    """Up to ``width`` rows from the union of columns ``cols`` (S, K; -1 none), -1 padded.

    Systematic sampling over the concatenated columns: all rows when they fit, otherwise one
    row from each of ``width`` equal strata at a per-seeker offset, so seekers asking for the
    same experience see different (overlapping) parts of a popular column.
    """
    present = cols >= 0
    c = np.where(present, cols, 0)
    starts = indptr[c]
    lengths = np.where(present, indptr[c + 1] - starts, 0)
    ends = np.cumsum(lengths, axis=1)
    total = ends[:, -1:]
    j = np.arange(width, dtype=np.int64)[None, :]
    start = (offset[:, None] * total).astype(np.int64)  # in [0, total)
    u = np.where(total > width, (j * total + start) // width, j)
    ok = u < total
    if flat.size == 0:
        return np.full(u.shape, -1, np.int64)
    # Position of u in the concatenation -> position in ``flat``, one column at a time.
    pos = u + starts[:, :1]
    for k in range(1, cols.shape[1]):
        beyond = u >= ends[:, k - 1 : k]
        pos = np.where(beyond, u - ends[:, k - 1 : k] + starts[:, k : k + 1], pos)
    return np.where(ok, flat[np.minimum(pos, flat.size - 1)], -1)


def _dedupe_categories(cats: np.ndarray) -> np.ndarray:
    out = cats.copy()
    for j in range(1, cats.shape[1]):
        dup = (cats[:, :j] == cats[:, j : j + 1]).any(axis=1)
        out[dup, j] = -1
    return out


def batch_candidates(
    pool: SupporterPool,
    queries: Sequence[Query] | QueryBatch,
    *,
    weights: Weights | None = None,
    m: int = 30,
    probe: int = 512,
    related: int = 128,
    fallback: int = 32,
    excluded: tuple[np.ndarray, np.ndarray] | None = None,
    chunk: int = 1024,
    seed: int = 0,
) -> CandidatePairs:
    """Top-``m`` candidate pairs per seeker, probing at most ``probe + related + fallback``.

    ``excluded`` is (seeker indices, supporter rows) of pairs that must never be proposed
    (self, blocked, ended with a concern). Deterministic for a given ``seed``.
    """
    weights = weights or Weights()
    batch = queries if isinstance(queries, QueryBatch) else QueryBatch.pack(queries)
    n_pool = len(pool)
    if n_pool == 0 or len(batch) == 0:
        empty = np.zeros(0, np.int32)
        return CandidatePairs(empty, empty.copy(), np.zeros(0))
    n_tags, n_cats = pool.tags.shape[1], pool.categories.shape[1]
    tag_cols = _eligible_columns(pool, "tags", n_tags)
    further_cols = _eligible_columns(pool, "further", n_tags)
    cat_cols = _eligible_columns(pool, "categories", n_cats)
    anyone = (np.array([0, int(pool.eligible.sum())]), np.flatnonzero(pool.eligible))
    blocked = None
    if excluded is not None:
        blocked = np.unique(
            np.asarray(excluded[0], np.int64) * n_pool + np.asarray(excluded[1], np.int64)
        )
    offsets = np.random.default_rng(seed).random(len(batch))
    # Chunks of seekers with the same number of requested tags: no work on padding.
    n_requested = (batch.tags >= 0).sum(axis=1)
    by_width = np.argsort(n_requested, kind="stable")
    out_s, out_r, out_v = [], [], []
    for lo in range(0, len(batch), chunk):
        seekers = by_width[lo : lo + chunk]
        width = max(1, int(n_requested[seekers].max()))
        tags = batch.tags[seekers, :width]
        cats = _dedupe_categories(np.where(tags >= 0, pool.tag_category[np.maximum(tags, 0)], -1))
        off = offsets[seekers]
        # For experiences the seeker is going through, probe supporters further along first
        # (they score higher); fill any room left with the other sharers.
        going = batch.going_through[seekers, :width] & (tags >= 0)
        first = _sample(*further_cols, np.where(going, tags, -1), probe, off)
        rest = _sample(*tag_cols, tags, probe, off)
        taken = (first >= 0).sum(axis=1, keepdims=True)
        shift = np.clip(np.arange(probe)[None, :] - taken, 0, probe - 1)
        exact = np.where(first >= 0, first, np.take_along_axis(rest, shift, axis=1))
        parts = [exact, _sample(*cat_cols, cats, related, off)]
        if fallback:
            whole = np.zeros((seekers.size, 1), np.int64)
            parts.append(_sample(*anyone, whole, fallback, off))
        rows = np.sort(np.concatenate(parts, axis=1), axis=1)
        rows[:, 1:][rows[:, 1:] == rows[:, :-1]] = -1  # a row probed twice is scored once
        score = score_pairs(pool, batch, seekers=seekers, rows=rows, weights=weights)
        if blocked is not None and blocked.size:
            keys = seekers[:, None].astype(np.int64) * n_pool + np.maximum(rows, 0)
            hit = np.searchsorted(blocked, keys)
            banned = blocked[np.minimum(hit, blocked.size - 1)] == keys
            score[banned] = -np.inf
        if m < score.shape[1]:
            top = np.argpartition(-score, m - 1, axis=1)[:, :m]
        else:
            top = np.broadcast_to(np.arange(score.shape[1]), score.shape)
        best = np.take_along_axis(score, top, axis=1)
        keep = np.isfinite(best)
        out_s.append(np.broadcast_to(seekers[:, None], top.shape)[keep])
        out_r.append(np.take_along_axis(rows, top, axis=1)[keep])
        out_v.append(best[keep])
    return CandidatePairs(
        np.concatenate(out_s).astype(np.int32),
        np.concatenate(out_r).astype(np.int32),
        np.concatenate(out_v),
    )
