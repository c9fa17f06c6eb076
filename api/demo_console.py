"""The demo's working day for coordinators, so every section of the console has something true
to show: seekers waiting (Yara asked a coordinator to choose; Noor's first introduction
expired), an introduction about to expire, two offers to review, Idris full for ten weeks with
a review due, Gus with two early endings, concerns in every state, and six months of matches,
sessions and endings for the statistics.

Rows are written directly, in the shapes the services write (as api/demo_relationships.py
does); the loader runs once, after the demo's people exist (api/demo.py makes them from
``PEOPLE``).
"""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.common import utcnow
from api.concerns.models import ConcernStatus
from api.config import Settings
from api.demo_rows import DemoRows
from api.matching.models import RequestStatus
from api.relationships.models import (
    EndKind,
    Relationship,
    State,
)
from api.supporters.models import SupporterOffer

EVENINGS = [{"weekday": d, "start": "18:00", "end": "21:30"} for d in (0, 1, 2, 3)]
_LONDON = ("Europe/London", ["en"], ["chat", "video"], EVENINGS)


def _spec(name: str, pronouns: str, experiences: list, zone: tuple = _LONDON) -> tuple:
    """A person in api.demo's shape: (email, name, pronouns, zone, languages, channels,
    availability, experiences as (slug, stage, own words or None))."""
    return (f"{name.lower()}@demo.kindred", name, pronouns, *zone, experiences)


_GOING, _ALONG = "going_through", "further_along"
# Waiting, introduced and supported now, offering to support, and people supported before.
PEOPLE = [
    _spec("Yara", "she/her", [("loss-of-a-parent", _GOING, None)]),
    _spec("Noor", "they/them", [("panic-attacks", _GOING, None), ("anxiety", _GOING, None)]),
    _spec(
        "Omar",
        "he/him",
        [("alcohol", _GOING, None)],
        ("Europe/Berlin", ["en", "de"], ["chat", "video"], EVENINGS),
    ),
    _spec("Lou", "she/her", [("miscarriage", _GOING, None)]),
    _spec("Pip", "she/her", [("loss-of-a-parent", _GOING, None)]),
    _spec("Rae", "he/him", [("loss-of-a-parent", _GOING, None)]),
    _spec("Kai", "he/him", [("burnout", _ALONG, None), ("work-stress", _ALONG, None)]),
    _spec("Lena", "she/her", [("miscarriage", _ALONG, None), ("anxiety", _ALONG, None)]),
    *(
        _spec(name, "they/them", [(slug, _GOING, None)])
        for name, slug in (
            ("Ada", "loss-of-a-parent"),
            ("Cal", "divorce"),
            ("Dev", "anxiety"),
            ("Fin", "burnout"),
            ("Gia", "caring-for-someone"),
            ("Hal", "alcohol"),
            ("Ivy", "miscarriage"),
            ("Jem", "depression"),
            ("Kit", "chronic-pain"),
            ("Max", "chronic-pain"),
        )
    ),
]
# (seeker, supporter, months ago, days waited, how it ended, a declined introduction first)
HISTORY = [
    ("ada", "amara", 5, 4, EndKind.completed, None),
    ("cal", "ben", 5, 18, EndKind.completed, "jo"),
    ("dev", "chen", 4, 7, EndKind.ended_by_person, None),
    ("fin", "dana", 4, 11, EndKind.completed, None),
    ("gia", "farah", 3, 26, EndKind.completed, "hana"),
    ("hal", "eli", 3, 5, EndKind.completed, None),
    ("ivy", "hana", 2, 9, EndKind.completed, None),
    ("jem", "amara", 2, 14, EndKind.ended_by_person, None),
    ("kit", "gus", 2, 6, EndKind.ended_by_person, None),
    ("max", "gus", 1, 3, EndKind.ended_by_person, None),
]


