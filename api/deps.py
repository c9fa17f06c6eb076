"""Request dependencies every router shares: the settings, the client's address, and which
page of a list (``PageDep``, ``PeriodDep``; see api/paging.py).
Who is asking (``CurrentPrincipal`` and friends) lives with accounts, in api/auth/deps.py."""

import re
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Request
from pydantic import AwareDatetime, BeforeValidator

from api.config import Settings
from api.paging import DEFAULT_LIMIT, MAX_LIMIT, Period, Window


async def app_settings(request: Request) -> Settings:
    # async: FastAPI runs a plain def dependency in the thread pool, a hop per request.
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def page_window(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many, 1 to 100")] = (
        DEFAULT_LIMIT
    ),
    starting_after: Annotated[
        UUID | None, Query(description="The id of the last item of the page before this one")
    ] = None,
    ending_before: Annotated[
        UUID | None, Query(description="The id of the first item of the page after this one")
    ] = None,
) -> Window:
    return Window(limit=limit, starting_after=starting_after, ending_before=ending_before)


_DATE_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _a_moment(value: object) -> object:
    # Pydantic would read "0.5" as seconds since 1970; the API takes RFC 3339 date-times only.
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise ValueError("Use a date and time like 2026-05-04T09:00:00Z.")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_a_moment)]


async def created_period(
    created_after: Annotated[
        Moment | None, Query(description="Only those made after this moment (RFC 3339)")
    ] = None,
    created_before: Annotated[
        Moment | None, Query(description="Only those made before this moment (RFC 3339)")
    ] = None,
) -> Period:
    return Period(after=created_after, before=created_before)


PageDep = Annotated[Window, Depends(page_window)]
PeriodDep = Annotated[Period, Depends(created_period)]
