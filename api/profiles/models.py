"""Profiles, the experience taxonomy, each person's experiences and their own-words vector."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_list_field


class Stage(StrEnum):
    going_through = "going_through"
    further_along = "further_along"


class Channel(StrEnum):
    chat = "chat"
    phone = "phone"
    video = "video"
    in_person = "in_person"


class ExperienceCategory(SQLModel, table=True):
    __tablename__ = "experience_category"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(80), unique=True)
    label: str = Field(sa_type=String(120))
    phrase: str = Field(sa_type=String(160))
    retired: bool = False


class ExperienceTag(SQLModel, table=True):
    """A specific experience. Retired tags stay on profiles but can't be picked any more."""

    __tablename__ = "experience_tag"

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(foreign_key="experience_category.id", index=True)
    slug: str = Field(sa_type=String(80), unique=True)
    label: str = Field(sa_type=String(120))
    phrase: str = Field(sa_type=String(160))
    retired: bool = False


class Profile(SQLModel, table=True):
    __tablename__ = "profile"

    user_id: UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    pronouns: str | None = Field(default=None, sa_type=String(40))
    languages: list[str] = json_list_field()
    timezone: str = Field(sa_type=String(64))
    # Weekly windows in the person's own zone: [{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}]
    availability: list[dict] = json_list_field()
    channels: list[str] = json_list_field()
    # Topics they'd rather not talk about, in their own words: a JSON list, AES-GCM sealed,
    # bound to user_id (api/profiles/topics.py); None when there are none.
    topics_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Only used when someone asks for a preference.
    age_band: str | None = Field(default=None, sa_type=String(10))
    gender: str | None = Field(default=None, sa_type=String(30))
    updated_at: datetime = created_field(index=True)


class PersonExperience(SQLModel, table=True):
    __tablename__ = "person_experience"
    __table_args__ = (UniqueConstraint("user_id", "tag_id", name="uq_person_experience"),)

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="experience_tag.id", index=True)
    stage: str = Field(sa_type=String(20))
    willing_to_talk: bool = True
    # Their own words: health data, AES-GCM sealed, bound to this row's id.
    description_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)


class OwnWordsVector(SQLModel, table=True):
    """One person's own words as one embedding, for similarity (api/profiles/own_words.py).

    Derived from their descriptions and rebuilt from them at any time. Sealed like the words
    themselves, because an embedding can be turned back into something close to what was
    written; it goes with the account (ON DELETE CASCADE).
    """

    __tablename__ = "own_words_vector"

    user_id: UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    # float16 little-endian, AES-GCM sealed, bound to user_id.
    vector_sealed: bytes = Field(sa_type=LargeBinary)
    # Vectors of different models can't be compared: only the current model's are used.
    model: str = Field(sa_type=String(80))
    updated_at: datetime = created_field()
