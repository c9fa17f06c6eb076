"""messages still waiting to be delivered, by relationship: a small partial index

Every read and every send of a conversation first asks whether it has messages waiting (not
yet delivered and told, not dropped: ``contact.held.waiting``, ``contact.messages.release``),
and the delivery sweep asks the same of every relationship. With only
``message(relationship_id, sent_at)`` PostgreSQL answered by reading every message of the
relationship: 9,951 buffers for a 10,000-message conversation, linear in its length
(bench/bench_growth.py; docs/scaling.md, "Growth"). This index holds only the waiting messages
(few at any moment), so the answer costs the same however long the conversation.

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-05 09:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("notified_at IS NULL AND dropped_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_message_waiting",
        "message",
        ["relationship_id", "deliver_at"],
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_message_waiting", table_name="message")
