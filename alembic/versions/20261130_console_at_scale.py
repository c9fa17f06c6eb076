"""the coordinator console at service scale: statistics of months that are over kept once
worked out, and the indexes the console's lists read

- `month_figures`: each month's statistics, kept once the month has been over for a day;
  `month_change`: a change to something a month that is over counted (they are counted again).
- `supporter_offer.display_name` (copied from the account) and `(display_name, user_id)`: the
  roster in name order read from an index, not sorted out of every account.
- `relationship(answered_at, state, request_id, supporter_id)`: acceptances of a period
  (waiting times, supporters answered lately); `relationship(request_id, answered_at, state)`:
  a request's introductions and its first acceptance; `relationship(id, supporter_id)`: a
  relationship's supporter without reading the row.
- wider, so that a month's statistics and the burnout flags are read from indexes alone:
  `contact_session(status, start_at, relationship_id)`, `relationship(created_at, id, state)`,
  `relationship(state, ended_at, end_kind, supporter_id, seeker_id, ended_by)`,
  `relationship(supporter_id, state, answered_at)`.
- `relationship(state, created_at, id)` where a review is due: today's reviews and the filter.

Revision ID: 0014
Revises: 0017
Create Date: 2026-12-01 05:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from api.common import UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_DUE = "review_at_session IS NOT NULL AND sessions_held >= review_at_session"
INDEXES = (
    (
        "ix_relationship_answered",
        "relationship",
        ["answered_at", "state", "request_id", "supporter_id"],
    ),
    ("ix_relationship_request_answered", "relationship", ["request_id", "answered_at", "state"]),
    ("ix_relationship_supporter_of", "relationship", ["id", "supporter_id"]),
)
# Indexes made wider so that reads are answered from them alone: (old, new) definitions.
WIDER = (
    (
        ("ix_contact_session_status_start", "contact_session", ["status", "start_at"]),
        (
            "ix_contact_session_status_start",
            "contact_session",
            ["status", "start_at", "relationship_id"],
        ),
    ),
    (
        ("ix_relationship_state_ended", "relationship", ["state", "ended_at"]),
        (
            "ix_relationship_ended",
            "relationship",
            ["state", "ended_at", "end_kind", "supporter_id", "seeker_id", "ended_by"],
        ),
    ),
    (
        ("ix_relationship_created", "relationship", ["created_at", "id"]),
        ("ix_relationship_created", "relationship", ["created_at", "id", "state"]),
    ),
    (
        ("ix_relationship_supporter_state", "relationship", ["supporter_id", "state"]),
        (
            "ix_relationship_supporter_state_answered",
            "relationship",
            ["supporter_id", "state", "answered_at"],
        ),
    ),
)


def upgrade() -> None:
    op.create_table(
        "month_figures",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("changes_seen", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "month_change",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_month_change_month", "month_change", ["month"])
    with op.batch_alter_table("supporter_offer") as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(60), nullable=True))
    op.execute(
        sa.text(
            "UPDATE supporter_offer SET display_name = (SELECT display_name FROM user_account"
            " WHERE user_account.id = supporter_offer.user_id)"
        )
    )
    with op.batch_alter_table("supporter_offer") as batch_op:
        batch_op.alter_column("display_name", existing_type=sa.String(60), nullable=False)
        batch_op.create_index("ix_supporter_offer_name", ["display_name", "user_id"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for (old, table, _), (name, _, columns) in WIDER:
        op.drop_index(old, table_name=table)
        op.create_index(name, table, columns)
    op.create_index(
        "ix_relationship_review_due",
        "relationship",
        ["state", "created_at", "id"],
        postgresql_where=sa.text(REVIEW_DUE),
        sqlite_where=sa.text(REVIEW_DUE),
    )


def downgrade() -> None:
    op.drop_index("ix_relationship_review_due", table_name="relationship")
    for (old, table, columns), (name, _, _) in reversed(WIDER):
        op.drop_index(name, table_name=table)
        op.create_index(old, table, columns)
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("supporter_offer") as batch_op:
        batch_op.drop_index("ix_supporter_offer_name")
        batch_op.drop_column("display_name")
    op.drop_index("ix_month_change_month", table_name="month_change")
    op.drop_table("month_change")
    op.drop_table("month_figures")
