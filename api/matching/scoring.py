"""Scoring kernel: IDF-weighted shared-experience score over the columnar pool, top-k shortlist.

Pure numpy/scipy: no database, no web. The caller maps its own ids to row indices and tag /
category / language / channel codes to small integers (:mod:`api.matching.pool`), keeps
``eligible`` current, and turns a :class:`Candidate` into words with :mod:`api.matching.reasons`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from api.matching.availability import overlap_minutes_many
from api.matching.pool import (
    CHANNELS,
    FURTHER_ALONG,
    GOING_THROUGH,
    SupporterPool,
    SupporterRecord,
    bitmask,
)

# The pool's names, still importable from here.
__all__ = [
    "CHANNELS",
    "FURTHER_ALONG",
    "GOING_THROUGH",
    "Breakdown",
    "Candidate",
    "Query",
    "Similarity",
    "SupporterPool",
    "SupporterRecord",
    "Weights",
    "bitmask",
    "shortlist",
]


@dataclass(frozen=True)
class Weights:
    """How much each part of the score counts. Defaults keep shared experience primary.

    - ``experience``: per unit of IDF of a requested tag the supporter shares (and is willing
      to talk about). Rarer shared experiences therefore count for more.
    - ``same_category_partial``: fraction of the category's IDF given when the supporter has a
      different tag in the same category (and none of the requested tags in it).
    - ``further_along_bonus``: extra fraction of a shared tag's IDF when the seeker is going
      through it and the supporter is further along.
    - ``shared_experience_base``: added once when anything at all is shared; it must exceed
      every other part together, so any shared experience outranks none (checked).
    - ``availability`` per hour of weekly overlap, counted up to ``availability_cap_hours``.
    - ``gender`` / ``age_band`` / ``further_along_pref``: when the seeker's soft preference (a
      gender, an age band, someone further along with a requested experience) is met.
    - ``text_similarity``: times the similarity (0..1) of the experiences in their own words.
    """

    experience: float = 1.0
    same_category_partial: float = 0.35
    further_along_bonus: float = 0.5
    shared_experience_base: float = 2.5
    availability: float = 0.1
    availability_cap_hours: float = 5.0
    gender: float = 0.4
    age_band: float = 0.3
    further_along_pref: float = 0.3
    text_similarity: float = 0.5

    def __post_init__(self) -> None:
        if min(vars(self).values()) < 0 or self.experience <= 0:
            raise ValueError("weights must be non-negative and experience positive")
        if self.shared_experience_base <= self.max_secondary:
            raise ValueError("shared_experience_base must exceed all non-experience parts")

    @property
    def max_secondary(self) -> float:
        """Largest score a candidate can get without any shared experience."""
        prefs = self.gender + self.age_band + self.further_along_pref + self.text_similarity
        return self.availability * self.availability_cap_hours + prefs


@dataclass(frozen=True)
class Query:
    """One seeker's request: requested tags with the seeker's stage, hard masks, soft prefs."""

    tags: Mapping[int, str]
    languages: int
    channels: int
    availability: np.ndarray
    gender: int = -1
    age_band: int = -1
    prefers_further_along: bool = False


@dataclass(frozen=True)
class Breakdown:
    """Why a candidate scored what it did; enough for reasons, nothing private."""

    shared_tags: tuple[int, ...]
    further_along_tags: tuple[int, ...]  # shared tags the supporter is further along with
    partial_categories: tuple[int, ...]  # requested categories shared through another tag
    overlap_minutes: int
    overlap: tuple[int, ...]  # the shared UTC slots, 6 words
    shared_channels: int
    shared_languages: int
    gender_match: bool
    age_band_match: bool
    further_pref_match: bool
    text_similarity: float | None
    experience_score: float
    availability_score: float
    preference_score: float
    text_score: float


@dataclass(frozen=True)
class Candidate:
    """A shortlisted supporter: pool row, caller's key, total score and its breakdown."""

    index: int
    key: Hashable
    score: float
    breakdown: Breakdown


