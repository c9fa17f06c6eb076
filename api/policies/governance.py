"""The service's governance settings: the screening and training checklist every supporter is
recorded against, how often supporters have supervision, and whether safeguarding access to
content needs a second coordinator (the two-person rule)."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

KEY_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"


class ChecklistItem(BaseModel):
    """One thing checked before someone supports others, or kept up while they do."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=KEY_PATTERN, description="A short stable name, e.g. `references`")
    name: str = Field(min_length=2, max_length=80, description="What coordinators read")
    required: bool = Field(default=True, description="Approval waits until it is recorded")
    expires_after_months: int | None = Field(
        default=None, ge=1, le=120, description="Done again after this long (none: once is enough)"
    )


def _distinct(items: list[ChecklistItem]) -> list[ChecklistItem]:
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        raise ValueError("Each item needs its own key.")
    if len(items) > 30:
        raise ValueError("Keep the checklist to 30 items or fewer.")
    return items


Checklist: TypeAdapter[list[ChecklistItem]] = TypeAdapter(
    Annotated[list[ChecklistItem], AfterValidator(_distinct)]
)

# What a new service starts with: a supporter is approved once their references are checked,
# their peer-support training is done (refreshed every year) and they have signed the code
# of conduct. A DBS check is kept for roles that need one (not every peer-support role does).
DEFAULT_CHECKLIST = (
    ChecklistItem(key="references", name="References checked"),
    ChecklistItem(key="training", name="Peer support training completed", expires_after_months=12),
    ChecklistItem(key="code_of_conduct", name="Code of conduct signed"),
    ChecklistItem(
        key="dbs",
        name="DBS check (where the role needs one)",
        required=False,
        expires_after_months=36,
    ),
)


class Supervision(BaseModel):
    """How often each supporter has a supervision session."""

    model_config = ConfigDict(extra="forbid")

    interval_days: int = Field(default=42, ge=7, le=365)


class TwoPersonAccess(BaseModel):
    """Safeguarding access to content opens only once a second coordinator (or the
    safeguarding lead) approves it, within `request_hours` of the asking."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    request_hours: int = Field(default=4, ge=1, le=72)
