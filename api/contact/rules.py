"""The rules a session keeps, as pure functions (no database): every reason one can't be
arranged, the times that can, and the counts both people see.

Whether a time is inside the agreed contact windows is always `api.weekly.occurrences`
(``interval_fits``, ``occurrences_between``): the agreement's windows are one set of instants,
the same for both people wherever they are; each is shown them on their own clock.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from api.contact.common import Contact, channel_words, local_text, local_text_with_zone
from api.contact.models import COUNTED, OPEN, TAKES_TIME, ContactSession, SessionStatus
from api.errors import FieldError, Invalid
from api.relationships.models import State
from api.relationships.terms import AgreementTerms
from api.weekly.occurrences import interval_fits, occurrences_between, windows_in_zone
from api.weekly.windows import describe_windows
from api.weekly.zones import clock_name

SLOT_STEP = timedelta(minutes=15)
MOST_SLOTS = 80


class SessionRefused(Invalid):
    """A session that can't be arranged, with every reason as (field, message)."""

    type = "session-refused"
    title = "That session can't be arranged"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        detail = (
            self.problems[0][1]
            if len(self.problems) == 1
            else " ".join(m for _, m in self.problems)
        )
        super().__init__(detail, errors=[FieldError(field=f, message=m) for f, m in problems])


@dataclass(frozen=True)
class Counts:
    """Where the pair are with their agreed sessions."""

    agreed: int  # sessions_total in the agreement in force
    held: int
    booked: int  # confirmed, not yet marked held or missed
    remaining: int  # still to arrange: agreed - held - booked
    planned_ending: bool  # every agreed session held: time for the planned ending


def counts(
    terms: AgreementTerms | None, sessions_held: int, sessions: Iterable[ContactSession]
) -> Counts:
    booked = sum(1 for s in sessions if s.status == SessionStatus.confirmed)
    agreed = terms.sessions_total if terms else 0
    return Counts(
        agreed=agreed,
        held=sessions_held,
        booked=booked,
        remaining=max(0, agreed - sessions_held - booked),
        planned_ending=terms is not None and sessions_held >= agreed,
    )


def end_of(session: ContactSession) -> datetime:
    return session.start_at + timedelta(minutes=session.minutes)


@dataclass(frozen=True)
class Sessions:
    """A relationship's sessions as one of its people sees them."""

    contact: Contact
    sessions: list[ContactSession]  # by start time
    counts: Counts
    now: datetime

    @property
    def upcoming(self) -> list[ContactSession]:
        return [s for s in self.sessions if s.status in OPEN and end_of(s) > self.now]

    @property
    def next_session(self) -> ContactSession | None:
        confirmed = [s for s in self.upcoming if s.status == SessionStatus.confirmed]
        return confirmed[0] if confirmed else None

    @property
    def waiting_for_me(self) -> list[ContactSession]:
        """Proposed by the other person, not yet started: mine to confirm or answer."""
        me = self.contact.pair.me.user_id
        return [
            s
            for s in self.upcoming
            if s.status == SessionStatus.proposed and s.proposed_by != me and s.start_at > self.now
        ]

    @property
    def to_mark(self) -> list[ContactSession]:
        """Confirmed sessions that have started: held or missed?"""
        return [
            s
            for s in self.sessions
            if s.status == SessionStatus.confirmed and s.start_at <= self.now
        ]


def _week(moment: datetime, tz: str) -> tuple[int, int]:
    year, week, _ = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return year, week


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def first_fitting(terms: AgreementTerms, after: datetime) -> datetime | None:
    """The earliest start at or after `after` at which a session fits a window (8 days on)."""
    length = timedelta(minutes=terms.session_minutes)
    span = occurrences_between(terms.windows, terms.timezone, after, after + timedelta(days=8))
    for occurrence in span:
        start = max(occurrence.start, after)
        if start + length <= occurrence.end:
            return start
    return None


def windows_text(terms: AgreementTerms, viewer_tz: str, on: date) -> str:
    """The agreed windows on the viewer's clock for the week of `on`, with the zone named."""
    seen = windows_in_zone(terms.windows, terms.timezone, viewer_tz, on)
    return f"{describe_windows(seen)} ({clock_name(viewer_tz)})"


