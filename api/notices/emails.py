"""What an e-mail about notices says: that there is something new, and a link to the app.

Never what the notice says, never a name other than the reader's own pseudonym, never a kind
of notice (an e-mail may be read by someone else): docs/notifications.md.
"""

from api.config import Settings
from api.mail.compose import Composed, compose

SUBJECT = "You have a new update on {service}"
DIGEST_SUBJECT = "Your updates on {service}"
PRIVATE = (
    "To keep your support private, we never put any details in e-mails. You can read it in the app."
)


def _footer(settings: Settings) -> list[str]:
    base = settings.public_url.rstrip("/")
    return [
        "You get these e-mails because you chose them in your notification settings: "
        f"{base}/settings/notifications"
    ]


def _unsubscribe(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/unsubscribe/{token}"


def notice_mail(settings: Settings, *, name: str, unsubscribe_token: str) -> Composed:
    service = settings.service_name
    return compose(
        service_name=service,
        subject=SUBJECT.format(service=service),
        name=name,
        lines=[f"There's something new for you on {service}.", PRIVATE],
        link=(f"Open {service}", f"{settings.public_url.rstrip('/')}/notices"),
        footer=_footer(settings),
        unsubscribe_url=_unsubscribe(settings, unsubscribe_token),
    )


def digest_mail(settings: Settings, *, name: str, count: int, unsubscribe_token: str) -> Composed:
    service = settings.service_name
    what = "1 new update" if count == 1 else f"{count} new updates"
    return compose(
        service_name=service,
        subject=DIGEST_SUBJECT.format(service=service),
        name=name,
        lines=[f"You have {what} on {service} since your last summary.", PRIVATE],
        link=(f"Open {service}", f"{settings.public_url.rstrip('/')}/notices"),
        footer=_footer(settings),
        unsubscribe_url=_unsubscribe(settings, unsubscribe_token),
    )
