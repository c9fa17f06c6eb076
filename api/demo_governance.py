"""The demo's screening and supervision: every approved supporter has their required checks
in date and a supervision session, except that one's refresher training is due within the
month and another's supervision is overdue; of the two offers waiting, Kai still needs
training (so approving him is refused, naming it) and Lena is ready to approve."""

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.policies.governance import DEFAULT_CHECKLIST
from api.screening.checklist import add_months
from api.screening.models import ScreeningRecord, SupervisionSession
from api.supporters.models import OfferStatus, SupporterOffer

REQUIRED = [i for i in DEFAULT_CHECKLIST if i.required]


def _checks(user: User, coordinator: User, done_on: date, keys: list[str]) -> list[ScreeningRecord]:
    return [
        ScreeningRecord(
            user_id=user.id,
            item_key=item.key,
            done_on=done_on,
            expires_on=add_months(done_on, item.expires_after_months)
            if item.expires_after_months
            else None,
            recorded_by=coordinator.id,
        )
        for item in REQUIRED
        if item.key in keys
    ]


async def load(db: AsyncSession, *, people: dict[str, User], coordinator: User) -> None:
    """Screening records and supervision sessions (see the module docstring)."""
    today = date.today()
    everything = [i.key for i in REQUIRED]
    rows = await db.execute(
        select(SupporterOffer.user_id, SupporterOffer.status).order_by(
            col(SupporterOffer.display_name)
        )
    )
    by_id = {u.id: u for u in people.values()}
    for n, (user_id, status) in enumerate(rows.all()):
        user = by_id.get(user_id)
        if user is None:
            continue
        if status == OfferStatus.approved:
            # The first supporter's refresher training falls due in a fortnight.
            done_on = today - timedelta(days=350 if n == 0 else 90)
            db.add_all(_checks(user, coordinator, done_on, everything))
            # The second has had no supervision for two months: overdue.
            held_on = today - timedelta(days=60 if n == 1 else 14)
            db.add(
                SupervisionSession(
                    user_id=user.id,
                    held_on=held_on,
                    with_whom=coordinator.display_name,
                    next_due=held_on + timedelta(days=42),
                    recorded_by=coordinator.id,
                )
            )
        elif status == OfferStatus.pending:
            keys = (
                [k for k in everything if k != "training"]
                if user is people.get("kai")
                else everything
            )
            db.add_all(_checks(user, coordinator, today - timedelta(days=7), keys))
    await db.flush()
