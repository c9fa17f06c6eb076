"""Where each kind of notice leads on the PWA: the page where the person can act on it.

A notice about a proposal opens the agreement, one about a message opens the chat; endings,
pauses and coordinators' actions open the relationship's safety page, where carrying on,
aftercare and asking for a new match are.
"""

from uuid import UUID

# kind -> (where, relative to the relationship unless it starts with "/", words on the link)
LINKS: dict[str, tuple[str, str]] = {
    "introduction_received": ("/introductions", "Answer the introduction"),
    "introduction_expiring": ("/introductions", "Answer the introduction"),
    "introduction_accepted": ("", "Agree your terms together"),
    "introduction_not_available": ("/find", "Choose someone else"),
    "proposal_to_review": ("agreement", "See the proposal"),
    "session_proposed": ("sessions", "Answer it"),
    "session_rescheduled": ("sessions", "Answer it"),
    "session_confirmed": ("sessions", "See your sessions"),
    "session_cancelled": ("sessions", "See your sessions"),
    "session_reminder": ("sessions", "See your sessions"),
    "message_delivered": ("home", "Read it"),
    "review_due": ("", "Check your terms together"),
    "sessions_complete": ("home", "See what comes next"),
    "supporter_suspended": ("", "See the relationship"),
    "supporter_reinstated": ("", "See the relationship"),
    "offer_approved": ("/support/offer", "See your offer"),
    "offer_declined": ("/support/offer", "See your offer"),
    "referral_summary_question": ("/referral-summaries", "Choose whether to share"),
    "inactive_warning": ("/account", "See my account and data"),
    "moderation_warn": ("/moderation", "Read why"),
    "moderation_hide_message": ("/moderation", "Read why"),
    "moderation_suspend": ("/moderation", "Read why"),
    "moderation_end_relationship": ("/moderation", "Read why"),
    "appeal_upheld": ("/moderation", "Read the answer"),
    "appeal_overturned": ("/moderation", "Read the answer"),
}
DEFAULT = ("safety", "See the relationship")


def notice_link(kind: str, relationship_id: UUID | None) -> tuple[str, str] | None:
    """The address and the words of the link a notice of this kind carries (None: no link)."""
    where, words = LINKS.get(kind, DEFAULT)
    if where.startswith("/"):
        return where, words
    if relationship_id is None:
        return None
    return f"/relationships/{relationship_id}" + (f"/{where}" if where else ""), words
