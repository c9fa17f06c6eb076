"""What the privacy API takes."""

from pydantic import BaseModel, ConfigDict, Field


class DeleteAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=128, description="Your password, once more")
