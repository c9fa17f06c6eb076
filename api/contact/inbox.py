"""My notices as I read them: first the ones that time has made due (held messages now
delivered, reminders, answers waiting; ``upkeep.bring_up_to_date``), then the list itself
(api/notices). The API, the PWA and the data export all read notices through here."""

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.contact import notifications, upkeep
from api.notices import service as notices
from api.notices.service import ShownNotice
from api.paging import Page, Period, Window


async def my_notices(db: AsyncSession, me: Principal, *, limit: int = 50) -> list[ShownNotice]:
    await upkeep.bring_up_to_date(db, me)
    return await notices.my_notices(db, me, limit=limit)


async def my_notices_page(
    db: AsyncSession,
    me: Principal,
    *,
    window: Window,
    period: Period = Period(),
    unread: bool | None = None,
) -> Page[ShownNotice]:
    """A page of my notices (the API's list), once time has made its notices due."""
    await upkeep.bring_up_to_date(db, me)
    return await notices.notices_page(db, me, window=window, period=period, unread=unread)


async def unread_count(db: AsyncSession, me: Principal) -> int:
    """How many of my notices are unread, counting introductions and proposed terms waiting for
    my answer at once (they are made when first read; the sweep makes the rest in time)."""
    await notifications.waiting_answers(db, user_id=me.user_id)
    return await notices.unread_count(db, me)