def _experience_scores(pool: SupporterPool, query: Query, weights: Weights) -> np.ndarray:
    """Experience part (without the base) for every row, float32.

    Linear where it can be: a row sharing tag t always has t's category c, so when t is the
    only requested tag in c, "c's partial credit unless t is shared" is p_c * has_c + (a_t -
    p_c) * has_t. Categories with several requested tags are fixed up by a small scatter.
    """
    n_tags = pool.n_tags
    by_category: dict[int, list[int]] = {}
    for tag in query.tags:
        by_category.setdefault(int(pool.tag_category[tag]), []).append(tag)
    partial = {
        c: weights.experience * weights.same_category_partial * pool.idf_categories[c]
        for c in by_category
    }
    rows: list[int] = []
    coef: list[float] = []
    for tag, stage in query.tags.items():
        exact = weights.experience * pool.idf_tags[tag]
        category = int(pool.tag_category[tag])
        single = len(by_category[category]) == 1
        rows.append(tag)
        coef.append(exact - partial[category] if single else exact)
        if stage == GOING_THROUGH and weights.further_along_bonus:
            rows.append(n_tags + tag)
            coef.append(exact * weights.further_along_bonus)
    for category, tags in by_category.items():
        if len(tags) == 1:
            rows.append(2 * n_tags + category)
            coef.append(partial[category])
    if not rows:
        return np.zeros(len(pool), np.float32)
    score = np.asarray(coef, np.float32) @ pool.features_t[rows]
    for category, tags in by_category.items():
        if len(tags) > 1:
            hit = np.zeros(len(pool), np.bool_)
            hit[pool.column("categories", category)] = True
            for tag in tags:  # partial credit only where no requested tag of c is shared
                hit[pool.column("tags", tag)] = False
            score[hit] += np.float32(partial[category])
    return score


def _top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best finite scores, best first, ties to the lower index."""
    # Compress first: introselect degrades badly on arrays that are mostly -inf ties.
    pos = np.flatnonzero(np.isfinite(score))
    values = score[pos]
    if k < pos.size:
        # argpartition picks arbitrarily among ties at the boundary: widen to all tied values.
        threshold = values[np.argpartition(-values, k - 1)[:k]].min()
        keep = values >= threshold
        pos, values = pos[keep], values[keep]
    return pos[np.argsort(-values, kind="stable")[:k]]  # pos ascending: stable = by index


def _row_set(matrix: sp.csr_array, i: int) -> set[int]:
    return set(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tolist())


def _best(values: np.ndarray, m: int) -> np.ndarray:
    """Positions of the m largest values, in no particular order."""
    if m >= values.size:
        return np.arange(values.size)
    return np.argpartition(-values, m - 1)[:m]


# For some pool rows, how alike their own words are to the seeker's: 0..1, NaN if unknown.
Similarity = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _Rest:
    """Availability and soft preferences for some rows: each part is never negative."""

    minutes: np.ndarray  # weekly overlap; 0 fails the hard filter
    availability: np.ndarray
    prefs: np.ndarray


def _rest(pool: SupporterPool, query: Query, weights: Weights, rows: np.ndarray) -> _Rest:
    if rows.size > len(pool) // 4:  # reading whole columns beats gathering most of them
        minutes = overlap_minutes_many(query.availability, pool.availability)[rows]
    else:
        minutes = overlap_minutes_many(query.availability, pool.availability[rows])
    availability = np.minimum(minutes, weights.availability_cap_hours * 60, dtype=np.float32)
    availability *= np.float32(weights.availability / 60)
    prefs = np.zeros(rows.size, np.float32)
    if query.gender >= 0:
        prefs += (pool.gender[rows] == query.gender) * np.float32(weights.gender)
    if query.age_band >= 0:
        prefs += (pool.age_band[rows] == query.age_band) * np.float32(weights.age_band)
    if query.prefers_further_along:
        further_any = np.zeros(rows.size, np.bool_)
        for tag in query.tags:
            further_any |= (pool.further_bits[rows, tag >> 6] & np.uint64(1 << (tag & 63))) != 0
        prefs += further_any * np.float32(weights.further_along_pref)
    return _Rest(minutes, availability, prefs)


def _ceiling(query: Query, weights: Weights) -> float:
    """The most that availability and soft preferences can add for this query."""
    ceiling = weights.availability * weights.availability_cap_hours
    ceiling += weights.gender if query.gender >= 0 else 0.0
    ceiling += weights.age_band if query.age_band >= 0 else 0.0
    return ceiling + (weights.further_along_pref if query.prefers_further_along else 0.0)


def _own_words(
    total: np.ndarray, rows: np.ndarray, similarity: Similarity, weight: float, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(similarity, its score) for these rows, asked only about rows whose own words could
    still lift them into the top k: words add at most ``weight``. NaN/0 for the others."""
    found = np.full(rows.size, np.nan, np.float32)
    finite = np.isfinite(total)
    kth = np.partition(total[finite], -k)[-k] if np.count_nonzero(finite) >= k else -np.inf
    ask = np.flatnonzero(finite & (total >= np.float32(kth - weight - 1e-3)))
    found[ask] = similarity(rows[ask])
    return found, np.clip(np.nan_to_num(found), 0.0, 1.0) * np.float32(weight)


def _known(values: np.ndarray | None, j: int) -> float | None:
    if values is None or np.isnan(values[j]):
        return None
    return float(values[j])


