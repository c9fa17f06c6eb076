"""How each kind of notice reads. A notice stores a kind and a few plain values, never free
text; it is worded when it is read, with the other person's current name ("A former member"
once their account is gone). Every kind any domain uses is worded here, in one table."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

NEW_MATCH = " You can ask for a new match whenever you're ready."


@dataclass(frozen=True)
class Wording:
    """What the notice's reader needs to word it."""

    other_name: str  # the other person's display name, or "A former member"
    other_role: str  # "seeker" or "supporter": the other person's role
    i_am_seeker: bool
    params: dict


def _until(params: dict) -> str:
    until = params.get("until")
    return f" until {date.fromisoformat(until).strftime('%-d %B %Y')}" if until else ""


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%-d %B %Y")


def _left(w: Wording) -> str:
    who = "Your supporter" if w.other_role == "supporter" else "The person you were supporting"
    return f"{who} has left Kindred, so your support has ended." + (
        NEW_MATCH if w.i_am_seeker else " Thank you for the support you gave."
    )


# Endings, pauses and carrying on (api/safety).
RELATIONSHIP_WORDING: dict[str, Callable[[Wording], str]] = {
    "ended": lambda w: (
        f"{w.other_name} has ended your support. Endings are a normal part of peer support. "
        "Thank you for the time you shared." + (NEW_MATCH if w.i_am_seeker else "")
    ),
    "completed": lambda w: (
        f"{w.other_name} has confirmed your planned sessions are complete, so your support "
        "has come to its planned end. Thank you for the time you shared."
        + (NEW_MATCH if w.i_am_seeker else "")
    ),
    "ended_for_safety": lambda w: (
        "A coordinator has ended this support relationship to keep everyone safe. "
        "A coordinator may be in touch." + (NEW_MATCH if w.i_am_seeker else "")
    ),
    "account_deleted": _left,
    "paused": lambda w: (
        f"{w.other_name} has paused your support{_until(w.params)}. There are no sessions or "
        "messages while it's paused, and nothing else changes."
    ),
    "pause_changed": lambda w: (
        f"{w.other_name} now plans to pause{_until(w.params)}."
        if w.params.get("until")
        else f"{w.other_name} has taken away the pause's planned date."
    ),
    "paused_for_safety": lambda w: (
        "A coordinator has paused your support for now. There are no sessions or messages "
        "while it's paused. A coordinator may be in touch."
    ),
    "pause_lifted": lambda w: (
        "A coordinator has lifted their pause. You can carry on when you are both ready: "
        "one of you asks, the other agrees."
    ),
    "resume_requested": lambda w: (
        f"{w.other_name} would like to carry on. Your support starts again when you agree."
    ),
    "resumed": lambda w: f"{w.other_name} has agreed to carry on. Your support is active again.",
}


# Sessions, messages, introductions and agreements (api/contact, api/matching).
def _count(n: int, word: str) -> str:
    return f"a {word}" if n == 1 else f"{n} {word}s"


def _message(w: Wording) -> str:
    return f"{w.other_name} sent you {_count(int(w.params.get('count', 1)), 'message')}."


def _cancelled(w: Wording) -> str:
    note = " They left a note with it." if w.params.get("note") else " No reason is needed."
    return f"{w.other_name} cancelled your session on {w.params['when']}.{note}"


CONTACT_WORDING: dict[str, Callable[[Wording], str]] = {
    "introduction_received": lambda w: (
        "Someone would like you to be their peer supporter. Have a look at your introductions."
    ),
    "introduction_expiring": lambda w: (
        f"An introduction is waiting for your answer and closes on {w.params.get('when')}. "
        "Have a look at your introductions."
    ),
    "introduction_accepted": lambda w: (
        f"{w.other_name} would be glad to support you. Next you agree together how and when "
        "you'll be in contact."
    ),
    "introduction_not_available": lambda w: (
        "The supporter you chose is not available right now. This isn't about you. Your "
        "request is back on the waiting list, and you can choose someone else whenever you like."
        if w.params.get("chosen_by", "seeker_choice") == "seeker_choice"
        else "The supporter a coordinator suggested for you is not available right now. This "
        "isn't about you. A coordinator will look for someone else, and you can choose someone "
        "yourself whenever you like."
    ),
    "match_proposed": lambda w: (
        (
            "You asked a coordinator to choose for you, and they have. "
            if w.params.get("asked")
            else "A coordinator has found someone for you. "
        )
        + "They've asked a peer supporter who shares some of your experience whether they can "
        "support you. You'll hear as soon as they answer, and your place on the waiting list is "
        "kept in the meantime."
    ),
    "proposal_to_review": lambda w: (
        f"{w.other_name} has proposed terms (version {w.params.get('number')}) for you to look "
        "at. Nothing changes until you both agree."
    ),
    "session_proposed": lambda w: (
        f"{w.other_name} proposed a session on {w.params['when']}, by {w.params['channel']}. "
        "You can confirm it or suggest another time."
    ),
    "session_rescheduled": lambda w: (
        f"{w.other_name} suggested another time for your session: {w.params['when']}, by "
        f"{w.params['channel']}. You can confirm it or suggest another time."
    ),
    "session_confirmed": lambda w: (
        f"{w.other_name} confirmed your session on {w.params['when']}, by {w.params['channel']}."
    ),
    "session_cancelled": _cancelled,
    "session_cancelled_ended": lambda w: (
        f"Your session on {w.params['when']} is cancelled, as your support has ended."
    ),
    "session_reminder": lambda w: (
        f"Reminder: your session with {w.other_name} is on {w.params['when']}, by "
        f"{w.params['channel']}."
    ),
    "message_delivered": _message,
    "review_due": lambda w: (
        f"You've reached the review you agreed, after session {w.params.get('number')}. "
        "Check together that your terms still fit."
    ),
    "sessions_complete": lambda w: (
        f"You've held all {w.params.get('count')} sessions you agreed. You can close your "
        "support together as planned, or agree more sessions in a new version of your "
        "agreement."
    ),
}


