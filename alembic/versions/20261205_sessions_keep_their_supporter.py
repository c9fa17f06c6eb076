"""each session keeps its relationship's supporter, so that held sessions are counted by
supporter from an index; early endings lately from an index of their own

- `contact_session.supporter_id` (→ `user_account`, `ON DELETE SET NULL` like the
  relationship's): filled from each session's relationship, and from then on by
  `contact.sessions` when a session is proposed.
- `contact_session(status, start_at, supporter_id)`: a period's held sessions by supporter
  from the index alone (statistics' supporters active, the roster's and today's burnout flag).
- `relationship(ended_at, supporter_id)` where a relationship ended early: early endings lately
  by supporter (the burnout flag) without reading the completed endings.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-05 09:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENDED_EARLY = "state = 'ended' AND end_kind <> 'completed'"


def upgrade() -> None:
    with op.batch_alter_table("contact_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supporter_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_contact_session_supporter_id",
            "user_account",
            ["supporter_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE contact_session SET supporter_id = (SELECT relationship.supporter_id"
        " FROM relationship WHERE relationship.id = contact_session.relationship_id)"
    )
    op.create_index(
        "ix_contact_session_status_start_supporter",
        "contact_session",
        ["status", "start_at", "supporter_id"],
    )
    op.create_index(
        "ix_relationship_ended_early",
        "relationship",
        ["ended_at", "supporter_id"],
        postgresql_where=sa.text(ENDED_EARLY),
        sqlite_where=sa.text(ENDED_EARLY),
    )


def downgrade() -> None:
    op.drop_index("ix_relationship_ended_early", table_name="relationship")
    op.drop_index("ix_contact_session_status_start_supporter", table_name="contact_session")
    with op.batch_alter_table("contact_session", schema=None) as batch_op:
        batch_op.drop_constraint("fk_contact_session_supporter_id", type_="foreignkey")
        batch_op.drop_column("supporter_id")
