"""Agreement terms: the template, checking a version, differences and the summary."""

from datetime import UTC, date, datetime, timedelta

import pytest

from api.contact.rules import session_problems
from api.relationships import limits
from api.relationships.terms import (
    AgreementTerms,
    TermsError,
    default_terms,
    parse_terms,
    terms_problems,
    validate_terms,
)
from api.relationships.wording import diff_terms, summarise
from api.weekly.windows import WeeklyWindow

TODAY = date(2026, 3, 9)
EVERYTHING = {"chat", "phone", "video", "in_person"}


def agreeable(**changes) -> AgreementTerms:
    ticked = {"confidentiality_and_exception": True, "not_a_crisis_service": True}
    data = default_terms(TODAY, "Europe/London").model_dump() | {"acknowledgements": ticked}
    return parse_terms(data | changes)


def test_template_is_the_service_default():
    terms = default_terms(TODAY, "Europe/London")
    assert terms.sessions_total == 6 and terms.session_minutes == 45
    assert terms.max_sessions_per_week == 1 and terms.review_after_session == 3
    assert terms.channels == ["chat", "video"]
    assert terms.windows == [
        WeeklyWindow(weekday=1, start="19:00", end="20:30"),
        WeeklyWindow(weekday=3, start="19:00", end="20:30"),
    ]
    assert terms.planned_end_date == date(2026, 5, 4)
    assert terms.response_expectation == "within_2_days"
    assert terms.personal_limits["supporter"] == limits.default_limits()
    # Each person ticks the acknowledgements themselves, so the template can't be agreed as is.
    problems = terms_problems(
        terms, today=TODAY, seeker_channels=EVERYTHING, supporter_channels=EVERYTHING
    )
    assert [field for field, _ in problems] == [
        "acknowledgements.confidentiality_and_exception",
        "acknowledgements.not_a_crisis_service",
    ]


def test_agreeable_terms_pass_and_round_trip():
    terms = agreeable(topics_to_avoid={"seeker": ["  Work ", "work", "my brother"]})
    validate_terms(
        terms, today=TODAY, seeker_channels={"chat", "video"}, supporter_channels=EVERYTHING
    )
    # Each person's topics are their own; nobody else's list is touched by theirs.
    assert terms.topics_to_avoid == {"seeker": ["Work", "my brother"], "supporter": []}
    assert parse_terms(terms.model_dump(mode="json")) == terms


def test_every_problem_is_reported_at_once():
    terms = agreeable(
        windows=[
            {"weekday": 1, "start": "19:00", "end": "20:30"},
            {"weekday": 1, "start": "20:00", "end": "21:00"},
            {"weekday": 4, "start": "10:00", "end": "11:00"},
        ],
        channels=["video", "chat", "phone"],
        session_minutes=150,
        review_after_session=7,
        planned_end_date=TODAY,
        acknowledgements={"confidentiality_and_exception": True},
    )
    with pytest.raises(TermsError) as caught:
        validate_terms(
            terms, today=TODAY, seeker_channels=["chat", "video"], supporter_channels=["chat"]
        )
    errors = caught.value.field_errors
    assert [field for field, _ in errors] == [
        "windows[1]",
        "session_minutes",
        "review_after_session",
        "planned_end_date",
        "channels",
        "channels",
        "acknowledgements.not_a_crisis_service",
    ]
    messages = dict(errors[:4])
    assert "the longest is 120 minutes" in messages["session_minutes"]  # overlapping ones joined
    assert errors[4][1].startswith("The person seeking support hasn't chosen phone as a way")
    assert errors[5][1].startswith("The peer supporter hasn't chosen phone or video as a way")
    assert caught.value.detail == "7 things need another look."


def test_malformed_terms_name_each_field():
    data = default_terms(TODAY, "Europe/London").model_dump() | {
        "windows": [
            {"weekday": 1, "start": "7pm", "end": "21:00"},
            {"weekday": 2, "start": "21:00", "end": "20:00"},
        ],
        "timezone": "Mars/Olympus_Mons",
        "channels": ["carrier pigeon"],
        "sessions_total": 53,
        "session_minutes": 10,
        "max_sessions_per_week": 8,
        "review_after_session": 0,
        "topics_to_avoid": {"supporter": ["x" * 81]},
        "response_expectation": "whenever",
    }
    with pytest.raises(TermsError) as caught:
        parse_terms(data)
    assert [field for field, _ in caught.value.field_errors] == [
        "windows[0].start",
        "windows[1]",
        "timezone",
        "channels[0]",
        "sessions_total",
        "session_minutes",
        "max_sessions_per_week",
        "review_after_session",
        "response_expectation",
        "topics_to_avoid.supporter[0]",
    ]
    assert dict(caught.value.field_errors)["sessions_total"] == "Use 52 or fewer."


