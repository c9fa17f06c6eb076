"""Cursor pagination in both directions (Stripe's ``limit``, ``starting_after``,
``ending_before``, ``has_more``) over a stable order: a sort key, then the id."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Invalid

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
    the `limit` just before the row `ending_before` (still in `order`), and whether there are
    more beyond it in that direction. A cursor must be a row `query` itself can return."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid.field("limit", f"Ask for between 1 and {MAX_LIMIT} at a time.")
    if starting_after is not None and ending_before is not None:
        raise Invalid.field("ending_before", "Send starting_after or ending_before, not both.")
    cursor, field = (
        (starting_after, "starting_after") if starting_after else (ending_before, "ending_before")
    )
    backwards = ending_before is not None
    if cursor is not None:
        anchor = query.with_only_columns(order.key).where(order.id == cursor)
        key = (await db.execute(anchor)).first()
        if key is None:
            raise Invalid.field(field, "That item isn't in this list.")
        here, there = tuple_(order.key, order.id), tuple_(key[0], cursor)
        later = here < there if order.descending else here > there
        earlier = here > there if order.descending else here < there
        query = query.where(earlier if backwards else later)
    found = (await db.execute(query.order_by(*order.by(reverse=backwards)).limit(limit + 1))).all()
    rows = list(found[:limit])
    return (rows[::-1] if backwards else rows), len(found) > limit
