"""The console's lists page the one shared way (api/paging.py); this keeps the console's
older call, which only goes forward."""

from typing import Any
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from api.paging import MAX_LIMIT, Order, Page, Window, check_limit
from api.paging import page as _page

__all__ = ["MAX_LIMIT", "Order", "Page", "check_limit", "page"]


async def page(
    db: AsyncSession,
    query: Select[Any],
    order: Order,
    *,
    limit: int,
    starting_after: UUID | None,
    anchor: Select[Any],
) -> tuple[list[Any], bool]:
    """Run `query` in `order` after the anchor row (`anchor` selects its sort key by id)."""
    found = await _page(
        db, query, order, Window(limit, starting_after), anchor=lambda _cursor: anchor
    )
    return found.items, found.has_more
