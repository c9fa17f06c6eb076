"""The scoring kernel and reasons: IDF, partial credit, further along, filters, prefs, words."""

import re
from datetime import date

import numpy as np
import pytest

from api.matching.availability import bits_from_slots, to_utc_slots
from api.matching.batch import QueryBatch, score_pairs
from api.matching.reasons import reasons
from api.matching.scoring import (
    FURTHER_ALONG,
    GOING_THROUGH,
    Query,
    SupporterPool,
    SupporterRecord,
    Weights,
    shortlist,
)
from api.weekly.windows import parse_window_text

WEEK = date(2026, 3, 9)
ALWAYS = bits_from_slots(range(336))
# tags 0-2: bereavement (0), 3-4: life events (1), 5: work (2)
TAG_CATEGORY = [0, 0, 0, 1, 1, 2]
TAGS = {0: "losing a parent", 1: "losing a partner", 2: "losing a child", 3: "divorce"}
TAGS |= {4: "moving country", 5: "burnout"}
CATEGORIES = {0: "bereavement", 1: "big life changes", 2: "work"}
CHAT, PHONE, VIDEO = 1, 2, 4


def rec(key, *tags, stage=FURTHER_ALONG, **kw):
    """A supporter holding ``tags`` (all at ``stage``, willing), free all week by default."""
    fields = {"languages": 1, "channels": CHAT, "availability": ALWAYS} | kw
    return SupporterRecord(key, [(t, stage, True) for t in tags], **fields)


def build(records):
    return SupporterPool.build(records, len(TAG_CATEGORY), len(CATEGORIES), TAG_CATEGORY)


def ask(tags, **kw):
    """A query for ``tags`` (tag -> stage, or an iterable of tags going through)."""
    if not isinstance(tags, dict):
        tags = dict.fromkeys(tags, GOING_THROUGH)
    fields = {"languages": 1, "channels": CHAT, "availability": ALWAYS} | kw
    return Query(tags, **fields)


def keys(candidates):
    return [c.key for c in candidates]


def test_idf_rarer_shared_experience_counts_more():
    # tag 0 is common in the community (held by many, mostly unavailable); tag 3 is rare.
    crowd = [rec(f"crowd{i}", 0, eligible=False) for i in range(20)]
    pool = build([rec("common", 0), rec("rare", 3), *crowd])
    assert pool.idf_tags[3] > pool.idf_tags[0]
    assert pool.idf_tags[0] == pytest.approx(np.log1p(22 / 22))
    assert keys(shortlist(pool, ask([0, 3], prefers_further_along=False))) == ["rare", "common"]


def test_same_category_counts_partly():
    pool = build([rec("other-category", 5), rec("same-category", 1), rec("same-tag", 0)])
    top = shortlist(pool, ask([0]))
    assert keys(top) == ["same-tag", "same-category", "other-category"]
    partial = top[1].breakdown
    assert partial.shared_tags == () and partial.partial_categories == (0,)
    w = Weights()
    expected = w.shared_experience_base + w.same_category_partial * pool.idf_categories[0]
    assert partial.experience_score == pytest.approx(expected, rel=1e-5)
    assert top[0].breakdown.partial_categories == ()  # an exact match is not also "related"


def test_further_along_bonus_only_when_the_seeker_is_going_through():
    pool = build([rec("going", 3, stage=GOING_THROUGH), rec("further", 3)])
    going = shortlist(pool, ask({3: GOING_THROUGH}))
    assert keys(going) == ["further", "going"]
    assert going[0].breakdown.further_along_tags == (3,)
    assert going[0].score > going[1].score
    settled = shortlist(pool, ask({3: FURTHER_ALONG}))
    assert settled[0].score == pytest.approx(settled[1].score)
    assert keys(settled) == ["going", "further"]  # a tie goes to the lower index


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("languages", 2),  # speaks only another language
        ("channels", PHONE),  # no channel in common
        ("availability", bits_from_slots([0])),  # free only when the seeker is not
        ("eligible", False),  # paused, not approved or full
    ],
)
def test_hard_filters_exclude(field, value):
    seeker_time = bits_from_slots(range(10, 300))
    pool = build([rec("ok", 0), rec("filtered", 0, **{field: value})])
    assert keys(shortlist(pool, ask([0], availability=seeker_time))) == ["ok"]


