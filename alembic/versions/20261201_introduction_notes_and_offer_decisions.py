"""coordinators' notes with a proposed introduction, and with a decision on an offer

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 09:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.common import UTCDateTime

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "introduction_note",
        sa.Column(
            "relationship_id",
            sa.Uuid(),
            sa.ForeignKey("relationship.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "written_by",
            sa.Uuid(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("to_supporter_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("to_seeker_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("supporter_offer") as batch:
        batch.add_column(sa.Column("decision_note_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("supporter_offer") as batch:
        batch.drop_column("decision_note_sealed")
    op.drop_table("introduction_note")
