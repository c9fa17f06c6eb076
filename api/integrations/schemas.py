"""What integrators send and read. Nothing here ever carries what a person said or wrote,
their profile, or anyone's contact details: ids, states, dates and counts only."""

import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, field_validator

from api.integrations.status import ReferralStatus, ReferralView, RelationshipState
from api.referrals.models import Ending

TagName = Annotated[str, StringConstraints(min_length=1, max_length=120)]


EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"  # as api/auth/service.EMAIL
REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,99}$"  # as api/referrals/service.REFERENCE
PHONE = r"^\+?[0-9 ()-]{6,30}$"  # as api/referrals/service.PHONE


def _matching(value: str | None, pattern: str, message: str) -> str | None:
    """The pattern the OpenAPI document declares, checked with a message people can read."""
    if value is not None and not re.match(pattern, value):
        raise ValueError(message)
    return value


class ReferrerIn(BaseModel):
    """The referrer's own work details (e.g. the link worker's), shown to the person on the
    invitation so they know who sent it. Sealed at rest, never sent back."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=80)
    role: str | None = Field(
        default=None, max_length=80, examples=["Social prescribing link worker"]
    )
    email: str | None = Field(default=None, max_length=320, json_schema_extra={"pattern": EMAIL})
    phone: str | None = Field(default=None, max_length=30, json_schema_extra={"pattern": PHONE})

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _matching(value, EMAIL, "Enter an e-mail address, like name@example.org.")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _matching(value, PHONE, "Enter a phone number: digits, spaces and +.")


class ReferralIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference": "RSP-2041",
                    "email": "sam@example.org",
                    "experiences": ["Loss of a parent", 12],
                    "referrer": {
                        "name": "Jo Patel",
                        "role": "Social prescribing link worker",
                        "email": "jo.patel@riverside.example",
                    },
                    "note": "As we talked about, this is the peer support service I mentioned.",
                }
            ],
            # The person's e-mail, your reference, or both.
            "anyOf": [
                {"required": ["email"], "properties": {"email": {"type": "string"}}},
                {"required": ["reference"], "properties": {"reference": {"type": "string"}}},
            ],
        },
    )
    email: str | None = Field(
        default=None,
        max_length=320,
        description="The person's e-mail: it only pre-fills their sign-up, and is never sent back.",
        json_schema_extra={"pattern": EMAIL},
    )
    reference: str | None = Field(
        default=None,
        max_length=100,
        description="Your own reference for the person (unique among your referrals); no "
        "spaces or e-mail addresses. Give this, the e-mail, or both.",
        json_schema_extra={"pattern": REFERENCE},
    )
    experiences: list[StrictInt | TagName] = Field(
        default_factory=list,
        max_length=20,
        description="Suggested experiences, by tag id, slug or name (GET /api/v1/taxonomy): "
        "they are pre-filled on the person's profile, which they can change.",
    )
    referrer: ReferrerIn | None = None
    note: str | None = Field(
        default=None, max_length=1000, description="A note for the person, on their invitation."
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _matching(value, EMAIL, "Enter the person's e-mail address, like name@example.org.")

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str | None) -> str | None:
        return _matching(
            value,
            REFERENCE,
            "Use your own case reference: letters, digits and . _ : / # - (no spaces, no "
            "e-mail addresses), up to 100 characters.",
        )


class SummaryOut(BaseModel):
    """What the person agreed to share: how it ended and how many sessions were held."""

    ending: Ending = Field(
        description="planned: the agreed sessions were held; early: ended before the planned "
        "end; by_the_service: the service ended it."
    )
    sessions_held: int
    shared_at: datetime


class ReferralOut(BaseModel):
    id: UUID
    reference: str | None
    status: ReferralStatus
    created_at: datetime
    invite_expires_at: datetime = Field(description="When the invite link stops working.")
    summaries: list[SummaryOut] = Field(
        description="One per ended support relationship the person agreed to share; empty "
        "unless they said yes."
    )

    @classmethod
    def of(cls, view: ReferralView) -> "ReferralOut":
        r = view.referral
        return cls(
            id=r.id,
            reference=r.reference,
            status=view.status,
            created_at=r.created_at,
            invite_expires_at=r.expires_at,
            summaries=[
                SummaryOut(
                    ending=Ending(s.ending), sessions_held=s.sessions_held, shared_at=s.shared_at
                )
                for s in view.summaries
                if s.shared_at is not None
            ],
        )


class ReferralCreated(ReferralOut):
    invite_url: str = Field(
        description="The person's invite link: give it to them. It works once, until "
        "invite_expires_at; it is shown only in this answer."
    )


class RelationshipStateOut(BaseModel):
    relationship_id: UUID
    referral_id: UUID
    state: Literal["introduced", "agreeing", "active", "paused", "ended"]

    @classmethod
    def of(cls, found: RelationshipState) -> "RelationshipStateOut":
        return cls.model_validate(
            {
                "relationship_id": found.relationship_id,
                "referral_id": found.referral_id,
                "state": found.state.value,
            }
        )
