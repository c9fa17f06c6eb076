"""coordinator console: the concerns workflow with assignment, supporter suspension, the
service's settings as data with their audit

Concerns move new → triaged → in progress → resolved: existing rows are mapped (open → new,
closed → resolved; in progress stays), their audit trail too, so old data stays valid.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:28:02.671945+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_MAP = {"open": "new", "closed": "resolved"}


def _map_statuses(mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(
            sa.text("UPDATE concern SET status = :new WHERE status = :old").bindparams(
                old=old, new=new
            )
        )
        for column in ("from_status", "to_status"):
            op.execute(
                sa.text(
                    f"UPDATE concern_event SET {column} = :new WHERE {column} = :old"  # noqa: S608
                ).bindparams(old=old, new=new)
            )


def upgrade() -> None:
    op.create_table(
        "service_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "service_setting_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=False),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_setting_change") as batch_op:
        batch_op.create_index("ix_service_setting_change_at", ["at"], unique=False)
        batch_op.create_index("ix_service_setting_change_key", ["key"], unique=False)

    with op.batch_alter_table("concern") as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_concern_assigned_to", ["assigned_to"], unique=False)
        batch_op.create_foreign_key(
            "fk_concern_assigned_to", "user_account", ["assigned_to"], ["id"], ondelete="SET NULL"
        )
    _map_statuses(STATUS_MAP)

    with op.batch_alter_table("supporter_offer") as batch_op:
        batch_op.add_column(
            sa.Column("suspended_at", api.common.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("suspended_by", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_supporter_offer_suspended_by",
            "user_account",
            ["suspended_by"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    # A suspended supporter goes back to approved (the old schema has no suspension).
    op.execute(sa.text("UPDATE supporter_offer SET status = 'approved' WHERE status = 'suspended'"))
    with op.batch_alter_table("supporter_offer") as batch_op:
        batch_op.drop_constraint("fk_supporter_offer_suspended_by", type_="foreignkey")
        batch_op.drop_column("suspended_by")
        batch_op.drop_column("suspended_at")

    _map_statuses({"new": "open", "triaged": "open", "resolved": "closed"})
    with op.batch_alter_table("concern") as batch_op:
        batch_op.drop_constraint("fk_concern_assigned_to", type_="foreignkey")
        batch_op.drop_index("ix_concern_assigned_to")
        batch_op.drop_column("assigned_to")

    with op.batch_alter_table("service_setting_change") as batch_op:
        batch_op.drop_index("ix_service_setting_change_key")
        batch_op.drop_index("ix_service_setting_change_at")
    op.drop_table("service_setting_change")
    op.drop_table("service_setting")