def test_terms_need_a_window_a_channel_and_known_limits():
    with pytest.raises(TermsError) as caught:
        agreeable(windows=[], channels=[])
    assert [field for field, _ in caught.value.field_errors] == ["windows", "channels"]
    with pytest.raises(TermsError) as caught:
        agreeable(topics_to_avoid={"seeker": [f"topic {n}" for n in range(21)]})
    assert caught.value.field_errors == [("topics_to_avoid.seeker", "Choose at most 20.")]
    with pytest.raises(TermsError) as caught:
        agreeable(topics_to_avoid=["one list for both people"])  # whose would they be?
    assert [field for field, _ in caught.value.field_errors] == ["topics_to_avoid"]
    with pytest.raises(TermsError) as caught:
        agreeable(personal_limits={"seeker": {"tattoos": "never"}})
    assert caught.value.field_errors == [("personal_limits", "Unknown personal limits: tattoos.")]
    partial = agreeable(personal_limits={"seeker": {"hugs": "never"}})
    assert partial.personal_limits["seeker"]["hugs"] == "never"
    assert partial.personal_limits["supporter"] == limits.default_limits()


def test_diff_reports_only_what_changed():
    before = agreeable()
    assert diff_terms(before, before) == []
    limits_after = {
        "seeker": before.personal_limits["seeker"] | {"hugs": "never"},
        "supporter": before.personal_limits["supporter"],
    }
    after = agreeable(
        session_minutes=60,
        planned_end_date=date(2026, 5, 11),
        personal_limits=limits_after,
        channels=["video", "chat", "phone"],
    )
    changes = diff_terms(before, after)
    assert [(c.field, c.before_text, c.after_text) for c in changes] == [
        ("channels", "In-app chat and video", "In-app chat, phone and video"),
        ("session_minutes", "45 minutes", "60 minutes"),
        ("planned_end_date", "4 May 2026", "11 May 2026"),
        ("personal_limits.seeker.hugs", "Maybe OK (ask first)", "Never OK"),
    ]
    assert changes[3].label == "Hugs and other physical contact (the person seeking support)"


def test_diff_of_time_zone_shows_contact_times_on_the_viewers_clock():
    before = agreeable()
    after = agreeable(timezone="America/New_York")
    assert [c.field for c in diff_terms(before, after)] == ["timezone"]
    changes = diff_terms(before, after, viewer_tz="Europe/London", on_week=date(2026, 11, 2))
    assert [(c.field, c.before_text, c.after_text) for c in changes] == [
        (
            "windows",
            "Tuesday 19:00\u201320:30, Thursday 19:00\u201320:30",
            "Wednesday 00:00\u201301:30, Friday 00:00\u201301:30",
        ),
        ("timezone", "London (UK)", "New York (US, Eastern)"),
    ]


def test_summary_in_the_viewers_zone():
    terms = agreeable(
        personal_limits={"seeker": {"gifts": "maybe"}, "supporter": {"hugs": "never"}}
    )
    rows = dict(summarise(terms, "America/New_York", on_week=date(2026, 3, 9)))
    assert rows["When we can be in contact"] == (
        "Tuesday 15:00\u201316:30, Thursday 15:00\u201316:30 (New York time)"
    )
    assert rows["Sessions"] == "6 sessions of 45 minutes, at most 1 a week"
    assert rows["Review"] == "After session 3"
    assert rows["Planned ending"] == "4 May 2026"
    assert rows["Replies to messages"] == "Within 2 days"
    assert rows["How we'll be in contact"] == "In-app chat and video"
    assert rows["Giving or receiving gifts"].startswith("Never OK, the stricter of your two")
    assert rows["Hugs and other physical contact"].startswith("Never OK, the stricter")
    assert rows["Sharing phone numbers"] == "Never OK"
    assert rows["Not a crisis service"].startswith("A peer supporter is not a crisis service")
    summer = dict(summarise(terms, "America/New_York", on_week=date(2026, 3, 30)))
    assert summer["When we can be in contact"].startswith("Tuesday 14:00\u201315:30")


def test_a_session_fits_the_windows_only_for_the_agreed_length():
    def fits(terms: AgreementTerms, start: datetime) -> bool:
        found = session_problems(
            terms,
            start=start,
            channel="chat",
            sessions=[],
            sessions_held=0,
            now=start - timedelta(days=1),
            viewer_tz="Europe/London",
        )
        return found == []

    tuesday_evening = datetime(2026, 3, 10, 19, 45, tzinfo=UTC)  # 45 minutes to 20:30 GMT
    assert fits(agreeable(), tuesday_evening)
    assert not fits(agreeable(), tuesday_evening + timedelta(minutes=1))
    assert fits(agreeable(session_minutes=30), tuesday_evening + timedelta(minutes=15))
    assert not fits(agreeable(session_minutes=60), tuesday_evening)  # would end at 20:45


def test_limit_catalogue():
    keys = [item.key for item in limits.CATALOGUE]
    assert len(keys) == len(set(keys))
    for key in ["hugs", "phone_numbers", "social_media", "gifts", "money", "meeting_socially"]:
        assert key in limits.LIMITS
    assert limits.LIMITS["contact_outside_times"].default == "never"
    assert all(item.explanation.endswith(".") for item in limits.CATALOGUE)
    assert limits.strictest("always_ok", "maybe") == "maybe"
    assert limits.strictest("maybe", "never", "always_ok") == "never"
    assert limits.level_label("always_ok") == "Always OK"
