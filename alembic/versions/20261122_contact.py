"""contact: sessions, messages, calendar feeds, push subscriptions

Only new tables. Message bodies and cancellation notes are sealed (AES-GCM) by the app; a
message goes with its sender's account (ON DELETE CASCADE), everything else keeps the other
person's side (SET NULL). Calendar feeds store only the SHA-256 of their URL's token.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:15:43.664603+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import api.common
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feed_user_id"), ["user_id"], unique=False)

    op.create_table(
        "push_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(length=1024), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint"),
    )
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_subscription_user_id"), ["user_id"], unique=False)

    op.create_table(
        "contact_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=True),
        sa.Column("start_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("agreement_version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("outcome_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["cancelled_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["outcome_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposed_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_session_relationship_start", ["relationship_id", "start_at"], unique=False
        )
        batch_op.create_index(
            "ix_contact_session_status_start", ["status", "start_at"], unique=False
        )

    op.create_table(
        "message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.Uuid(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=True),
        sa.Column("body_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sent_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deliver_at", api.common.UTCDateTime(timezone=True), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("notified_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dropped_at", api.common.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["relationship_id"], ["relationship.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sender_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_relationship_sent", ["relationship_id", "sent_at"], unique=False
        )
        batch_op.create_index("ix_message_undelivered", ["notified_at", "deliver_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_undelivered")
        batch_op.drop_index("ix_message_relationship_sent")

    op.drop_table("message")
    with op.batch_alter_table("contact_session", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_session_status_start")
        batch_op.drop_index("ix_contact_session_relationship_start")

    op.drop_table("contact_session")
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscription_user_id"))

    op.drop_table("push_subscription")
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feed_user_id"))

    op.drop_table("calendar_feed")