def test_extra_mask_excludes_self_and_blocked_pairs():
    pool = build([rec("self", 0), rec("blocked", 0), rec("ok", 1)])
    mask = np.array([False, False, True])
    assert keys(shortlist(pool, ask([0]), extra_mask=mask)) == ["ok"]


def test_soft_preferences_reorder_but_never_filter():
    pool = build([rec("a", 0, gender=0, age_band=1), rec("b", 0, gender=1, age_band=2)])
    assert keys(shortlist(pool, ask([0]))) == ["a", "b"]
    assert keys(shortlist(pool, ask([0], gender=1))) == ["b", "a"]
    assert keys(shortlist(pool, ask([0], age_band=2))) == ["b", "a"]
    top = shortlist(pool, ask([0], gender=1, age_band=1))
    assert len(top) == 2 and top[0].breakdown.gender_match != top[1].breakdown.gender_match


def test_shared_experience_outranks_everything_else():
    weak_time = bits_from_slots([100])  # 30 minutes a week
    pool = build(
        [
            rec("nothing-shared", 5, gender=1, age_band=1, availability=ALWAYS),
            rec("related", 1, availability=weak_time),
        ]
    )
    query = ask([0], gender=1, age_band=1, prefers_further_along=True)
    top = shortlist(pool, query, similarity=np.array([1.0, 0.0]).__getitem__)
    assert keys(top) == ["related", "nothing-shared"]
    assert top[1].breakdown.text_score > 0 and top[1].breakdown.preference_score > 0


def test_weights_must_keep_experience_primary():
    with pytest.raises(ValueError):
        Weights(shared_experience_base=1.0)
    with pytest.raises(ValueError):
        Weights(gender=-1)


def test_deterministic_ties_by_index_and_k():
    pool = build([rec(f"s{i}", 0) for i in range(30)])
    first = shortlist(pool, ask([0]), k=7)
    assert keys(first) == [f"s{i}" for i in range(7)]
    assert keys(shortlist(pool, ask([0]), k=7)) == keys(first)
    assert len(shortlist(pool, ask([0]), k=100)) == 30
    assert shortlist(pool, ask([0]), k=0) == []


def test_unwilling_experiences_are_not_matched():
    unwilling = SupporterRecord("quiet", [(0, FURTHER_ALONG, False)], 1, CHAT, ALWAYS)
    pool = build([unwilling, rec("open", 0)])
    top = shortlist(pool, ask([0]))
    assert keys(top) == ["open", "quiet"]
    assert top[1].breakdown.shared_tags == ()


def test_batch_pair_scores_match_the_shortlist():
    rng = np.random.default_rng(5)
    records = [
        SupporterRecord(
            f"s{i}",
            [(int(t), str(rng.choice([GOING_THROUGH, FURTHER_ALONG])), True) for t in tags],
            int(rng.integers(1, 4)),
            int(rng.integers(1, 8)),
            bits_from_slots(rng.choice(336, 40, replace=False)),
            int(rng.integers(-1, 2)),
            int(rng.integers(-1, 3)),
            bool(rng.random() < 0.8),
        )
        for i, tags in enumerate(rng.integers(0, 6, (60, 3)))
    ]
    pool = build(records)
    queries = [
        ask(
            {int(t): GOING_THROUGH if rng.random() < 0.7 else FURTHER_ALONG for t in tags},
            languages=int(rng.integers(1, 4)),
            channels=int(rng.integers(1, 8)),
            availability=bits_from_slots(rng.choice(336, 80, replace=False)),
            gender=int(rng.integers(-1, 2)),
            age_band=int(rng.integers(-1, 3)),
            prefers_further_along=bool(rng.random() < 0.5),
        )
        for tags in [rng.choice(6, rng.integers(1, 4), replace=False) for _ in range(25)]
    ]
    batch = QueryBatch.pack(queries)
    rows = np.broadcast_to(np.arange(len(pool)), (len(queries), len(pool)))
    pair_scores = score_pairs(
        pool, batch, seekers=np.arange(len(queries)), rows=rows, weights=Weights()
    )
    for s, query in enumerate(queries):
        expected = np.full(len(pool), -np.inf)
        for c in shortlist(pool, query, k=len(pool)):
            expected[c.index] = c.score
        np.testing.assert_allclose(pair_scores[s], expected, rtol=1e-5)


