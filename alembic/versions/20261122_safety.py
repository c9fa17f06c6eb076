"""safety: endings, pauses, concerns, blocks, feedback, safeguarding access, notices

Only new tables: the relationship row keeps who/when/how of an ending (0002); its details
(reason category, sealed closing message) live in relationship_ending.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:44:41.897989+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concern",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("raised_by", sa.Uuid(), nullable=True),
        sa.Column("raised_by_role", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("details_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["raised_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concern_relationship_id"), ["relationship_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_concern_status"), ["status"], unique=False)

    op.create_table(
        "match_again",
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("relationship_id", "user_id"),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index("ix_notice_user_created", ["user_id", "created_at"], unique=False)

    op.create_table(
        "person_block",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("blocker_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["blocked_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blocker_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("blocker_id", "blocked_id", name="uq_person_block_pair"),
    )
    with op.batch_alter_table("person_block", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_block_blocked_id"), ["blocked_id"], unique=False
        )

    op.create_table(
        "relationship_feedback",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("author_role", sa.String(length=10), nullable=False),
        sa.Column("text_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("relationship_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relationship_feedback_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_relationship_feedback_relationship_id"),
            ["relationship_id"],
            unique=False,
        )

    op.create_table(
        "relationship_pause",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("paused_by", sa.Uuid(), nullable=True),
        sa.Column("paused_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("safety_hold", sa.Boolean(), nullable=False),
        sa.Column("safety_reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("resume_requested_by", sa.Uuid(), nullable=True),
        sa.Column("resume_requested_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("over_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["paused_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resume_requested_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("relationship_pause", schema=None) as batch_op:
        batch_op.create_index(
            "ix_relationship_pause_current", ["relationship_id", "over_at"], unique=False
        )

    op.create_table(
        "concern_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=False),
        sa.Column("at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["concern_id"], ["concern.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("concern_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concern_event_concern_id"), ["concern_id"], unique=False
        )

    op.create_table(
        "relationship_ending",
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("reason_category", sa.String(length=30), nullable=True),
        sa.Column("closing_message_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("safety_reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("concern_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["concern_id"], ["concern.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("relationship_id"),
    )
    op.create_table(
        "safeguarding_access",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("coordinator_id", sa.Uuid(), nullable=True),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("concern_id", sa.Uuid(), nullable=True),
        sa.Column("granted_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["concern_id"], ["concern.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["coordinator_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safeguarding_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safeguarding_access_coordinator_id"), ["coordinator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_access_relationship_id"), ["relationship_id"], unique=False
        )

    op.create_table(
        "safeguarding_audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("access_id", sa.Uuid(), nullable=True),
        sa.Column("coordinator_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["access_id"], ["safeguarding_access.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["coordinator_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safeguarding_audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safeguarding_audit_entry_relationship_id"),
            ["relationship_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("safeguarding_audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_audit_entry_relationship_id"))

    op.drop_table("safeguarding_audit_entry")
    with op.batch_alter_table("safeguarding_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_access_relationship_id"))
        batch_op.drop_index(batch_op.f("ix_safeguarding_access_coordinator_id"))

    op.drop_table("safeguarding_access")
    op.drop_table("relationship_ending")
    with op.batch_alter_table("concern_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_event_concern_id"))

    op.drop_table("concern_event")
    with op.batch_alter_table("relationship_pause", schema=None) as batch_op:
        batch_op.drop_index("ix_relationship_pause_current")

    op.drop_table("relationship_pause")
    with op.batch_alter_table("relationship_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relationship_feedback_relationship_id"))
        batch_op.drop_index(batch_op.f("ix_relationship_feedback_author_id"))

    op.drop_table("relationship_feedback")
    with op.batch_alter_table("person_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_block_blocked_id"))

    op.drop_table("person_block")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_user_created")

    op.drop_table("notice")
    op.drop_table("match_again")
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_status"))
        batch_op.drop_index(batch_op.f("ix_concern_relationship_id"))

    op.drop_table("concern")
