"""each person's topics to avoid are sealed at rest, like the rest of their own words

- `profile.topics_to_avoid` (a plain JSON list) becomes `profile.topics_sealed`: the list as
  JSON, AES-GCM sealed with the configured DATA_ENCRYPTION_KEY, bound to the profile's user_id.
- `agreement_version.terms["topics_to_avoid"]` leaves the plain terms for
  `agreement_version.topics_sealed`, sealed the same way and bound to the version's id.

The contexts below are frozen copies of api/profiles/topics.py and
api/relationships/sealed_topics.py. The key is read only when there is something to seal.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 04:00:00.000000+00:00
"""

import json
from collections.abc import Sequence
from functools import cache

import sqlalchemy as sa

from alembic import op
from api.config import Settings, get_settings
from api.crypto import seal, unseal

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROFILE = b"profile.topics_to_avoid:"
_VERSION = b"agreement_version.topics_to_avoid:"
_KEY = "topics_to_avoid"


@cache
def _settings() -> Settings:
    return get_settings()


def _profiles(*columns: str) -> sa.TableClause:
    types = {"topics_to_avoid": sa.JSON(), "topics_sealed": sa.LargeBinary()}
    return sa.table(
        "profile", sa.column("user_id", sa.Uuid()), *(sa.column(c, types[c]) for c in columns)
    )


_versions = sa.table(
    "agreement_version",
    sa.column("id", sa.Uuid()),
    sa.column("terms", sa.JSON()),
    sa.column("topics_sealed", sa.LargeBinary()),
)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("profile") as batch:
        batch.add_column(sa.Column("topics_sealed", sa.LargeBinary(), nullable=True))
    profiles = _profiles("topics_to_avoid", "topics_sealed")
    rows = bind.execute(sa.select(profiles.c.user_id, profiles.c.topics_to_avoid)).all()
    for user_id, topics in rows:
        if topics:
            sealed = seal(_settings(), json.dumps(list(topics)), _PROFILE + user_id.bytes)
            bind.execute(
                sa.update(profiles)
                .where(profiles.c.user_id == user_id)
                .values(topics_sealed=sealed)
            )
    with op.batch_alter_table("profile") as batch:
        batch.drop_column("topics_to_avoid")

    with op.batch_alter_table("agreement_version") as batch:
        batch.add_column(sa.Column("topics_sealed", sa.LargeBinary(), nullable=True))
    for version_id, terms in bind.execute(sa.select(_versions.c.id, _versions.c.terms)).all():
        if not isinstance(terms, dict) or _KEY not in terms:
            continue
        rest = {k: v for k, v in terms.items() if k != _KEY}
        sealed = seal(_settings(), json.dumps(terms[_KEY]), _VERSION + version_id.bytes)
        bind.execute(
            sa.update(_versions)
            .where(_versions.c.id == version_id)
            .values(terms=rest, topics_sealed=sealed)
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_versions.c.id, _versions.c.terms, _versions.c.topics_sealed).where(
            _versions.c.topics_sealed.is_not(None)
        )
    ).all()
    for version_id, terms, sealed in rows:
        topics = json.loads(unseal(_settings(), sealed, _VERSION + version_id.bytes) or "null")
        bind.execute(
            sa.update(_versions)
            .where(_versions.c.id == version_id)
            .values(terms={**(terms or {}), _KEY: topics})
        )
    with op.batch_alter_table("agreement_version") as batch:
        batch.drop_column("topics_sealed")

    with op.batch_alter_table("profile") as batch:
        batch.add_column(
            sa.Column("topics_to_avoid", sa.JSON(), nullable=False, server_default="[]")
        )
    profiles = _profiles("topics_to_avoid", "topics_sealed")
    rows = bind.execute(
        sa.select(profiles.c.user_id, profiles.c.topics_sealed).where(
            profiles.c.topics_sealed.is_not(None)
        )
    ).all()
    for user_id, sealed in rows:
        topics = json.loads(unseal(_settings(), sealed, _PROFILE + user_id.bytes) or "[]")
        bind.execute(
            sa.update(profiles).where(profiles.c.user_id == user_id).values(topics_to_avoid=topics)
        )
    with op.batch_alter_table("profile") as batch:
        batch.drop_column("topics_sealed")
