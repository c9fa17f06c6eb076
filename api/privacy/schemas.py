"""What the privacy API takes."""

from pydantic import BaseModel, ConfigDict, Field


class DeleteAccountIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"password": "a calm walk by the river"}]}, extra="forbid"
    )

    password: str = Field(max_length=128, description="Your password, once more")
