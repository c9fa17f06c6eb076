"""Load the demo data once (python -m api.demo): a coordinator, supporters and seekers."""

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.models import Role, User
from api.auth.passwords import hash_password
from api.common import utcnow
from api.config import Settings, get_settings
from api.db import create_engine, create_sessionmaker
from api.supporters.models import OfferStatus, SupporterOffer

DEMO_PASSWORD = "kindred-demo-password"  # noqa: S105 - printed for people trying the demo
COORDINATOR = ("coordinator@demo.kindred", "Robin (coordinator)")
ADMIN = ("admin@demo.kindred", "Admin")
SUPPORTERS = [
    ("amara@demo.kindred", "Amara"),
    ("ben@demo.kindred", "Ben"),
    ("chen@demo.kindred", "Chen"),
    ("dana@demo.kindred", "Dana"),
    ("eli@demo.kindred", "Eli"),
    ("farah@demo.kindred", "Farah"),
    ("gus@demo.kindred", "Gus"),
    ("hana@demo.kindred", "Hana"),
]
SEEKERS = [
    ("sam@demo.kindred", "Sam"),
    ("taylor@demo.kindred", "Taylor"),
    ("uma@demo.kindred", "Uma"),
    ("vic@demo.kindred", "Vic"),
]


async def load(db: AsyncSession, settings: Settings) -> bool:
    """Add the demo people unless they are already there. Returns True when it loaded them."""
    if await db.scalar(select(User.id).where(User.email == COORDINATOR[0])):
        return False
    password_hash = await asyncio.to_thread(hash_password, settings, DEMO_PASSWORD)
    coordinator = User(
        email=COORDINATOR[0],
        display_name=COORDINATOR[1],
        password_hash=password_hash,
        role=Role.coordinator,
    )
    db.add(coordinator)
    db.add(
        User(email=ADMIN[0], display_name=ADMIN[1], password_hash=password_hash, role=Role.admin)
    )
    await db.flush()
    for i, (email, name) in enumerate(SUPPORTERS):
        user = User(email=email, display_name=name, password_hash=password_hash)
        db.add(user)
        await db.flush()
        db.add(
            SupporterOffer(
                user_id=user.id,
                status=OfferStatus.approved,
                capacity=1 + i % 3,
                decided_at=utcnow(),
                decided_by=coordinator.id,
            )
        )
    for email, name in SEEKERS:
        db.add(User(email=email, display_name=name, password_hash=password_hash))
    await db.flush()
    return True


async def main() -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    async with create_sessionmaker(engine)() as db:
        loaded = await load(db, settings)
        await db.commit()
    await engine.dispose()
    state = "Loaded the demo data." if loaded else "Demo data already present."
    print(f"{state} Every demo account's password is: {DEMO_PASSWORD}")
    print(f"  coordinator: {COORDINATOR[0]}   admin: {ADMIN[0]}")
    print(f"  supporters:  {', '.join(e for e, _ in SUPPORTERS[:3])}, …")
    print(f"  seekers:     {', '.join(e for e, _ in SEEKERS)}")


if __name__ == "__main__":
    asyncio.run(main())
