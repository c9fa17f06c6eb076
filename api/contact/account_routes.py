"""My notices, my calendar feed and my devices' push subscriptions."""

from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.auth.deps import CurrentPrincipal
from api.contact import calendar, inbox, push
from api.contact.models import PushSubscription
from api.contact.schemas import (
    CalendarFeedCreated,
    CalendarFeedOut,
    PushKeyOut,
    PushSubscriptionIn,
    PushSubscriptionOut,
)
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import NotFound, problem_response_docs
from api.notices import service as notices
from api.notices.schemas import NoticeOut
from api.paging import ListOut, page_of

router = APIRouter(tags=["calendar and notifications"])
ICS = "text/calendar; charset=utf-8"


# ---- notices -------------------------------------------------------------------------------


@router.get("/notices", response_model=ListOut[NoticeOut], tags=["notices"])
async def my_notices(
    me: CurrentPrincipal,
    db: SessionDep,
    window: PageDep,
    period: PeriodDep,
    unread: Annotated[bool | None, Query(description="Only unread (or only read) ones")] = None,
) -> ListOut[NoticeOut]:
    """What I've been told about my relationships, newest first, a page at a time."""
    found = await inbox.my_notices_page(db, me, window=window, period=period, unread=unread)
    return ListOut(data=[NoticeOut.model_validate(n) for n in found.items], has_more=found.has_more)


@router.post("/notices/{notice_id}/read", status_code=status.HTTP_204_NO_CONTENT, tags=["notices"])
async def read_notice(notice_id: UUID, me: CurrentPrincipal, db: SessionDep) -> None:
    """Mark one of my notices read."""
    await notices.mark_read(db, me, notice_id=notice_id)


# ---- calendar ------------------------------------------------------------------------------


@router.get("/me/calendar-feed", response_model=CalendarFeedOut)
async def get_calendar_feed(me: CurrentPrincipal, db: SessionDep) -> CalendarFeedOut:
    """Whether I have a live calendar feed (its URL is only ever shown when it is made)."""
    feed = await calendar.current(db, me)
    return CalendarFeedOut(live=feed is not None, created_at=feed.created_at if feed else None)


@router.post(
    "/me/calendar-feed", status_code=status.HTTP_201_CREATED, response_model=CalendarFeedCreated
)
async def create_calendar_feed(
    me: CurrentPrincipal, db: SessionDep, request: Request, response: Response
) -> CalendarFeedCreated:
    """A new private iCalendar URL of my confirmed sessions; any earlier one stops working.

    Keep it private: anyone with the URL sees the times and the other person's name.
    """
    made = await calendar.create(db, me)
    response.headers["Cache-Control"] = "no-store"
    url = str(request.base_url).rstrip("/") + made.path
    return CalendarFeedCreated(url=url, created_at=made.feed.created_at)


@router.delete("/me/calendar-feed", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_calendar_feed(me: CurrentPrincipal, db: SessionDep) -> None:
    """Stop my calendar URL working, at once."""
    if not await calendar.revoke(db, me):
        raise NotFound("You have no calendar feed.")


@router.get(
    "/calendar/{file}",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **problem_response_docs(404)},
)
async def calendar_feed(
    file: Annotated[str, Path(description="<token>.ics from the feed's URL", max_length=120)],
    db: SessionDep,
) -> Response:
    """The feed itself (RFC 5545), for calendar apps: no login, the token is the key."""
    body = await calendar.feed(db, file=file)
    headers = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    return Response(body, media_type=ICS, headers=headers)


# ---- push ----------------------------------------------------------------------------------


@router.get("/push/public-key", response_model=PushKeyOut, responses=problem_response_docs(404))
async def push_public_key(settings: SettingsDep) -> PushKeyOut:
    """The VAPID key browsers subscribe with; 404 when push isn't set up here."""
    key = push.public_key(settings)
    if key is None:
        raise NotFound("Push notifications aren't set up on this service.")
    return PushKeyOut(public_key=key)


def _subscription(sub: PushSubscription) -> PushSubscriptionOut:
    return PushSubscriptionOut(
        id=sub.id,
        service=urlsplit(sub.endpoint).hostname or "",
        created_at=sub.created_at,
        last_sent_at=sub.last_sent_at,
    )


@router.get("/me/push-subscriptions", response_model=ListOut[PushSubscriptionOut])
async def my_push_subscriptions(
    me: CurrentPrincipal, db: SessionDep, window: PageDep
) -> ListOut[PushSubscriptionOut]:
    """The devices that get a push from me, oldest first (one per browser, a few at most)."""
    found = page_of(await push.mine(db, me), window, id_of=lambda s: s.id)
    return ListOut(data=[_subscription(s) for s in found.items], has_more=found.has_more)


@router.post(
    "/me/push-subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=PushSubscriptionOut,
)
async def subscribe_push(
    body: PushSubscriptionIn, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> PushSubscriptionOut:
    """Send a short, anonymous push to this browser when something is new for me.

    The endpoint must be on a known push service (422 otherwise).
    """
    sub = await push.subscribe(
        db,
        me,
        settings=settings,
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
    )
    return _subscription(sub)


@router.delete("/me/push-subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unsubscribe_push(subscription_id: UUID, me: CurrentPrincipal, db: SessionDep) -> None:
    """This device gets no more pushes."""
    await push.unsubscribe(db, me, subscription_id=subscription_id)
