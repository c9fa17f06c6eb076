"""Columnar supporter pool: one row per supporter, sparse experience matrices and bitsets.

Pure numpy/scipy, built once per snapshot (api/matching/index.py) and read by the shortlist
kernel (api/matching/scoring.py) and the batch path (api/matching/batch.py). The caller keeps
``eligible`` current through the index.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import scipy.sparse as sp

from api.matching.availability import WORDS

GOING_THROUGH = "going_through"
FURTHER_ALONG = "further_along"
# Bit order of the channel mask; matches api.profiles.models.Channel values.
CHANNELS = ("chat", "phone", "video", "in_person")


def bitmask(items: Iterable[str], index: Mapping[str, int]) -> int:
    """Mask with bit ``index[item]`` set for every known item (unknown items are ignored)."""
    return sum(1 << bit for bit in {index[item] for item in items if item in index})


@dataclass(frozen=True)
class SupporterRecord:
    """One supporter as the caller knows them; ``experiences`` are (tag, stage, willing)."""

    key: Hashable
    experiences: Sequence[tuple[int, str, bool]]
    languages: int
    channels: int
    availability: np.ndarray
    gender: int = -1
    age_band: int = -1
    eligible: bool = True


def _binary_csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_array:
    data = np.ones(rows.size, np.float32)
    matrix = sp.csr_array((data, (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _bits(matrix: sp.csr_array, n_cols: int) -> np.ndarray:
    coo = matrix.tocoo()
    rows, cols = coo.row.astype(np.intp), coo.col.astype(np.intp)
    out = np.zeros((matrix.shape[0], max(1, -(-n_cols // 64))), np.uint64, order="F")
    np.bitwise_or.at(
        out, (rows, cols >> 6), np.left_shift(np.uint64(1), (cols & 63).astype(np.uint64))
    )
    return out


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    return np.log1p(n / (1.0 + df))


@dataclass(eq=False)
class SupporterPool:
    """Columnar arrays for n supporters; row i of every array is the same supporter."""

    ids: list[Hashable]
    tags: sp.csr_array  # n x T, 1.0 where the supporter has the tag and will talk about it
    further: sp.csr_array  # n x T, 1.0 where that willing tag is "further along"
    categories: sp.csr_array  # n x C, 1.0 where any willing tag is in category c
    languages: np.ndarray  # uint64 mask
    channels: np.ndarray  # uint8 mask
    availability: np.ndarray  # n x 6 uint64
    gender: np.ndarray  # int8, -1 unknown
    age_band: np.ndarray  # int8, -1 unknown
    eligible: np.ndarray  # bool: approved, not paused, free capacity (caller maintains)
    tag_category: np.ndarray  # T int32
    idf_tags: np.ndarray = field(init=False)
    idf_categories: np.ndarray = field(init=False)
    # Derived for speed. ``features_t`` stacks tags.T, further.T and categories.T as one CSR
    # ((2T + C) x n): a query reads only its own few rows of it and scores everyone with one
    # sparse mat-vec. The bitsets let the batch path test (seeker, supporter) pairs directly.
    features_t: sp.csr_array = field(init=False, repr=False)
    rows: dict[Hashable, int] = field(init=False, repr=False)  # key -> row
    tag_bits: np.ndarray = field(init=False, repr=False)
    further_bits: np.ndarray = field(init=False, repr=False)
    category_bits: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        # Word-major storage: a query reads each of the 6 words as one contiguous column.
        self.availability = np.asfortranarray(self.availability, dtype=np.uint64)
        self.idf_tags = _idf(np.asarray(self.tags.sum(axis=0)).ravel(), n)
        self.idf_categories = _idf(np.asarray(self.categories.sum(axis=0)).ravel(), n)
        stacked = sp.vstack([self.tags.T, self.further.T, self.categories.T], format="csr")
        self.features_t = sp.csr_array(stacked, dtype=np.float32)
        self.features_t.sort_indices()
        self.rows = {key: i for i, key in enumerate(self.ids)}
        self.tag_bits = _bits(self.tags, self.n_tags)
        self.further_bits = _bits(self.further, self.n_tags)
        self.category_bits = _bits(self.categories, self.categories.shape[1])

    @property
    def n_tags(self) -> int:
        return int(self.tags.shape[1])

    @classmethod
    def build(
        cls,
        records: Sequence[SupporterRecord],
        n_tags: int,
        n_categories: int,
        tag_category: Sequence[int] | np.ndarray,
    ) -> SupporterPool:
        """Build the pool from per-supporter records; unwilling experiences are left out."""
        n = len(records)
        tag_cat = np.asarray(tag_category, np.int32)
        if tag_cat.shape != (n_tags,):
            raise ValueError("tag_category needs one category per tag")
        # (row, tag, further along?) for every experience they are willing to talk about:
        # never match on what someone does not want to discuss.
        entries = [
            (i, tag, stage == FURTHER_ALONG)
            for i, record in enumerate(records)
            for tag, stage, willing in record.experiences
            if willing
        ]
        r, c, f = np.fromiter(chain.from_iterable(entries), np.int32).reshape(-1, 3).T
        further = f.astype(np.bool_)
        tags = _binary_csr(r, c, (n, n_tags))
        categories = _binary_csr(r, tag_cat[c], (n, n_categories))
        avail = np.array([record.availability for record in records], np.uint64)
        return cls(
            ids=[record.key for record in records],
            tags=tags,
            further=_binary_csr(r[further], c[further], (n, n_tags)),
            categories=categories,
            languages=np.fromiter((x.languages for x in records), np.uint64, n),
            channels=np.fromiter((x.channels for x in records), np.uint8, n),
            availability=avail.reshape(n, WORDS),
            gender=np.fromiter((x.gender for x in records), np.int8, n),
            age_band=np.fromiter((x.age_band for x in records), np.int8, n),
            eligible=np.fromiter((x.eligible for x in records), np.bool_, n),
            tag_category=tag_cat,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def column_index(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, rows) of every column of ``tags``, ``further`` or ``categories`` (CSC)."""
        start = {"tags": 0, "further": self.n_tags, "categories": 2 * self.n_tags}[name]
        size = self.categories.shape[1] if name == "categories" else self.n_tags
        indptr = self.features_t.indptr[start : start + size + 1]
        return indptr - indptr[0], self.features_t.indices[indptr[0] : indptr[-1]]

    def column(self, name: str, j: int) -> np.ndarray:
        """Rows that have column ``j`` of ``tags``, ``further`` or ``categories``."""
        indptr, rows = self.column_index(name)
        return rows[indptr[j] : indptr[j + 1]]

    def nbytes(self) -> int:
        """Bytes held in the pool's arrays (not counting the ``ids`` list)."""
        total = 0
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                total += value.nbytes
            elif sp.issparse(value):
                total += value.data.nbytes + value.indices.nbytes + value.indptr.nbytes
        return total
