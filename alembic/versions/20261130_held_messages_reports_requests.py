"""held messages follow the agreement in force; contact details kept back; reported messages;
asking a coordinator to choose; first in line

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 00:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("windows_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withheld", sa.String(length=40), nullable=True))
    # Messages already there follow the version in force now.
    op.execute(
        "UPDATE message SET windows_version = (SELECT relationship.agreed_version FROM "
        "relationship WHERE relationship.id = message.relationship_id)"
    )
    with op.batch_alter_table("support_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coordinator_chooses", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("first_in_line_at", api.common.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_concern_message_id_message", "message", ["message_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_constraint("fk_concern_message_id_message", type_="foreignkey")
        batch_op.drop_column("message_id")
    with op.batch_alter_table("support_request", schema=None) as batch_op:
        batch_op.drop_column("first_in_line_at")
        batch_op.drop_column("coordinator_chooses")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("withheld")
        batch_op.drop_column("windows_version")