NOTE_ON_PAGE = " A coordinator left you a note: it's on your supporter page."

# Coordinators (api/coordination): said kindly, never why.
COORDINATION_WORDING: dict[str, Callable[[Wording], str]] = {
    "offer_approved": lambda w: (
        "Thank you for offering to support others: a coordinator has approved your offer, so "
        "you're now a Kindred peer supporter. People who'd like your support will show in "
        "your introductions." + (NOTE_ON_PAGE if w.params.get("note") else "")
    ),
    "offer_declined": lambda w: (
        "Thank you for offering to support others. A coordinator can't approve your offer "
        "just now." + (NOTE_ON_PAGE if w.params.get("note") else "")
    ),
    "supporter_suspended": lambda w: (
        f"{w.other_name} is taking a break from new introductions for now. Your support "
        "together carries on just as you agreed. If anything worries you, a coordinator is "
        "here to help."
    ),
    "supporter_reinstated": lambda w: (
        f"{w.other_name} is back to taking new introductions. Nothing changes in your support "
        "together."
    ),
}


# Referrals (api/referrals): the referrer's name is the organisation's, never a person's.
REFERRAL_WORDING: dict[str, Callable[[Wording], str]] = {
    "referral_summary_question": lambda w: (
        f"{w.params.get('referrer', 'The service that referred you')} suggested Kindred to you. "
        "Would you like them to know how your support went: how it ended and how many "
        "sessions you had, nothing else? Nothing is shared unless you say yes."
    ),
}


# The account itself (api/privacy/retention.py). Nothing about anyone's health: the same
# words go out by e-mail, where others may see them.
ACCOUNT_WORDING: dict[str, Callable[[Wording], str]] = {
    "inactive_warning": lambda w: (
        "Nobody has signed in to your Kindred account for a long time, so it will be deleted, "
        f"with everything in it, on {_day(w.params['delete_on'])}. To keep it, just sign in "
        "before then. You can download your data from your account page."
    ),
}


ASK_AGAIN = (
    " You can read what they wrote to you, and if you think it isn't right, ask another "
    "coordinator to look at it again."
)
UNDONE = {
    "hide_message": " Your message can be read again.",
    "suspend": " Your account is no longer suspended.",
}

# Moderation (api/moderation): what happened and that they may appeal; why is on the page.
MODERATION_WORDING: dict[str, Callable[[Wording], str]] = {
    "moderation_warn": lambda w: (
        "A coordinator has looked at something you wrote and has written to you about it. "
        "This is a warning, and your support carries on." + ASK_AGAIN
    ),
    "moderation_hide_message": lambda w: (
        "A coordinator has hidden one of your messages, so neither of you can read it now. "
        "Everything else carries on." + ASK_AGAIN
    ),
    "moderation_suspend": lambda w: (
        f"A coordinator suspended your account{_until(w.params)}. You could not log in or be "
        "in contact until then." + ASK_AGAIN
    ),
    "moderation_end_relationship": lambda w: (
        "A coordinator ended this support for safety, and has written to you about why." + ASK_AGAIN
    ),
    "appeal_upheld": lambda w: (
        "Another coordinator has looked again at the decision you asked about, and has kept "
        "it. You can read what they wrote to you."
    ),
    "appeal_overturned": lambda w: (
        "Another coordinator has looked again at the decision you asked about, and has "
        "reversed it." + UNDONE.get(w.params.get("decision_kind", ""), "") + " You can read "
        "what they wrote to you. Thank you for telling us."
    ),
}


# Every kind of notice there is.
WORDING: dict[str, Callable[[Wording], str]] = {
    **RELATIONSHIP_WORDING,
    **CONTACT_WORDING,
    **COORDINATION_WORDING,
    **REFERRAL_WORDING,
    **ACCOUNT_WORDING,
    **MODERATION_WORDING,
}
