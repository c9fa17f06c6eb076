"""The terms of a boundary agreement: what both people consent to, version by version.

An `AgreementTerms` that exists is well formed (types, ranges, a real time zone, windows that
end after they start). Whether a version can be agreed, which depends on today's date and on
what each person has offered, is `validate_terms`, which reports every problem at once.
"""

from collections.abc import Collection, Mapping
from datetime import date, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
)

from api.errors import field_errors_from
from api.relationships import limits
from api.relationships.limits import LimitLevel
from api.weekly.windows import (
    WeeklyWindow,
    WindowsError,
    is_known_timezone,
    longest_window_minutes,
    window_problems,
    zone,
)

# Terms report their problems as their windows do: every one at once, field by field.
TermsError = WindowsError

Channel = Literal["chat", "phone", "video", "in_person"]
# Same values as api.profiles.models.Channel; spelt out here to keep this module database-free.
CHANNELS: dict[Channel, str] = {
    "chat": "in-app chat",
    "phone": "phone",
    "video": "video",
    "in_person": "in person (in a public place)",
}
Person = Literal["seeker", "supporter"]
PEOPLE: dict[Person, str] = {
    "seeker": "the person seeking support",
    "supporter": "the peer supporter",
}
ResponseExpectation = Literal["same_day", "within_2_days", "within_a_week"]
RESPONSE_EXPECTATIONS: dict[ResponseExpectation, str] = {
    "same_day": "The same day",
    "within_2_days": "Within 2 days",
    "within_a_week": "Within a week",
}
# (label, what the person confirms they have read and understood)
ACKNOWLEDGEMENTS: dict[str, tuple[str, str]] = {
    "confidentiality_and_exception": (
        "Confidentiality",
        "What is shared in peer support stays in peer support, except when someone's life is "
        "at risk.",
    ),
    "not_a_crisis_service": (
        "Not a crisis service",
        "A peer supporter is not a crisis service; in a crisis, use the crisis contacts shown "
        "on every page.",
    ),
}
PeopleLimits = dict[Person, dict[str, LimitLevel]]
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
PeopleTopics = dict[Person, Annotated[list[Topic], Field(max_length=20)]]


class Acknowledgements(BaseModel):
    """The two notes each person ticks; a version can only be agreed with both ticked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    confidentiality_and_exception: StrictBool = False
    not_a_crisis_service: StrictBool = False


def _default_people_limits() -> PeopleLimits:
    return {"seeker": limits.default_limits(), "supporter": limits.default_limits()}


def _no_people_topics() -> PeopleTopics:
    return {"seeker": [], "supporter": []}


class AgreementTerms(BaseModel):
    """One version of the terms of a relationship, as both people see and consent to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    windows: list[WeeklyWindow] = Field(min_length=1, max_length=21)
    timezone: str = Field(description="IANA zone the windows are in", examples=["Europe/London"])
    channels: list[Channel] = Field(min_length=1)
    sessions_total: int = Field(ge=1, le=52)
    session_minutes: int = Field(ge=15, le=180)
    max_sessions_per_week: int = Field(ge=1, le=7)
    review_after_session: int | None = Field(default=None, ge=1, le=52)
    planned_end_date: date
    response_expectation: ResponseExpectation = "within_2_days"
    topics_to_avoid: PeopleTopics = Field(
        default_factory=_no_people_topics,
        description="Each person's topics they'd rather not discuss; only they can change theirs",
        examples=[{"seeker": ["my brother"], "supporter": []}],
    )
    personal_limits: PeopleLimits = Field(
        default_factory=_default_people_limits,
        description="Each person's own limits; only they can change theirs",
    )
    acknowledgements: Acknowledgements = Field(default_factory=Acknowledgements)

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, value: str) -> str:
        if not is_known_timezone(value):
            raise ValueError("Choose a time zone from the list, like Europe/London.")
        return value

    @field_validator("channels")
    @classmethod
    def _one_of_each(cls, value: list[Channel]) -> list[Channel]:
        return [c for c in CHANNELS if c in value]  # the same order everywhere, for diffs

    @field_validator("topics_to_avoid", mode="before")
    @classmethod
    def _per_person(cls, value: Any) -> Any:
        if isinstance(value, list):  # the shape before each person kept their own
            raise ValueError(
                'Send each person\'s own topics: {"seeker": [...], "supporter": [...]}.'
            )
        return value

    @field_validator("topics_to_avoid")
    @classmethod
    def _no_repeats(cls, value: PeopleTopics) -> PeopleTopics:
        def once(topics: list[str]) -> list[str]:
            kept: dict[str, str] = {}
            for topic in topics:
                kept.setdefault(topic.casefold(), topic)  # "Work" and "work" are one topic
            return list(kept.values())

        return {p: once(value.get(p, [])) for p in PEOPLE}

    @field_validator("personal_limits")
    @classmethod
    def _known_limits(cls, value: PeopleLimits) -> PeopleLimits:
        unknown = sorted({k for levels in value.values() for k in levels} - limits.LIMITS.keys())
        if unknown:
            raise ValueError(f"Unknown personal limits: {', '.join(unknown)}.")
        # Anything not answered yet starts from the catalogue default the form showed.
        return {p: {**limits.default_limits(), **value.get(p, {})} for p in PEOPLE}


