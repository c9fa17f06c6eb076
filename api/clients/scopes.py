"""The fixed list of scopes a client may hold, each with what it allows."""

SCOPES: dict[str, str] = {
    "referrals:write": "Refer people to Kindred (an invite link for each).",
    "referrals:read": (
        "Follow your own referrals: their status, and a summary the person agreed to share."
    ),
    "relationships:read": (
        "The states of the support relationships of the people you referred: ids and states."
    ),
    "stats:read": "The service's monthly statistics: totals only, nothing about any one person.",
    "webhooks:manage": "Set up the endpoints Kindred sends events to.",
}


def unknown(scopes: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    """The names in `scopes` that aren't scopes, in the order given."""
    return [s for s in scopes if s not in SCOPES]
