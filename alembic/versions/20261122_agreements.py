"""agreements: versioned boundary agreements, consents, and the agreement's ETag

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:34:33.092047+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agreed_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["closed_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposed_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("relationship_id", "number", name="uq_agreement_version_number"),
    )
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_version_relationship_id"), ["relationship_id"], unique=False
        )

    op.create_table(
        "agreement_consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["version_id"], ["agreement_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreement_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_consent_version_id"), ["version_id"], unique=False
        )

    # An existing table: batch mode rebuilds it on SQLite; server defaults fill existing rows.
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("agreement_revision", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("agreed_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("sessions_held", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("review_at_session", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.drop_column("review_at_session")
        batch_op.drop_column("sessions_held")
        batch_op.drop_column("agreed_version")
        batch_op.drop_column("agreement_revision")

    with op.batch_alter_table("agreement_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_consent_version_id"))
    op.drop_table("agreement_consent")

    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_version_relationship_id"))
    op.drop_table("agreement_version")
