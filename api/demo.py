"""Load the demo data once (python -m api.demo): a coordinator, supporters and seekers."""

import asyncio
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from api.auth import second_factor
from api.auth.models import Role, User
from api.auth.passwords import hash_password
from api.common import utcnow
from api.config import Settings, get_settings
from api.crypto import seal
from api.db import create_engine, create_sessionmaker
from api.demo_console import PEOPLE as CONSOLE_PEOPLE
from api.demo_console import load as load_console
from api.demo_governance import load as load_governance
from api.demo_relationships import SEEKERS as MORE_SEEKERS
from api.demo_relationships import load as load_relationships
from api.matching.models import SupportRequest
from api.monthly import service as monthly
from api.profiles import own_words as similarity
from api.profiles.models import ExperienceTag, PersonExperience, Profile
from api.supporters.models import OfferStatus, SupporterOffer

DEMO_PASSWORD = "kindred-demo-password"  # noqa: S105 - printed for people trying the demo
COORDINATOR = ("coordinator@demo.kindred", "Robin (coordinator)")
ADMIN = ("admin@demo.kindred", "Admin")
EVENINGS = [{"weekday": d, "start": "18:00", "end": "21:30"} for d in (0, 1, 2, 3)]
WEEKENDS = [{"weekday": d, "start": "10:00", "end": "13:00"} for d in (5, 6)]
DAYTIME = [{"weekday": d, "start": "12:00", "end": "15:00"} for d in (0, 2, 4)]