# ---- reading and checking ------------------------------------------------------------------


def parse_terms(data: Mapping[str, Any]) -> AgreementTerms:
    """Terms from plain data; a TermsError lists every malformed field."""
    try:
        return AgreementTerms.model_validate(data)
    except ValidationError as exc:
        raise TermsError(field_errors_from(exc)) from None


def terms_problems(
    terms: AgreementTerms,
    *,
    today: date,
    seeker_channels: Collection[str],
    supporter_channels: Collection[str],
    most_a_week: int = 7,
) -> list[tuple[str, str]]:
    """Every reason this version can't be agreed yet, as (field, message); empty when it can.
    `most_a_week` is the service's limit on sessions a week (a dependency limit)."""
    problems = window_problems(terms.windows)
    if terms.max_sessions_per_week > most_a_week:
        problems.append(
            (
                "max_sessions_per_week",
                f"This service agrees at most {most_a_week} "
                f"{'session' if most_a_week == 1 else 'sessions'} a week, so that support "
                "stays sustainable for you both.",
            )
        )
    longest = longest_window_minutes(terms.windows)
    if terms.session_minutes > longest:
        why = f"A {terms.session_minutes}-minute session doesn't fit in any contact window; "
        problems.append(("session_minutes", why + f"the longest is {longest} minutes."))
    if terms.review_after_session and terms.review_after_session > terms.sessions_total:
        why = f"The review needs to come by session {terms.sessions_total}, the last one."
        problems.append(("review_after_session", why))
    if terms.planned_end_date <= today:
        problems.append(("planned_end_date", "The planned ending needs to be after today."))
    sides: tuple[tuple[Person, Collection[str]], ...] = (
        ("seeker", seeker_channels),
        ("supporter", supporter_channels),
    )
    for person, offered in sides:
        missing = [CHANNELS[c] for c in terms.channels if c not in offered]
        if missing:
            problems.append(
                (
                    "channels",
                    f"{PEOPLE[person].capitalize()} hasn't chosen {join_words(missing, 'or')} "
                    f"as a way to be in contact, so {'it' if len(missing) == 1 else 'they'} "
                    "can't be part of the agreement yet.",
                )
            )
    for key, (label, _) in ACKNOWLEDGEMENTS.items():
        if not getattr(terms.acknowledgements, key):
            problems.append(
                (f"acknowledgements.{key}", f"Please read and tick the note: {label.lower()}.")
            )
    return problems


def validate_terms(
    terms: AgreementTerms,
    *,
    today: date,
    seeker_channels: Collection[str],
    supporter_channels: Collection[str],
    most_a_week: int = 7,
) -> None:
    """Raise a TermsError listing every reason this version can't be agreed yet."""
    problems = terms_problems(
        terms,
        today=today,
        seeker_channels=seeker_channels,
        supporter_channels=supporter_channels,
        most_a_week=most_a_week,
    )
    if problems:
        raise TermsError(problems)


def default_terms(
    today: date,
    tz: str | ZoneInfo,
    *,
    sessions_total: int = 6,
    session_minutes: int = 45,
    max_sessions_per_week: int = 1,
    review_after_session: int | None = 3,
) -> AgreementTerms:
    """The service's starting template (its plan comes from the service's settings, see
    `agreements.template_terms`); `tz` is the zone the windows are in (the supporter's). Two
    evening windows long enough for a session, and a planned end two weeks after the last
    session could be held."""
    end = max(20 * 60 + 30, 19 * 60 + session_minutes)
    evening = {"start": time(19), "end": time(end // 60, end % 60)}
    weeks = -(-sessions_total // max_sessions_per_week) + 2
    return AgreementTerms(
        windows=[WeeklyWindow(weekday=1, **evening), WeeklyWindow(weekday=3, **evening)],
        timezone=zone(tz).key,
        channels=["chat", "video"],
        sessions_total=sessions_total,
        session_minutes=session_minutes,
        max_sessions_per_week=max_sessions_per_week,
        review_after_session=review_after_session,
        planned_end_date=today + timedelta(weeks=weeks),
        response_expectation="within_2_days",
    )


def join_words(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"
