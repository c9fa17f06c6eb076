"""integrator clients and their secrets, referrals and the summaries people agree to share

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 06:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.common import UTCDateTime

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integrator_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("last_token_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["revoked_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("integrator_client", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_integrator_client_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "client_secret",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["integrator_client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("client_secret", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_secret_client_id"), ["client_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("email_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("referrer_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("suggested_tag_ids", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=True),
        sa.Column("refused_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["integrator_client.id"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "reference", name="uq_referral_client_reference"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_client_created", ["client_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referral_user_id"), ["user_id"], unique=False)

    op.create_table(
        "referral_summary",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=True),
        sa.Column("ending", sa.String(length=20), nullable=False),
        sa.Column("sessions_held", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("answer", sa.String(length=3), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("shared_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "referral_id", "relationship_id", name="uq_referral_summary_relationship"
        ),
    )
    with op.batch_alter_table("referral_summary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_summary_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_summary_relationship_id"), ["relationship_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_summary_relationship_id"))
        batch_op.drop_index(batch_op.f("ix_referral_summary_referral_id"))

    op.drop_table("referral_summary")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_user_id"))
        batch_op.drop_index("ix_referral_client_created")

    op.drop_table("referral")
    with op.batch_alter_table("client_secret", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_secret_client_id"))

    op.drop_table("client_secret")
    with op.batch_alter_table("integrator_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_integrator_client_created_at"))

    op.drop_table("integrator_client")
