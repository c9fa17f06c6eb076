"""The console pages' "Earlier" and "More" links over a list paged by cursor (api/paging.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.paging import Page


@dataclass(frozen=True)
class Pager:
    """The query of the page before and of the page after this one; None where there is none
    ("" is the start of the list)."""

    earlier: str | None
    later: str | None


def pager(
    page: Page[Any],
    *,
    id_of: Callable[[Any], UUID],
    starting_after: UUID | None,
    ending_before: UUID | None,
) -> Pager:
    """Links around `page`, reached after `starting_after` or before `ending_before`."""
    backwards = ending_before is not None
    if not page.items:  # nothing here: back to the start if this wasn't it
        return Pager("" if (starting_after or ending_before) else None, None)
    before = page.has_more if backwards else starting_after is not None
    after = True if backwards else page.has_more
    return Pager(
        f"ending_before={id_of(page.items[0])}" if before else None,
        f"starting_after={id_of(page.items[-1])}" if after else None,
    )
