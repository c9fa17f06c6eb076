"""Cursor pagination for coordinators' lists: ``limit`` rows after the row ``starting_after``
in a stable order (the sort key, then the id), and whether there are more."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Invalid

T = TypeVar("T")
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool


@dataclass(frozen=True)
class Order:
    """A stable order: a sort key and the id breaking ties, both the same direction."""

    key: Any
    id: Any
    descending: bool

    def by(self) -> list[Any]:
        return [self.key.desc(), self.id.desc()] if self.descending else [self.key, self.id]


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid.field("limit", f"Ask for between 1 and {MAX_LIMIT} at a time.")
    return limit


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
    check_limit(limit)
    if starting_after is not None:
        key = (await db.execute(anchor)).first()
        if key is None:
            raise Invalid.field("starting_after", "That item isn't in this list any more.")
        after = tuple_(order.key, order.id)
        bound = tuple_(key[0], starting_after)
        query = query.where(after < bound if order.descending else after > bound)
    rows = list((await db.execute(query.order_by(*order.by()).limit(limit + 1))).all())
    return rows[:limit], len(rows) > limit
