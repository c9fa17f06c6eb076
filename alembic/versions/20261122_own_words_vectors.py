"""own words vectors: one sealed embedding of each person's descriptions, for similarity

Only a new table. The vector is derived data (rebuilt by `python -m api.matching.similarity
backfill`), sealed by the app like the words it comes from, and goes with its account
(ON DELETE CASCADE).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 03:03:54.591508+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "own_words_vector",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("vector_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("updated_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("own_words_vector")
