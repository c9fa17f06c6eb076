"""What the recovery and address routes take and send."""

from pydantic import BaseModel, ConfigDict, Field


class ResetAsk(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "sam@example.org"}]}
    )
    email: str = Field(min_length=1, max_length=320)


class ResetConfirm(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"token": "the token from the link", "password": "a long walk home"}]
        },
    )
    token: str = Field(min_length=1, max_length=200, description="From the e-mailed link")
    password: str = Field(max_length=128)


class AddressConfirm(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"token": "the token from the link"}]}
    )
    token: str = Field(min_length=1, max_length=200, description="From the e-mailed link")


class AddressChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "sam.new@example.org", "password": "a calm walk by the river"}]
        },
    )
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(max_length=128, description="My password again")


class Accepted(BaseModel):
    detail: str


class AddressOut(BaseModel):
    email: str
    verified: bool = Field(description="Whether the address has been confirmed by its link")
