"""The index is the one that changes its snapshot: ``mark_unavailable``."""

from datetime import UTC, date, datetime

import numpy as np

from api.matching.availability import bits_from_slots
from api.matching.index import MatchingIndex
from api.matching.pool import SupporterPool, SupporterRecord
from api.matching.snapshot import Codes, Labels, Snapshot


def _snapshot(n: int) -> Snapshot:
    records = [
        SupporterRecord(
            key=bytes([i]) * 16,
            experiences=[(0, "further_along", True)],
            languages=1,
            channels=1,
            availability=bits_from_slots(range(10)),
        )
        for i in range(n)
    ]
    pool = SupporterPool.build(records, 1, 1, [0])
    labels = Labels(tags={0: "t"}, categories={0: "c"}, tag_category=np.zeros(1, np.int32))
    return Snapshot(pool, labels, Codes(), date(2026, 3, 9), datetime(2026, 3, 9, tzinfo=UTC))


def test_mark_unavailable_changes_only_the_given_rows_of_that_snapshot() -> None:
    index = MatchingIndex()
    snapshot, other = _snapshot(4), _snapshot(4)
    index.mark_unavailable(snapshot, [1, 3])
    assert snapshot.pool.eligible.tolist() == [True, False, True, False]
    assert other.pool.eligible.all()
    index.mark_unavailable(snapshot, np.flatnonzero(np.array([1, 0, 0, 0]) > 0))
    assert snapshot.pool.eligible.tolist() == [False, False, True, False]
    index.mark_unavailable(snapshot, [])
    assert snapshot.pool.eligible.tolist() == [False, False, True, False]