# (email, name, pronouns, zone, languages, channels, availability, experiences)
# experiences: (taxonomy slug, stage, their own words or None). The words are varied on
# purpose: several supporters share an experience, and how alike their words are to a seeker's
# is what own-words similarity adds (api/profiles/own_words.py).
SUPPORTERS = [
    (
        "amara@demo.kindred",
        "Amara",
        "she/her",
        "Europe/London",
        ["en"],
        ["chat", "video"],
        EVENINGS,
        [
            (
                "loss-of-a-parent",
                "further_along",
                "I lost my mum at 29 after a short illness and spent a long year not coping. "
                "Talking to someone who'd been there was what finally helped.",
            ),
            (
                "depression",
                "further_along",
                "The grief turned into a low I couldn't lift on my own. Therapy, walks and very "
                "small routines brought me back, slowly.",
            ),
        ],
    ),
    (
        "ben@demo.kindred",
        "Ben",
        "he/him",
        "Europe/London",
        ["en"],
        ["chat", "phone"],
        EVENINGS + WEEKENDS,
        [
            (
                "divorce",
                "further_along",
                "Divorced five years ago with two small kids. Learning to share them between two "
                "homes was the hardest part. It gets easier.",
            ),
            (
                "single-parenting",
                "further_along",
                "Three years of school runs, packed lunches and bedtimes on my own while "
                "working full time.",
            ),
        ],
    ),
    (
        "chen@demo.kindred",
        "Chen",
        "they/them",
        "America/New_York",
        ["en", "zh"],
        ["chat", "video"],
        DAYTIME,
        [
            (
                "anxiety",
                "further_along",
                "Anxiety shaped my twenties: I cancelled plans, dreaded phone calls and worried "
                "about everything.",
            ),
            (
                "panic-attacks",
                "further_along",
                "My first panic attack was on a crowded train and I thought I was dying. "
                "Understanding what my body was doing took the fear out of it.",
            ),
            ("migration", "further_along", None),
        ],
    ),
    (
        "dana@demo.kindred",
        "Dana",
        "she/her",
        "Europe/Dublin",
        ["en"],
        ["chat", "video", "in_person"],
        WEEKENDS + EVENINGS[:2],
        [
            (
                "burnout",
                "further_along",
                "Burnt out completely in my thirties leading a team; I couldn't open my laptop "
                "without my heart racing. I rebuilt work around my health.",
            ),
            ("work-stress", "further_along", None),
        ],
    ),
    (
        "eli@demo.kindred",
        "Eli",
        "he/him",
        "Europe/Berlin",
        ["en", "de"],
        ["chat", "video"],
        EVENINGS,
        [
            (
                "alcohol",
                "further_along",
                "Drinking crept up on me until I was hiding bottles from my family. Seven years "
                "sober now; one day at a time still.",
            ),
            ("in-recovery", "further_along", None),
        ],
    ),
    (
        "farah@demo.kindred",
        "Farah",
        "she/her",
        "Europe/London",
        ["en", "ur"],
        ["chat", "phone"],
        DAYTIME + EVENINGS[:1],
        [
            (
                "caring-for-someone",
                "further_along",
                "I cared for my dad through six years of dementia while raising my own "
                "children. I know the guilt and the tiredness.",
            ),
            ("loss-of-a-parent", "going_through", None),
        ],
    ),
    (
        "gus@demo.kindred",
        "Gus",
        "he/him",
        "Australia/Sydney",
        ["en"],
        ["chat"],
        DAYTIME,
        [
            (
                "chronic-pain",
                "further_along",
                "A back injury at work left me in pain every day. Pacing, a good pain clinic "
                "and people who believed me made the difference.",
            ),
            ("depression", "further_along", None),
        ],
    ),
    (
        "hana@demo.kindred",
        "Hana",
        "she/they",
        "Europe/London",
        ["en", "ja"],
        ["chat", "video"],
        EVENINGS + WEEKENDS,
        [
            (
                "miscarriage",
                "further_along",
                "Two losses before my daughter. I know how lonely it can feel when hardly "
                "anyone knew you were pregnant.",
            ),
            ("anxiety", "further_along", None),
        ],
    ),
    (
        "idris@demo.kindred",
        "Idris",
        "he/him",
        "Europe/London",
        ["en", "ar"],
        ["chat", "video"],
        EVENINGS,
        [
            (
                "loss-of-a-parent",
                "further_along",
                "My father died suddenly when I was 24. I sorted the funeral and his flat, and "
                "then couldn't get going again for months.",
            ),
        ],
    ),
    (
        "jo@demo.kindred",
        "Jo",
        "she/her",
        "America/New_York",
        ["en"],
        ["chat", "phone"],
        DAYTIME,
        [
            (
                "divorce",
                "further_along",
                "My marriage ended after twenty years, no children. Losing the house and half "
                "our friends and starting again at 50 was the hard part.",
            ),
        ],
    ),
]
SEEKERS = [
    (
        "sam@demo.kindred",
        "Sam",
        "they/them",
        "Europe/London",
        ["en"],
        ["chat", "video"],
        EVENINGS,
        [
            (
                "loss-of-a-parent",
                "going_through",
                "My dad died in March and I can't seem to get going again.",
            ),
            ("depression", "going_through", None),
        ],
    ),
    (
        "taylor@demo.kindred",
        "Taylor",
        "she/her",
        "America/New_York",
        ["en"],
        ["chat", "phone"],
        DAYTIME,
        [
            (
                "divorce",
                "going_through",
                "We separated in the spring. Handing the kids over every other weekend breaks "
                "my heart each time.",
            ),
        ],
    ),
    (
        "uma@demo.kindred",
        "Uma",
        "she/her",
        "Europe/London",
        ["en"],
        ["chat"],
        EVENINGS,
        [
            (
                "burnout",
                "going_through",
                "Work has swallowed everything; I wake at four making lists in my head.",
            ),
            ("anxiety", "going_through", None),
        ],
    ),
    (
        "vic@demo.kindred",
        "Vic",
        "he/him",
        "Europe/Berlin",
        ["en", "de"],
        ["chat", "video"],
        EVENINGS,
        [("alcohol", "going_through", None)],
    ),
]


async def _person(db: AsyncSession, settings: Settings, password_hash: str, spec: tuple) -> User:
    email, name, pronouns, zone, languages, channels, availability, experiences = spec
    # Demo people confirmed their addresses long ago (they are matched straight away).
    user = User(
        email=email, display_name=name, password_hash=password_hash, email_verified_at=utcnow()
    )
    db.add(user)
    await db.flush()
    db.add(
        Profile(
            user_id=user.id,
            pronouns=pronouns,
            languages=languages,
            timezone=zone,
            availability=availability,
            channels=channels,
        )
    )
    rows = await db.execute(select(ExperienceTag.slug, ExperienceTag.id))
    tags = {slug: tag_id for slug, tag_id in rows.all() if tag_id is not None}  # all stored
    for slug, stage, words in experiences:
        row_id = uuid4()
        db.add(
            PersonExperience(
                id=row_id,
                user_id=user.id,
                tag_id=tags[slug],
                stage=stage,
                description_sealed=seal(settings, words, row_id.bytes),
            )
        )
    return user