async def load(
    db: AsyncSession,
    settings: Settings,
    *,
    people: dict[str, User],
    tags: dict[str, int],
    coordinator: User,
) -> None:
    """The console's demo (see the module docstring)."""
    demo, now = DemoRows(db, people, tags), utcnow()
    for name, days in (("kai", 2), ("lena", 5)):
        db.add(
            SupporterOffer(
                user_id=demo.user(name).id,
                display_name=demo.user(name).display_name,
                capacity=2,
                created_at=now - timedelta(days=days),
            )
        )

    # Waiting: Yara asked a coordinator to choose; Noor's first introduction expired; Omar.
    waiting = RequestStatus.waiting
    await demo.request(
        "yara",
        "loss-of-a-parent",
        since=now - timedelta(days=9),
        status=waiting,
        coordinator_chooses=True,
    )
    noor = await demo.request(
        "noor", "panic-attacks", since=now - timedelta(days=16), status=waiting
    )
    await demo.relationship(
        "noor",
        "hana",
        noor,
        state=State.expired,
        at=now - timedelta(days=12),
        path=(State.introduced, State.expired),
        expires_at=now - timedelta(days=5),
    )
    await demo.request("omar", "alcohol", since=now - timedelta(days=3), status=waiting)
    # About to expire: Hana hasn't answered Lou for six days.
    lou = await demo.request(
        "lou", "miscarriage", since=now - timedelta(days=8), status=RequestStatus.introduced
    )
    await demo.relationship(
        "lou",
        "hana",
        lou,
        state=State.introduced,
        at=now - timedelta(days=6),
        path=(State.introduced,),
        expires_at=now + timedelta(hours=20),
    )

    # Idris has been full for ten weeks; with Pip the review is due, with Rae a new concern.
    ten_weeks = now - timedelta(weeks=10)
    pairs = {}
    for seeker, held in (("pip", 3), ("rae", 2)):
        request = await demo.request(
            seeker,
            "loss-of-a-parent",
            since=ten_weeks - timedelta(days=6),
            status=RequestStatus.matched,
        )
        relationship = await demo.relationship(
            seeker,
            "idris",
            request,
            state=State.active,
            at=ten_weeks,
            path=(State.introduced, State.agreeing, State.active),
            answered_at=ten_weeks + timedelta(days=1),
        )
        await demo.agree(relationship, ten_weeks + timedelta(days=2), sessions=8)
        demo.held(relationship, now - timedelta(weeks=held + 1), held)
        relationship.review_at_session = 3
        pairs[seeker] = relationship
    await demo.take_places("idris", 2)

    # Six months of support for the statistics, Gus's two early endings among them.
    ended: dict[str, Relationship] = {}
    for seeker, supporter, months, waited, how, declined_by in HISTORY:
        start = now - timedelta(days=30 * months + 2)
        request = await demo.request(
            seeker,
            PEOPLE_SLUGS[seeker],
            since=start - timedelta(days=waited),
            status=RequestStatus.matched,
        )
        if declined_by:
            await demo.relationship(
                seeker,
                declined_by,
                request,
                state=State.declined,
                at=start - timedelta(days=3),
                path=(State.introduced, State.declined),
                answered_at=start - timedelta(days=2),
            )
        relationship = await demo.relationship(
            seeker,
            supporter,
            request,
            state=State.ended,
            at=start,
            path=(State.introduced, State.agreeing, State.active, State.ended),
            answered_at=start + timedelta(days=1),
        )
        sessions = 4 if how == EndKind.completed else 2
        await demo.agree(relationship, start + timedelta(days=2), sessions=4)
        last = demo.held(relationship, start + timedelta(days=7), sessions)
        relationship.ended_at, relationship.end_kind = last + timedelta(days=1), how
        relationship.ended_by = (
            relationship.seeker_id if seeker != "max" else relationship.supporter_id
        )
        ended[seeker] = relationship
    await db.flush()

    # Concerns in every state.
    await demo.concern(
        pairs["rae"],
        settings=settings,
        raised_by="idris",
        kind="worried_about_other",
        details="Rae said he isn't sleeping and has been skipping meals this week.",
        at=now - timedelta(hours=5),
        steps=[],
        coordinator=coordinator,
    )
    await demo.concern(
        pairs["pip"],
        settings=settings,
        raised_by="pip",
        kind="no_reply",
        details="I haven't heard back for over a week.",
        at=now - timedelta(days=9),
        steps=[
            (ConcernStatus.triaged, "Asked Idris how he is; he has been unwell."),
            (ConcernStatus.in_progress, "Idris has replied since. Checking again in a fortnight."),
        ],
        coordinator=coordinator,
    )
    wren = await db.scalar(
        select(Relationship).where(col(Relationship.seeker_id) == demo.user("wren").id)
    )
    if wren is not None:
        await demo.concern(
            wren,
            settings=settings,
            raised_by="wren",
            kind="other",
            details="I need a break but I don't want Dana to think it's her.",
            at=now - timedelta(days=3),
            steps=[(ConcernStatus.triaged, "Wren wants a pause, not a change. Check in after.")],
            coordinator=coordinator,
        )
    await demo.concern(
        ended["kit"],
        settings=settings,
        raised_by="kit",
        kind="boundary_crossed",
        details="They asked to add me on social media.",
        at=now - timedelta(days=50),
        steps=[
            (ConcernStatus.triaged, "Spoke to Kit; they are fine and want it noted."),
            (ConcernStatus.resolved, "Talked it through with Gus in supervision. Closed."),
        ],
        coordinator=coordinator,
    )
    await db.flush()


PEOPLE_SLUGS = {spec[1].lower(): spec[7][0][0] for spec in PEOPLE}
