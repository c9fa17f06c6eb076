"""Agreement terms in plain words: every term, what changed, and "what we agreed".

Contact times are shown on the reader's clock when a zone is given; `names` says how to call
each of the two people ("you", "Sam"), by default by their roles.
"""

import calendar
from collections.abc import Mapping
from datetime import date, datetime

from pydantic import BaseModel

from api.relationships import limits
from api.relationships.terms import (
    ACKNOWLEDGEMENTS,
    CHANNELS,
    PEOPLE,
    RESPONSE_EXPECTATIONS,
    AgreementTerms,
    Channel,
    Person,
    join_words,
)
from api.weekly.occurrences import windows_in_zone
from api.weekly.windows import describe_windows, zone
from api.weekly.zones import clock_name, zone_label


class TermChange(BaseModel):
    """One difference between two versions, in plain words."""

    field: str
    label: str
    before_text: str
    after_text: str


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]  # "never OK", not "never ok"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _date_text(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"  # no setlocale in Kindred


def _windows_text(terms: AgreementTerms, viewer_tz: str | None, on_week: date | None) -> str:
    if viewer_tz is None or viewer_tz == terms.timezone:
        return describe_windows(terms.windows)
    week = on_week or datetime.now(zone(viewer_tz)).date()
    return describe_windows(windows_in_zone(terms.windows, terms.timezone, viewer_tz, week))


def _channels_text(channels: list[Channel]) -> str:
    return join_words([CHANNELS[c] for c in channels]).capitalize()


def _review_text(terms: AgreementTerms) -> str:
    n = terms.review_after_session
    return f"After session {n}" if n else "No review planned"


def _topics_text(topics: list[str]) -> str:
    return "; ".join(topics) or "None"


Names = Mapping[Person, str]


def _whose(names: Names | None, person: Person) -> str:
    return (names or PEOPLE)[person]


def _rows(
    terms: AgreementTerms, viewer_tz: str | None, on_week: date | None, names: Names | None
) -> list[tuple[str, str, str]]:
    rows = [
        ("windows", "Contact times", _windows_text(terms, viewer_tz, on_week)),
        ("timezone", "Time zone the contact times are agreed in", zone_label(terms.timezone)),
        ("channels", "Ways to be in contact", _channels_text(terms.channels)),
        ("sessions_total", "Number of sessions", _count(terms.sessions_total, "session")),
        ("session_minutes", "Session length", f"{terms.session_minutes} minutes"),
        ("max_sessions_per_week", "Sessions a week", f"At most {terms.max_sessions_per_week}"),
        ("review_after_session", "Review", _review_text(terms)),
        ("planned_end_date", "Planned ending", _date_text(terms.planned_end_date)),
        (
            "response_expectation",
            "Replies to messages",
            RESPONSE_EXPECTATIONS[terms.response_expectation],
        ),
    ]
    people: tuple[Person, ...] = ("seeker", "supporter")
    for person in people:
        rows.append(
            (
                f"topics_to_avoid.{person}",
                f"Topics to avoid ({_whose(names, person)})",
                _topics_text(terms.topics_to_avoid[person]),
            )
        )
    for person in people:
        for item in limits.CATALOGUE:
            level = terms.personal_limits[person][item.key]
            rows.append(
                (
                    f"personal_limits.{person}.{item.key}",
                    f"{item.label} ({_whose(names, person)})",
                    limits.level_label(level),
                )
            )
    for key, (label, _) in ACKNOWLEDGEMENTS.items():
        ticked = "Ticked" if getattr(terms.acknowledgements, key) else "Not ticked yet"
        rows.append((f"acknowledgements.{key}", label, ticked))
    return rows


def describe_terms(
    terms: AgreementTerms,
    *,
    viewer_tz: str | None = None,
    on_week: date | None = None,
    names: Names | None = None,
) -> list[tuple[str, str, str]]:
    """Every term as (field, label, plain words): the rows diff_terms compares. `names` says
    how to call each person ("you", "Sam"); by default "the person seeking support", …"""
    return _rows(terms, viewer_tz, on_week, names)


def diff_terms(
    a: AgreementTerms,
    b: AgreementTerms,
    *,
    viewer_tz: str | None = None,
    on_week: date | None = None,
) -> list[TermChange]:
    """What changed from `a` to `b`, in plain words (contact times in `viewer_tz` if given)."""
    return [
        TermChange(field=field, label=label, before_text=before, after_text=after)
        for (field, label, before), (_, _, after) in zip(
            _rows(a, viewer_tz, on_week, None), _rows(b, viewer_tz, on_week, None), strict=True
        )
        if before != after
    ]


def summarise(
    terms: AgreementTerms,
    viewer_tz: str,
    *,
    on_week: date | None = None,
    names: Names | None = None,
) -> list[tuple[str, str]]:
    """The "what we agreed" summary, contact times on the viewer's clock for `on_week`."""
    viewer = zone(viewer_tz, field="viewer_timezone")
    when = f"{_windows_text(terms, viewer.key, on_week)} ({clock_name(viewer.key)})"
    sessions = (
        f"{_count(terms.sessions_total, 'session')} of {terms.session_minutes} minutes, "
        f"at most {terms.max_sessions_per_week} a week"
    )
    rows = [
        ("When we can be in contact", when),
        ("How we'll be in contact", _channels_text(terms.channels)),
        ("Sessions", sessions),
        ("Review", _review_text(terms)),
        ("Planned ending", _date_text(terms.planned_end_date)),
        ("Replies to messages", RESPONSE_EXPECTATIONS[terms.response_expectation]),
    ]
    for person in ("seeker", "supporter"):
        whose = _whose(names, person)
        label = f"Topics {whose} would rather not talk about"
        rows.append((label, _topics_text(terms.topics_to_avoid[person])))
    for item in limits.CATALOGUE:
        seeker = terms.personal_limits["seeker"][item.key]
        supporter = terms.personal_limits["supporter"][item.key]
        text = limits.level_label(limits.strictest(seeker, supporter))
        if seeker != supporter:
            # Both keep to the stricter answer; say whose answers they were without blame.
            text += (
                f", the stricter of your two answers ({_whose(names, 'seeker')}: "
                f"{_lower_first(limits.level_label(seeker))}; {_whose(names, 'supporter')}: "
                f"{_lower_first(limits.level_label(supporter))})"
            )
        rows.append((item.label, text))
    for key, (label, statement) in ACKNOWLEDGEMENTS.items():
        rows.append(
            (label, statement if getattr(terms.acknowledgements, key) else "Not acknowledged yet")
        )
    return rows
