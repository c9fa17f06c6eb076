"""Synthetic but realistic supporters and seekers for the matching benchmarks.

~90 experience tags in 12 categories with Zipf-like popularity, about 10 experiences per
supporter, people spread over time zones (with their languages), channels, capacities 1-5 and
70 % of supporters currently eligible. Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from api.matching.availability import to_utc_slots
from api.matching.scoring import FURTHER_ALONG, GOING_THROUGH, Query, SupporterRecord
from api.weekly.windows import WeeklyWindow

WEEK_START = date(2026, 3, 9)  # between the US and UK clock changes: the awkward week
CATEGORIES = (
    "bereavement",
    "mental health",
    "life events",
    "work",
    "health conditions",
    "caring",
    "parenthood",
    "relationships",
    "addiction and recovery",
    "identity",
    "trauma",
    "money",
)
LANGUAGES = ("en", "es", "hi", "fr", "de", "pt", "cy", "pl")
# zone, share of people, {language: probability}
ZONES = (
    ("Europe/London", 0.35, {"en": 1.0, "cy": 0.08, "pl": 0.05}),
    ("America/New_York", 0.18, {"en": 1.0, "es": 0.2}),
    ("America/Los_Angeles", 0.08, {"en": 1.0, "es": 0.3}),
    ("Asia/Kolkata", 0.12, {"en": 0.8, "hi": 0.9}),
    ("Australia/Sydney", 0.08, {"en": 1.0}),
    ("Europe/Berlin", 0.10, {"de": 1.0, "en": 0.6}),
    ("America/Sao_Paulo", 0.05, {"pt": 1.0, "en": 0.3}),
    ("Africa/Lagos", 0.04, {"en": 1.0, "fr": 0.1}),
)
CHANNEL_SHARES = (0.9, 0.5, 0.6, 0.15)  # chat, phone, video, in person
WINDOW_TEMPLATES = (
    ("07:00", "09:00"),
    ("09:00", "12:00"),
    ("12:00", "14:00"),
    ("14:00", "17:00"),
    ("18:00", "21:00"),
    ("19:00", "22:00"),
    ("20:00", "23:30"),
)


@dataclass(frozen=True)
class Taxonomy:
    """Tag -> category map, popularity and labels."""

    tag_category: np.ndarray
    popularity: np.ndarray
    tag_labels: dict[int, str]
    category_labels: dict[int, str]

    @property
    def n_tags(self) -> int:
        return int(self.tag_category.size)

    @property
    def n_categories(self) -> int:
        return len(self.category_labels)


def taxonomy(n_tags: int = 90, seed: int = 1) -> Taxonomy:
    """Tags spread unevenly over 12 categories; popularity ~ 1 / rank^0.9."""
    rng = np.random.default_rng(seed)
    n_cats = len(CATEGORIES)
    tag_category = np.sort(rng.integers(0, n_cats, n_tags)).astype(np.int32)
    tag_category[:n_cats] = np.arange(n_cats)  # every category has at least one tag
    ranks = rng.permutation(n_tags) + 1
    popularity = 1.0 / ranks**0.9
    popularity /= popularity.sum()
    return Taxonomy(
        tag_category=tag_category,
        popularity=popularity,
        tag_labels={t: f"experience {t}" for t in range(n_tags)},
        category_labels=dict(enumerate(CATEGORIES)),
    )


def _pick_tags(rng: np.random.Generator, popularity: np.ndarray, counts: np.ndarray) -> list:
    """Distinct tags per person, weighted by popularity (Gumbel top-k, vectorised)."""
    keys = np.log(popularity)[None, :] - np.log(-np.log(rng.random((counts.size, popularity.size))))
    order = np.argsort(-keys.astype(np.float32), axis=1)
    return [order[i, : counts[i]].tolist() for i in range(counts.size)]


def _people(rng: np.random.Generator, n: int, week_start: date) -> dict[str, np.ndarray]:
    """Zones, language and channel masks, availability bitsets."""
    shares = np.array([z[1] for z in ZONES])
    zone = rng.choice(len(ZONES), n, p=shares / shares.sum())
    lang_bit = {name: i for i, name in enumerate(LANGUAGES)}
    languages = np.zeros(n, np.uint64)
    for z, (_, _, langs) in enumerate(ZONES):
        members = zone == z
        for name, p in langs.items():
            hit = members & (rng.random(n) < p)
            languages[hit] |= np.uint64(1 << lang_bit[name])
        first = lang_bit[next(iter(langs))]
        languages[members & (languages == 0)] = np.uint64(1 << first)
    channels = np.zeros(n, np.uint8)
    for bit, p in enumerate(CHANNEL_SHARES):
        channels[rng.random(n) < p] |= np.uint8(1 << bit)
    channels[channels == 0] = 1
    # Precompute each (zone, weekday, template) bitset once, then OR a person's windows.
    window_bits = np.zeros((len(ZONES), 7, len(WINDOW_TEMPLATES), 6), np.uint64)
    for z, (tz, _, _) in enumerate(ZONES):
        for day in range(7):
            for w, (start, end) in enumerate(WINDOW_TEMPLATES):
                window = WeeklyWindow(weekday=day, start=start, end=end)
                window_bits[z, day, w] = to_utc_slots([window], tz, week_start)
    n_windows = rng.integers(2, 7, n)
    availability = np.zeros((n, 6), np.uint64)
    for k in range(6):
        use = n_windows > k
        day = rng.integers(0, 7, n)
        template = rng.integers(0, len(WINDOW_TEMPLATES), n)
        availability[use] |= window_bits[zone[use], day[use], template[use]]
    return {
        "zone": zone,
        "languages": languages,
        "channels": channels,
        "availability": availability,
    }


def supporters(
    n: int, tax: Taxonomy, week_start: date = WEEK_START, seed: int = 2
) -> tuple[list[SupporterRecord], np.ndarray]:
    """n supporter records and their remaining capacities (1-5)."""
    rng = np.random.default_rng(seed)
    people = _people(rng, n, week_start)
    counts = np.clip(rng.poisson(10, n), 3, 20)
    tag_lists = _pick_tags(rng, tax.popularity, counts)
    further = rng.random((n, 20)) < 0.6
    willing = rng.random((n, 20)) < 0.9
    gender = np.where(rng.random(n) < 0.1, -1, rng.integers(0, 3, n)).astype(np.int8)
    age_band = np.where(rng.random(n) < 0.15, -1, rng.integers(0, 6, n)).astype(np.int8)
    eligible = rng.random(n) < 0.7
    capacities = rng.choice(np.arange(1, 6), n, p=[0.3, 0.35, 0.15, 0.1, 0.1])
    records = [
        SupporterRecord(
            key=f"s{i}",
            experiences=[
                (t, FURTHER_ALONG if further[i, j] else GOING_THROUGH, bool(willing[i, j]))
                for j, t in enumerate(tag_lists[i])
            ],
            languages=int(people["languages"][i]),
            channels=int(people["channels"][i]),
            availability=people["availability"][i],
            gender=int(gender[i]),
            age_band=int(age_band[i]),
            eligible=bool(eligible[i]),
        )
        for i in range(n)
    ]
    return records, capacities.astype(np.int64)


def seekers(
    n: int, tax: Taxonomy, week_start: date = WEEK_START, seed: int = 3
) -> tuple[list[Query], list[str]]:
    """n seeker queries (1-3 requested tags) and each seeker's time zone."""
    rng = np.random.default_rng(seed)
    people = _people(rng, n, week_start)
    counts = rng.choice([1, 2, 3], n, p=[0.6, 0.3, 0.1])
    tag_lists = _pick_tags(rng, tax.popularity, counts)
    going = rng.random((n, 3)) < 0.8
    gender = np.where(rng.random(n) < 0.3, rng.integers(0, 3, n), -1)
    age_band = np.where(rng.random(n) < 0.2, rng.integers(0, 6, n), -1)
    prefers = rng.random(n) < 0.4
    queries = [
        Query(
            tags={
                t: GOING_THROUGH if going[i, j] else FURTHER_ALONG
                for j, t in enumerate(tag_lists[i])
            },
            languages=int(people["languages"][i]),
            channels=int(people["channels"][i]),
            availability=people["availability"][i],
            gender=int(gender[i]),
            age_band=int(age_band[i]),
            prefers_further_along=bool(prefers[i]),
        )
        for i in range(n)
    ]
    zones = [ZONES[z][0] for z in people["zone"]]
    return queries, zones