def test_reasons_in_plain_words():
    tuesday_evening = to_utc_slots(parse_window_text("Tue 18:00-21:00"), "Europe/London", WEEK)
    pool = build(
        [
            SupporterRecord(
                "supporter-key-123",
                [(0, GOING_THROUGH, True), (3, FURTHER_ALONG, True), (4, FURTHER_ALONG, True)],
                languages=1,
                channels=CHAT | VIDEO,
                availability=ALWAYS,
                gender=1,
                age_band=3,
            ),
        ]
    )
    query = ask(
        {0: GOING_THROUGH, 3: GOING_THROUGH, 2: GOING_THROUGH, 5: GOING_THROUGH},
        channels=VIDEO | PHONE,
        availability=tuesday_evening,
        gender=1,
    )
    [candidate] = shortlist(pool, query, similarity=np.array([0.8]).__getitem__)
    words = reasons(candidate, TAGS, CATEGORIES, "Europe/London", WEEK)
    assert words == [
        "You both have experience of losing a parent",
        "They have been through divorce and are further along with it",
        "They describe similar experiences in their own words",
        "You're both free on Tuesday evenings",
        "You can both use video calls",
        "They match what you asked for on gender",
    ]
    text = " ".join(words)
    assert "supporter-key-123" not in text and not re.search(r"\d", text)  # no ids, no ages
    assert "moving country" not in text  # not asked about: not shown


def test_reasons_for_related_experience_and_times_in_the_seekers_zone():
    evenings = to_utc_slots(
        parse_window_text("Tue 18:00-21:00, Thu 18:00-21:00, Sat 09:00-12:00"),
        "Europe/London",
        WEEK,
    )
    pool = build([rec("s", 1, availability=evenings, channels=CHAT)])
    [candidate] = shortlist(pool, ask([0], availability=ALWAYS))
    words = reasons(candidate, TAGS, CATEGORIES, "Europe/London", WEEK, max_periods=2)
    assert words[0] == "You have related experiences of bereavement"
    assert words[1] == "You're both free on Tuesday and Thursday evenings and other times"
    assert words[2] == "You can both use in-app chat"
    # In New York (4 hours behind London that week) Saturday 09:00-12:00 London is 05:00-08:00:
    # one hour of "Friday night", left out for the longer periods.
    in_new_york = reasons(candidate, TAGS, CATEGORIES, "America/New_York", WEEK, max_periods=3)
    expected = (
        "You're both free on Tuesday and Thursday afternoons, Saturday mornings and other times"
    )
    assert in_new_york[1] == expected


@pytest.mark.parametrize("with_text", [False, True])
def test_shortlist_scores_only_the_top_band_but_finds_exactly_the_best(with_text):
    # The kernel finishes only rows whose experience could still reach the top k. Against
    # every pair scored in full (score_pairs, checked above), on a realistic pool, it must
    # find a best k: the same scores in the same order, each the row's true score. (Which of
    # two rows tied to within float rounding comes first is not asserted.)
    from bench import synthetic

    tax = synthetic.taxonomy()
    records, _ = synthetic.supporters(3000, tax, week_start=WEEK, seed=11)
    pool = SupporterPool.build(records, tax.n_tags, tax.n_categories, tax.tag_category)
    queries, _ = synthetic.seekers(60, tax, week_start=WEEK, seed=12)
    rng = np.random.default_rng(13)
    text = rng.random(len(pool)).round(1) if with_text else None  # coarse: many near-ties
    rows = np.broadcast_to(np.arange(len(pool)), (len(queries), len(pool)))
    every = score_pairs(
        pool,
        QueryBatch.pack(queries),
        seekers=np.arange(len(queries)),
        rows=rows,
        weights=Weights(),
    )
    for s, query in enumerate(queries):
        scores = (
            every[s]
            if text is None
            else every[s]
            + np.where(
                np.isfinite(every[s]), text.astype(np.float32) * Weights().text_similarity, 0
            )
        )
        for k in (1, 5, 40):
            found = shortlist(
                pool, query, k=k, similarity=None if text is None else text.__getitem__
            )
            finite = np.flatnonzero(np.isfinite(scores))
            best = finite[np.lexsort((finite, -scores[finite]))][:k]
            assert len({c.index for c in found}) == len(found) == len(best), (s, k)
            np.testing.assert_allclose([c.score for c in found], scores[best], rtol=1e-5)
            np.testing.assert_allclose(
                [c.score for c in found], scores[[c.index for c in found]], rtol=1e-5
            )