async def load(db: AsyncSession, settings: Settings) -> bool:
    """Add the demo people unless they are already there. Returns True when it loaded them."""
    if await db.scalar(select(User.id).where(User.email == COORDINATOR[0])):
        return False
    password_hash = await asyncio.to_thread(hash_password, settings, DEMO_PASSWORD)
    await similarity.prepare(settings)
    coordinator = User(
        email=COORDINATOR[0],
        display_name=COORDINATOR[1],
        password_hash=password_hash,
        role=Role.coordinator,
        email_verified_at=utcnow(),
    )
    db.add(coordinator)
    admin = User(
        email=ADMIN[0],
        display_name=ADMIN[1],
        password_hash=password_hash,
        role=Role.admin,
        email_verified_at=utcnow(),
    )
    db.add(admin)
    await db.flush()
    # Staff sign in with a second factor; the demo's are printed (development only).
    for user in (coordinator, admin):
        await second_factor.set_up_directly(db, settings, user_id=user.id)
    supporters = []
    for i, spec in enumerate(SUPPORTERS):
        user = await _person(db, settings, password_hash, spec)
        supporters.append(user)
        db.add(
            SupporterOffer(
                user_id=user.id,
                display_name=user.display_name,
                status=OfferStatus.approved,
                capacity=2 + i % 2,
                decided_at=utcnow(),
                decided_by=coordinator.id,
            )
        )
    seekers = [await _person(db, settings, password_hash, spec) for spec in SEEKERS + MORE_SEEKERS]
    others = [await _person(db, settings, password_hash, spec) for spec in CONSOLE_PEOPLE]
    # Taylor is on the waiting list, for the coordinator to match.
    taylor = seekers[1]
    divorce = await db.scalar(select(ExperienceTag.id).where(ExperienceTag.slug == "divorce"))
    if divorce is None:  # as for a slug missing in _person
        raise LookupError('The experience taxonomy has no "divorce".')
    db.add(SupportRequest(seeker_id=taylor.id, tag_ids=[divorce]))
    await db.flush()
    people = {u.email.split("@")[0]: u for u in supporters + seekers + others}
    rows = await db.execute(select(ExperienceTag.slug, ExperienceTag.id))
    tags = {slug: tag_id for slug, tag_id in rows.all() if tag_id is not None}
    await load_relationships(db, settings, people=people, tags=tags)
    await load_console(db, settings, people=people, tags=tags, coordinator=coordinator)
    await load_governance(db, people=people, coordinator=coordinator)
    # The demo writes its history straight into the tables: months already kept count again.
    await monthly.forget_kept(db)
    await similarity.refresh_people(db, settings, [u.id for u in supporters + seekers + others])
    return True


async def staff_secrets(db: AsyncSession, settings: Settings) -> dict[str, str]:
    """The demo staff's TOTP secrets by e-mail (development and tests only)."""
    found = {}
    for email, _name in (COORDINATOR, ADMIN):
        user_id = await db.scalar(select(User.id).where(User.email == email))
        secret = user_id and await second_factor.secret_of(db, settings, user_id=user_id)
        if secret:
            found[email] = secret
    return found


async def main() -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    async with create_sessionmaker(engine, settings)() as db:
        loaded = await load(db, settings)
        await db.commit()
        secrets = await staff_secrets(db, settings)
    await engine.dispose()
    state = "Loaded the demo data." if loaded else "Demo data already present."
    print(f"{state} Every demo account's password is: {DEMO_PASSWORD}")
    print(f"  coordinator: {COORDINATOR[0]}   admin: {ADMIN[0]}")
    print("  Staff log in with a code too. Add these keys to an authenticator app, or run the")
    print("  one-liner for the code it would show now:")
    for email, secret in secrets.items():
        print(f"    {email}: {secret}")
        print(f"      python -m api.auth.totp_code {secret}")
    print(f"  supporters:  {', '.join(s[0] for s in SUPPORTERS[:3])}, …")
    print(f"  seekers:     {', '.join(s[0] for s in SEEKERS + MORE_SEEKERS)}")
    print("  Sam and Amara are active, Vic and Ben agreeing, Uma waits for Chen's answer,")
    print("  Wren and Dana have paused, Xan and Eli have ended; Taylor, Yara, Noor and Omar")
    print("  are on the waiting list; Kai and Lena have offered to support (console: Robin).")


if __name__ == "__main__":
    asyncio.run(main())
