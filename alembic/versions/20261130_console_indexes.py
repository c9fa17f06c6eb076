"""indexes for the coordinator console's reads at service scale

- `contact_session(relationship_id, status, start_at)`: a relationship's last held session.
- `relationship(created_at, id)` and `relationship(state, created_at, id)`: the health list's
  pages, newest or oldest first, with or without a state.
- `relationship(state, ended_at)`: endings by month and early endings lately.
- `supporter_offer(active_count, user_id)`: the roster, fullest first.
- `support_request(status, created_at, id)`: the longest waiting.
- `support_request(status, first_in_line_at, created_at)`: the waiting list's order.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    (
        "ix_contact_session_relationship_status_start",
        "contact_session",
        ["relationship_id", "status", "start_at"],
    ),
    ("ix_relationship_created", "relationship", ["created_at", "id"]),
    ("ix_relationship_state_created", "relationship", ["state", "created_at", "id"]),
    ("ix_relationship_state_ended", "relationship", ["state", "ended_at"]),
    ("ix_supporter_offer_load", "supporter_offer", ["active_count", "user_id"]),
    ("ix_support_request_status_created", "support_request", ["status", "created_at", "id"]),
    (
        "ix_support_request_status_line",
        "support_request",
        ["status", "first_in_line_at", "created_at"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
