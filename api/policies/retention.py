"""How long Kindred keeps what people wrote and what it records about them: the service's
retention periods, as one setting (``retention``) that only an administrator changes.

The purge job (``api.privacy.retention``, on the queue as ``privacy.purge``) enforces them;
docs/data-inventory.md names the period each column falls under.
"""

from pydantic import BaseModel, ConfigDict, Field

DAY_LIMIT = 3650 * 2  # twenty years: beyond any record-keeping rule we know of


class RetentionPeriods(BaseModel):
    """Days each kind of record is kept once it is no longer needed for the support itself."""

    model_config = ConfigDict(extra="forbid")

    # Messages of a relationship that has ended (no open concern), counted from the ending.
    ended_messages_days: int = Field(default=90, ge=1, le=DAY_LIMIT)
    # What was written in a concern and its notes, counted from its resolution. The concern
    # itself (kind, dates, who) is kept: it still keeps two people from being matched again.
    resolved_concern_details_days: int = Field(default=365, ge=1, le=DAY_LIMIT)
    # Safeguarding access records and their audit entries (coordinators reading content).
    # The staff audit log (api/audit) is kept for the same period.
    audit_days: int = Field(default=6 * 365, ge=365, le=DAY_LIMIT)
    # An account nobody has signed in to for this long is told it will be deleted...
    inactive_account_days: int = Field(default=2 * 365, ge=90, le=DAY_LIMIT)
    # ...and is deleted this many days after that warning, unless they sign in.
    inactive_warning_days: int = Field(default=30, ge=7, le=365)
