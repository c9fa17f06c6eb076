"""The agreement's revision: its ETag, and moving it on so that of two changes based on one
revision exactly one wins (see api/relationships/agreements.py's docstring)."""

from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from api.errors import PreconditionFailed
from api.relationships.models import Relationship


def etag(revision: int) -> str:
    """The agreement's ETag (a strong validator) for a revision."""
    return f'"{revision}"'


def expect_revision(relationship: Relationship, expected: int) -> None:
    if relationship.agreement_revision != expected:
        raise PreconditionFailed(
            "The agreement changed since you last looked at it. Reload it, check the latest "
            "version, and try again.",
            headers={"ETag": etag(relationship.agreement_revision)},
        )


async def bump_revision(
    db: AsyncSession, relationship: Relationship, expected: int, **values: Any
) -> None:
    """Move the revision on from `expected` (412 if someone else did first), with `values`."""
    values["agreement_revision"] = expected + 1
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(Relationship)
            .where(
                col(Relationship.id) == relationship.id,
                col(Relationship.agreement_revision) == expected,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise PreconditionFailed(
            "The other person changed the agreement at the same moment. Reload it, check the "
            "latest version, and try again."
        )
    for key, value in values.items():
        set_committed_value(relationship, key, value)
