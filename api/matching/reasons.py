"""Plain, kind reasons for a match, built only from a candidate's breakdown and public labels.

Nothing private goes in: no free text, no contact details, no exact age, not even the other
person's gender or age band (only that a preference the seeker asked for is met).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np

from api.matching.availability import shared_local_periods
from api.matching.scoring import Candidate
from api.weekly.windows import WEEKDAYS

PART_PLURALS = {
    "morning": "mornings",
    "afternoon": "afternoons",
    "evening": "evenings",
    "night": "nights",
}
# In the bit order of api.matching.scoring.CHANNELS.
CHANNEL_PHRASES = ("in-app chat", "phone calls", "video calls", "meeting in person")
TEXT_SIMILARITY_THRESHOLD = 0.5


def join_words(items: Sequence[str]) -> str:
    """Join words as "a", "a and b" or "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _labels(indices: Sequence[int], labels: Mapping[int, str]) -> list[str]:
    return [labels[i] for i in indices if i in labels]


def _mask_phrases(mask: int, phrases: Sequence[str]) -> list[str]:
    return [phrase for bit, phrase in enumerate(phrases) if mask >> bit & 1]


def _times(candidate: Candidate, seeker_tz: str, week_start: date, limit: int) -> str | None:
    overlap = np.asarray(candidate.breakdown.overlap, np.uint64)
    periods = shared_local_periods(overlap, overlap, seeker_tz, week_start)
    if not periods:
        return None
    # Name the longest shared periods so the sentence stays short, grouped by part of day
    # and in weekday order: "Tuesday and Thursday evenings and Saturday mornings".
    best = sorted(periods, key=lambda p: -p.minutes)[:limit]
    days: dict[str, list[int]] = {}
    for period in sorted(best):
        days.setdefault(period.part, []).append(period.weekday)
    groups = [
        f"{join_words([WEEKDAYS[d] for d in ds])} {PART_PLURALS[part]}" for part, ds in days.items()
    ]
    if len(periods) > limit:
        groups.append("other times")
    return f"You're both free on {join_words(groups)}"


def reasons(
    candidate: Candidate,
    tag_labels: Mapping[int, str],
    category_labels: Mapping[int, str],
    seeker_tz: str,
    week_start: date,
    language_labels: Mapping[int, str] | None = None,
    channel_phrases: Sequence[str] = CHANNEL_PHRASES,
    max_periods: int = 2,
) -> list[str]:
    """Sentences explaining why this supporter was suggested, most important first.

    ``tag_labels`` / ``category_labels`` map indices to phrases that read after "experience of"
    ("losing a parent", "bereavement"). Times are given in the seeker's own zone ``seeker_tz``
    for the reference week ``week_start`` the pool was built for. Languages are mentioned only
    when ``language_labels`` (bit -> name) is given, e.g. to call out a shared language other
    than the service's default.
    """
    b = candidate.breakdown
    out: list[str] = []
    further = set(b.further_along_tags)
    together = _labels([t for t in b.shared_tags if t not in further], tag_labels)
    if together:
        out.append(f"You both have experience of {join_words(together)}")
    further_along = _labels(b.further_along_tags, tag_labels)
    if further_along:
        it = "it" if len(further_along) == 1 else "them"
        out.append(
            f"They have been through {join_words(further_along)} and are further along with {it}"
        )
    related = _labels(b.partial_categories, category_labels)
    if related:
        out.append(f"You have related experiences of {join_words(related)}")
    if b.text_similarity is not None and b.text_similarity >= TEXT_SIMILARITY_THRESHOLD:
        out.append("They describe similar experiences in their own words")
    times = _times(candidate, seeker_tz, week_start, max_periods)
    if times:
        out.append(times)
    channels = _mask_phrases(b.shared_channels, channel_phrases)
    if channels:
        out.append(f"You can both use {join_words(channels)}")
    if language_labels:
        spoken = [
            name for bit, name in sorted(language_labels.items()) if b.shared_languages >> bit & 1
        ]
        if spoken:
            out.append(f"You can both talk in {join_words(spoken)}")
    prefs = []
    if b.gender_match:
        prefs.append("gender")
    if b.age_band_match:
        prefs.append("age group")
    if prefs:
        out.append(f"They match what you asked for on {join_words(prefs)}")
    return out


# How the seeker's reasons read when said to the supporter (the same facts, the other side).
_TO_SUPPORTER = (
    ("They have been through ", "You have been through "),
    (
        "They describe similar experiences in their own words",
        "You both describe similar experiences in your own words",
    ),
)
# Reasons that only make sense to the seeker: times on the seeker's clock, their preferences.
_SEEKERS_ONLY = ("You're both free on ", "They match what you asked for on ")


def for_supporter(seeker_reasons: Sequence[str]) -> list[str]:
    """The reasons given to the seeker, said to the supporter: "you", never "they" for the
    person reading. Times (on the seeker's clock) become a plain overlap; the seeker's
    preferences are theirs and are left out."""
    out = []
    for reason in seeker_reasons:
        if reason.startswith(_SEEKERS_ONLY[0]):
            out.append("Your free times overlap")
            continue
        if reason.startswith(_SEEKERS_ONLY[1]):
            continue
        for theirs, yours in _TO_SUPPORTER:
            if reason.startswith(theirs):
                reason = yours + reason[len(theirs) :]
        out.append(reason)
    return out
