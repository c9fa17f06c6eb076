"""each person's own topics in agreements; a seeker may share their own words with a supporter

- `agreement_version.terms["topics_to_avoid"]` was one list for both people; it becomes
  {"seeker": [...], "supporter": [...]}, so each person's topics are theirs alone. Topics
  already written move to the side of whoever proposed that version (they wrote them).
- `support_request.share_own_words`: whether the seeker lets the supporter who accepts read
  what they wrote in their own words about these experiences (off unless they say so).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 09:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_versions = sa.table(
    "agreement_version",
    sa.column("id", sa.Uuid()),
    sa.column("relationship_id", sa.Uuid()),
    sa.column("proposed_by", sa.Uuid()),
    sa.column("terms", sa.JSON()),
)
_relationships = sa.table(
    "relationship", sa.column("id", sa.Uuid()), sa.column("seeker_id", sa.Uuid())
)


def _rewrite(change) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _versions.c.id, _versions.c.terms, _versions.c.proposed_by, _relationships.c.seeker_id
        ).join(_relationships, _relationships.c.id == _versions.c.relationship_id)
    ).all()
    for version_id, terms, proposed_by, seeker_id in rows:
        new = change(dict(terms or {}), proposed_by is not None and proposed_by == seeker_id)
        if new is not None:
            bind.execute(
                sa.update(_versions).where(_versions.c.id == version_id).values(terms=new)
            )


def upgrade() -> None:
    with op.batch_alter_table("support_request") as batch:
        batch.add_column(
            sa.Column("share_own_words", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    def per_person(terms: dict, by_seeker: bool) -> dict | None:
        topics = terms.get("topics_to_avoid")
        if isinstance(topics, dict):
            return None
        mine = list(topics or [])
        terms["topics_to_avoid"] = {
            "seeker": mine if by_seeker else [],
            "supporter": [] if by_seeker else mine,
        }
        return terms

    _rewrite(per_person)


def downgrade() -> None:
    def one_list(terms: dict, by_seeker: bool) -> dict | None:
        topics = terms.get("topics_to_avoid")
        if not isinstance(topics, dict):
            return None
        both = [*topics.get("seeker", []), *topics.get("supporter", [])]
        terms["topics_to_avoid"] = list(dict.fromkeys(both))
        return terms

    _rewrite(one_list)
    with op.batch_alter_table("support_request") as batch:
        batch.drop_column("share_own_words")