def session_problems(
    terms: AgreementTerms,
    *,
    start: datetime,
    channel: str,
    sessions: Sequence[ContactSession],
    sessions_held: int,
    now: datetime,
    viewer_tz: str,
    exclude_id: UUID | None = None,
) -> list[tuple[str, str]]:
    """Every reason a session at `start` on `channel` can't be arranged; empty when it can.

    `sessions` are the pair's sessions (the one being changed is `exclude_id`); times in the
    messages are on the clock of the person asking (`viewer_tz`).
    """
    problems: list[tuple[str, str]] = []
    length = timedelta(minutes=terms.session_minutes)
    end = start + length
    others = [s for s in sessions if s.id != exclude_id]
    if start <= now:
        problems.append(("start_at", "That time has already passed. Choose a time from now on."))
    elif not interval_fits(start, end, terms.windows, terms.timezone):
        local_day = start.astimezone(ZoneInfo(viewer_tz)).date()
        why = (
            f"A {terms.session_minutes}-minute session from {local_text(start, viewer_tz)} isn't "
            f"inside your agreed contact times: {windows_text(terms, viewer_tz, local_day)}."
        )
        if (fits := first_fitting(terms, start)) is not None:
            why += f" The next time that fits is {local_text(fits, viewer_tz)}."
        problems.append(("start_at", why))
    if channel not in terms.channels:
        words = [channel_words(c) for c in terms.channels]
        agreed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
        problems.append(
            (
                "channel",
                f"You agreed to be in contact by {agreed}; {channel_words(channel)} isn't part "
                "of your agreement. Either of you can propose a change to it.",
            )
        )
    counted = [s for s in others if s.status in COUNTED]
    week = _week(start, terms.timezone)
    in_week = [s for s in counted if _week(s.start_at, terms.timezone) == week]
    if len(in_week) >= terms.max_sessions_per_week:
        monday = start.astimezone(ZoneInfo(terms.timezone)).date()
        monday -= timedelta(days=monday.weekday())
        problems.append(
            (
                "start_at",
                f"You agreed at most {_plural(terms.max_sessions_per_week, 'session')} a week, "
                f"and the week of Monday {monday.day} {monday:%B} has "
                f"{_plural(len(in_week), 'session')} already.",
            )
        )
    booked = sum(1 for s in counted if s.status == SessionStatus.confirmed)
    if sessions_held + booked >= terms.sessions_total:
        problems.append(
            (
                "start_at",
                f"All {_plural(terms.sessions_total, 'agreed session')} are held or booked "
                f"({sessions_held} held, {booked} booked). To meet again, agree more sessions "
                "in a new version of your agreement.",
            )
        )
    for other in others:
        if other.status in TAKES_TIME and other.start_at < end and start < end_of(other):
            problems.append(
                (
                    "start_at",
                    f"That overlaps your {other.status} session on "
                    f"{local_text_with_zone(other.start_at, viewer_tz)}.",
                )
            )
            break
    return problems


def on_the_quarter(moment: datetime) -> datetime:
    """The first quarter hour at or after `moment` (every zone's offset is whole quarters)."""
    step = SLOT_STEP.total_seconds()
    return datetime.fromtimestamp(math.ceil(moment.timestamp() / step) * step, UTC)


def open_slots(
    terms: AgreementTerms,
    *,
    sessions: Sequence[ContactSession],
    sessions_held: int,
    now: datetime,
    days: int = 21,
    channel: str | None = None,
    exclude_id: UUID | None = None,
) -> list[datetime]:
    """Start times, on the quarter hours of each window, that can be arranged now."""
    length = timedelta(minutes=terms.session_minutes)
    channel = channel or terms.channels[0]
    found: list[datetime] = []
    for occurrence in occurrences_between(
        terms.windows, terms.timezone, now, now + timedelta(days=days)
    ):
        start = on_the_quarter(occurrence.start)
        while start + length <= occurrence.end and len(found) < MOST_SLOTS:
            if start > now and not session_problems(
                terms,
                start=start,
                channel=channel,
                sessions=sessions,
                sessions_held=sessions_held,
                now=now,
                viewer_tz=terms.timezone,
                exclude_id=exclude_id,
            ):
                found.append(start)
            start += SLOT_STEP
    return found


SessionAction = Literal["confirm", "reschedule", "cancel", "mark"]


def can(contact: Contact, session: ContactSession, now: datetime) -> list[SessionAction]:
    """What I may do with a session now: confirm, reschedule, cancel, mark."""
    state = contact.relationship.state
    actions: list[SessionAction] = []
    future = session.start_at > now
    if session.status in OPEN and future and state == State.active:
        if (
            session.status == SessionStatus.proposed
            and session.proposed_by != contact.pair.me.user_id
        ):
            actions.append("confirm")
        actions.append("reschedule")
    if session.status in OPEN and future and state != State.ended:
        actions.append("cancel")
    if (
        session.status == SessionStatus.confirmed
        and not future
        and state in (State.active, State.paused)
    ):
        actions.append("mark")
    return actions
