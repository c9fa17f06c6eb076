from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool, StringConstraints

from api.profiles.models import Channel, Stage
from api.weekly.windows import WeeklyWindow

AgeBand = Literal["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]

PROFILE_EXAMPLE: dict[str, JsonValue] = {
    "pronouns": "she/her",
    "languages": ["en", "fr"],
    "timezone": "Europe/London",
    "availability": [
        {"weekday": 1, "start": "18:00", "end": "21:00"},
        {"weekday": 5, "start": "10:00", "end": "12:00"},
    ],
    "channels": ["chat", "video"],
    "topics_to_avoid": ["religion"],
    "age_band": None,
    "gender": None,
}


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    pronouns: str | None = Field(default=None, max_length=40)
    languages: list[LanguageCode] = Field(min_length=1, max_length=10, description="ISO 639 codes")
    timezone: str = Field(max_length=64, description="IANA time zone, e.g. Europe/London")
    availability: list[WeeklyWindow] = Field(
        default_factory=list, max_length=28, description="Weekly windows in your own time zone"
    )
    channels: list[Channel] = Field(min_length=1)
    topics_to_avoid: list[ShortText] = Field(default_factory=list, max_length=20)
    age_band: AgeBand | None = Field(default=None, description="Only used if someone asks")
    gender: str | None = Field(default=None, max_length=30, description="Only used if someone asks")


class ProfileOut(ProfileIn):
    model_config = ConfigDict(extra="ignore")
    user_id: UUID
    display_name: str
    updated_at: datetime


class ExperienceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tag_id": 3,
                    "stage": "further_along",
                    "willing_to_talk": True,
                    "description": "My dad died when I was 30; the first year was the hardest.",
                }
            ]
        },
    )
    tag_id: int
    stage: Stage
    willing_to_talk: StrictBool = True
    description: str | None = Field(default=None, max_length=2000, description="In your own words")


class ExperienceOut(BaseModel):
    id: UUID
    tag_id: int
    tag_label: str
    category_label: str
    retired: bool
    stage: Stage
    willing_to_talk: bool
    description: str | None


class TaxonomyItemOut(BaseModel):
    id: int
    slug: str
    label: str
    phrase: str
    retired: bool


class CategoryOut(BaseModel):
    id: int
    slug: str
    label: str
    phrase: str
    retired: bool
    tags: list[TaxonomyItemOut]


class CategoryIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"label": "Caring for someone", "phrase": "caring for someone"}]
        },
        extra="forbid",
    )
    label: str = Field(min_length=2, max_length=120)
    phrase: str = Field(min_length=2, max_length=160)


class TagIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"category_id": 1, "label": "Loss of a twin", "phrase": "losing a twin"}]
        },
    )
    category_id: int
    label: str = Field(min_length=2, max_length=120)
    phrase: str = Field(min_length=2, max_length=160)


class TaxonomyChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"retired": True}]}, extra="forbid")
    label: str | None = Field(default=None, min_length=2, max_length=120)
    phrase: str | None = Field(default=None, min_length=2, max_length=160)
    retired: StrictBool | None = None
