"""Cursor pagination, the one way every list of the API is paged.

A list has a stable order (a sort key, then the id breaking ties). A page is at most
``limit`` items (1 to 100) after the item ``starting_after`` or, going back, before the item
``ending_before``; ``has_more`` says whether more lie further in that direction. Lists may
also be cut to a period (``created_after`` / ``created_before``). The API sends each page as
``{"data": [...], "has_more": bool}`` (``ListOut``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Invalid

T = TypeVar("T")
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool


@dataclass(frozen=True)
class Window:
    """Which page: how many, and after (or before) which item."""

    limit: int = DEFAULT_LIMIT
    starting_after: UUID | None = None
    ending_before: UUID | None = None


@dataclass(frozen=True)
class Period:
    """Only items made after and/or before these moments (both exclusive)."""

    after: datetime | None = None
    before: datetime | None = None

    def where(self, column: Any) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.after is not None:
            found.append(column > self.after)
        if self.before is not None:
            found.append(column < self.before)
        return found

    def holds(self, moment: datetime) -> bool:
        return (self.after is None or moment > self.after) and (
            self.before is None or moment < self.before
        )


@dataclass(frozen=True)
class Order:
    """A stable order: a sort key and the id breaking ties, both the same direction."""

    key: Any
    id: Any
    descending: bool

    def by(self, *, reverse: bool = False) -> list[Any]:
        down = self.descending != reverse
        return [self.key.desc(), self.id.desc()] if down else [self.key.asc(), self.id.asc()]


class ListOut(BaseModel, Generic[T]):
    """One page of a list, in the list's stable order."""

    data: list[T]
    has_more: bool = Field(
        description="More items lie beyond this page in the direction asked: pass the last "
        "item's id as `starting_after` (or the first's as `ending_before`) to get them."
    )


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid.field("limit", f"Ask for between 1 and {MAX_LIMIT} at a time.")
    return limit


def _check(window: Window) -> None:
    check_limit(window.limit)
    if window.starting_after is not None and window.ending_before is not None:
        raise Invalid.field("ending_before", "Send starting_after or ending_before, not both.")


def _gone(window: Window) -> Invalid:
    name = "ending_before" if window.ending_before is not None else "starting_after"
    return Invalid.field(name, "That item isn't in this list any more.")


# The first page of a query built once (given with `parameters`), by direction and size.
_FIRST_PAGES: dict[tuple[int, bool, int], tuple[Select[Any], Select[Any]]] = {}


def _first_page(query: Select[Any], order: Order, backwards: bool, limit: int) -> Select[Any]:
    key = (id(query), backwards, limit)
    known = _FIRST_PAGES.get(key)
    if known is None or known[0] is not query:
        known = (query, query.order_by(*order.by(reverse=backwards)).limit(limit + 1))
        _FIRST_PAGES[key] = known
    return known[1]


async def page(
    db: AsyncSession,
    query: Select[Any],
    order: Order,
    window: Window,
    *,
    anchor: Callable[[UUID], Select[Any]] | None = None,
    from_end: bool = False,
    parameters: dict[str, Any] | None = None,
) -> Page[Any]:
    """Rows of `query` for this window; `anchor(id)` selects the sort key of the cursor's row
    (by default: that row within `query` itself, so a cursor from someone else's list is
    refused). `from_end`: with no cursor, the last page rather than the first (a conversation
    opens at its latest). A `query` built once at import with bind parameters is given with
    their `parameters` (they go to the anchor's statement too): its first page is then built
    once as well, not on every request."""
    _check(window)
    listed = query
    if anchor is None:
        anchor = lambda cursor: listed.with_only_columns(order.key).where(order.id == cursor)  # noqa: E731
    backwards = window.ending_before is not None or (from_end and window.starting_after is None)
    cursor = window.ending_before if backwards else window.starting_after
    if cursor is None and parameters is not None:
        statement = _first_page(query, order, backwards, window.limit)
    else:
        if cursor is not None:
            key = (await db.execute(anchor(cursor), parameters)).first()
            if key is None:
                raise _gone(window)
            here, bound = tuple_(order.key, order.id), tuple_(key[0], cursor)
            later = here < bound if order.descending else here > bound
            earlier = here > bound if order.descending else here < bound
            query = query.where(earlier if backwards else later)
        statement = query.order_by(*order.by(reverse=backwards)).limit(window.limit + 1)
    rows = list((await db.execute(statement, parameters)).all())
    more = len(rows) > window.limit
    rows = rows[: window.limit]
    if backwards:
        rows.reverse()
    return Page(rows, more)


def page_of(items: Sequence[T], window: Window, *, id_of: Callable[[T], UUID]) -> Page[T]:
    """The same paging over a list already in its stable order (small per-relationship lists
    that are read whole anyway: its history, its concerns, its safeguarding log)."""
    _check(window)
    ids = [id_of(item) for item in items]
    if window.ending_before is not None:
        if window.ending_before not in ids:
            raise _gone(window)
        before = list(items[: ids.index(window.ending_before)])
        return Page(before[-window.limit :], len(before) > window.limit)
    rest = list(items)
    if window.starting_after is not None:
        if window.starting_after not in ids:
            raise _gone(window)
        rest = rest[ids.index(window.starting_after) + 1 :]
    return Page(rest[: window.limit], len(rest) > window.limit)