def _contenders(
    pool: SupporterPool,
    query: Query,
    weights: Weights,
    idx: np.ndarray,
    experience: np.ndarray,
    with_words: bool,
    k: int,
) -> np.ndarray:
    """Positions (ascending, so ties go to the lower row) of every row of ``idx`` that could
    be in the top k; ``experience`` is their experience part.

    Everything but experience adds at most a known ceiling. Once k rows are known to score at
    least L before their own words, no row whose experience is below L - ceiling can get in,
    so only the band above that is scored in full. When many rows tie at the top (a common
    experience), that band is most of them: then everyone is, without the detour.
    """
    if np.count_nonzero(experience >= experience.max(initial=0)) * 4 > idx.size:
        return np.arange(idx.size)
    ceiling = _ceiling(query, weights) + (weights.text_similarity if with_words else 0.0)
    m = 4 * k
    while m < idx.size:  # the best m by experience, until k of them pass the availability filter
        pos = _best(experience, m)
        rest = _rest(pool, query, weights, idx[pos])
        found = rest.minutes > 0
        if np.count_nonzero(found) >= k:
            floor = np.partition((experience[pos] + rest.availability + rest.prefs)[found], -k)[-k]
            # Float32 sums: keep a margin rather than ever drop a row that belongs.
            return np.flatnonzero(experience >= np.float32(floor - ceiling - 1e-3))
        m *= 4
    return np.arange(idx.size)


def shortlist(
    pool: SupporterPool,
    query: Query,
    weights: Weights | None = None,
    k: int = 5,
    extra_mask: np.ndarray | None = None,
    similarity: Similarity | None = None,
) -> list[Candidate]:
    """Top-k eligible supporters for one query, best first, each with a score breakdown.

    Hard filters: ``pool.eligible``, a shared language, a shared channel, some availability
    overlap, and ``extra_mask`` (False excludes: the seeker themself, blocked pairs, pairs ended
    with a concern, hard preferences). ``similarity`` gives, for some rows, how alike their own
    words are to the seeker's (0..1; NaN for someone who wrote none): it is only ever asked
    about the few rows near the top.

    Exact: shared experience is scored for everyone (one sparse product), the rest only for
    rows that could still reach the top k (:func:`_contenders`), and own words only for those
    they could still lift into it.
    """
    weights = weights or Weights()
    if len(pool) == 0 or k <= 0:
        return []
    valid = pool.eligible & ((pool.languages & np.uint64(query.languages)) != 0)
    valid &= (pool.channels & np.uint8(query.channels)) != 0
    if extra_mask is not None:
        valid &= extra_mask
    idx = np.flatnonzero(valid)
    experience = _experience_scores(pool, query, weights)[idx]
    experience += (experience > 0) * np.float32(weights.shared_experience_base)
    pos = _contenders(pool, query, weights, idx, experience, similarity is not None, k)
    rest = _rest(pool, query, weights, idx[pos])
    total = experience[pos] + rest.availability + rest.prefs
    np.putmask(total, rest.minutes == 0, -np.inf)
    similar = text = None
    if similarity is not None:
        similar, text = _own_words(total, idx[pos], similarity, weights.text_similarity, k)
        total += text

    out = []
    for j in _top_k(total, k).tolist():
        p = int(pos[j])
        i = int(idx[p])
        row_tags = _row_set(pool.tags, i)
        row_further = _row_set(pool.further, i)
        row_cats = _row_set(pool.categories, i)
        shared = tuple(sorted(t for t in query.tags if t in row_tags))
        further = tuple(t for t in shared if t in row_further)
        exact_cats = {int(pool.tag_category[t]) for t in shared}
        partial = tuple(sorted({int(pool.tag_category[t]) for t in query.tags} - exact_cats))
        partial = tuple(c for c in partial if c in row_cats)
        overlap = np.bitwise_and(pool.availability[i], np.asarray(query.availability, np.uint64))
        breakdown = Breakdown(
            shared_tags=shared,
            further_along_tags=further,
            partial_categories=partial,
            overlap_minutes=int(rest.minutes[j]),
            overlap=tuple(int(w) for w in overlap),
            shared_channels=int(pool.channels[i]) & query.channels,
            shared_languages=int(pool.languages[i]) & query.languages,
            gender_match=query.gender >= 0 and int(pool.gender[i]) == query.gender,
            age_band_match=query.age_band >= 0 and int(pool.age_band[i]) == query.age_band,
            further_pref_match=query.prefers_further_along and bool(further),
            text_similarity=_known(similar, j),
            experience_score=float(experience[p]),
            availability_score=float(rest.availability[j]),
            preference_score=float(rest.prefs[j]),
            text_score=0.0 if text is None else float(text[j]),
        )
        out.append(Candidate(i, pool.ids[i], float(total[j]), breakdown))
    return out
