"""The e-mails about an account itself: fixed words and a link, never anything else."""

from api.config import Settings
from api.mail.compose import Composed, compose

_NOT_YOU = "If this wasn't you, you can ignore this e-mail: nothing changes without the link."


def _link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


def confirm_address(settings: Settings, *, name: str, token: str, new: bool) -> Composed:
    hours = settings.address_link_hours
    return compose(
        service_name=settings.service_name,
        subject=f"Please confirm your {'new ' if new else ''}e-mail address for "
        f"{settings.service_name}",
        name=name,
        lines=[
            f"Please confirm this is your e-mail address by following the link below. "
            f"It works once, for {hours} hours.",
            _NOT_YOU,
        ],
        link=("Confirm my address", _link(settings, "/confirm-email", token)),
    )


def reset_link(settings: Settings, *, name: str, token: str) -> Composed:
    minutes = settings.password_reset_minutes
    return compose(
        service_name=settings.service_name,
        subject=f"Reset your {settings.service_name} password",
        name=name,
        lines=[
            "Someone (we hope you) asked to reset the password of your account. "
            f"The link below works once, for {minutes} minutes.",
            _NOT_YOU,
        ],
        link=("Choose a new password", _link(settings, "/reset-password", token)),
    )


def password_changed(settings: Settings, *, name: str) -> Composed:
    return compose(
        service_name=settings.service_name,
        subject=f"Your {settings.service_name} password was changed",
        name=name,
        lines=[
            "The password of your account was just changed, and every device that was signed "
            "in has been signed out.",
            "If this wasn't you, please reset your password straight away and tell a coordinator.",
        ],
        link=("Open " + settings.service_name, f"{settings.public_url.rstrip('/')}/login"),
    )


def address_changed(settings: Settings, *, name: str) -> Composed:
    return compose(
        service_name=settings.service_name,
        subject=f"Your {settings.service_name} e-mail address was changed",
        name=name,
        lines=[
            "The e-mail address of your account was just changed to another one, so we will "
            "no longer write to this address.",
            "If this wasn't you, please tell a coordinator straight away.",
        ],
    )
