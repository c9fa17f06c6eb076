"""Cursor pagination in both directions (Stripe's ``limit``, ``starting_after``,
``ending_before``, ``has_more``) over a stable order: a sort key, then the id."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Invalid, NotFound

MAX_LIMIT = 100


@dataclass(frozen=True)
class Order:
    """A stable order: a sort key and the id breaking ties, both the same direction."""

    key: Any
    id: Any
    descending: bool

    def by(self, reverse: bool = False) -> list[Any]:
        down = self.descending != reverse
        return [self.key.desc(), self.id.desc()] if down else [self.key.asc(), self.id.asc()]


async def _bound(db: AsyncSession, query: Any, order: Order, cursor: UUID) -> Any:
    """The (key, id) of the row `cursor`, which must be one `query` itself can return."""
    key = (await db.execute(query.with_only_columns(order.key).where(order.id == cursor))).first()
    if key is None:
        raise NotFound("There's no such item in this list to page from.")
    return tuple_(key[0], cursor)


async def keyset_page(
    db: AsyncSession,
    query: Any,  # a Select (SQLAlchemy's or SQLModel's)
    order: Order,
    *,
    limit: int,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
) -> tuple[list[Any], bool]:
    """One page of `query`'s rows in `order`: the `limit` after the row `starting_after`, or
    the `limit` just before the row `ending_before` (still in `order`), or with both, those
    between the two; and whether there are more beyond the page in the direction it was read.
    A cursor that isn't in the list is a 404."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid.field("limit", f"Ask for between 1 and {MAX_LIMIT} at a time.")
    here, listed = tuple_(order.key, order.id), query
    if starting_after is not None:
        after = await _bound(db, listed, order, starting_after)
        query = query.where(here < after if order.descending else here > after)
    if ending_before is not None:
        before = await _bound(db, listed, order, ending_before)
        query = query.where(here > before if order.descending else here < before)
    backwards = ending_before is not None and starting_after is None
    found = (await db.execute(query.order_by(*order.by(reverse=backwards)).limit(limit + 1))).all()
    rows = list(found[:limit])
    return (rows[::-1] if backwards else rows), len(found) > limit
