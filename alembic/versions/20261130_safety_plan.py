"""safety plan: each person's own plan, sealed, only ever read by its owner

Only a new table. The sections are sealed together by the app (bound to the owner's id)
and go with the account (ON DELETE CASCADE).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safety_plan",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sections_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("safety_plan")
