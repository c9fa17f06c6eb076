"""My notification settings: which kinds by e-mail or push, reminders, quiet hours."""

from fastapi import APIRouter

from api.auth.deps import CurrentPrincipal
from api.db import SessionDep
from api.errors import problem_response_docs
from api.notices import preferences
from api.notices.schemas import NotificationSettings

router = APIRouter(tags=["notices"])


def _minute(clock: str | None) -> int | None:
    if clock is None:
        return None
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def settings_out(found: preferences.Choices) -> NotificationSettings:
    return NotificationSettings.of(found)


def choices_of(body: NotificationSettings) -> preferences.Choices:
    return preferences.Choices(
        email_kinds=body.email_kinds,
        digest=body.digest,
        push_off=body.push_off,
        reminders_off=body.reminders_off,
        remind_before_minutes=body.remind_before_minutes,
        quiet_from=_minute(body.quiet_from),
        quiet_until=_minute(body.quiet_until),
    )


@router.get("/me/notification-settings", response_model=NotificationSettings)
async def my_settings(me: CurrentPrincipal, db: SessionDep) -> NotificationSettings:
    """How I hear of my notices beyond the app (the defaults until I change them)."""
    return settings_out(await preferences.mine(db, me))


@router.put(
    "/me/notification-settings",
    response_model=NotificationSettings,
    responses=problem_response_docs(422),
)
async def change_settings(
    body: NotificationSettings, me: CurrentPrincipal, db: SessionDep
) -> NotificationSettings:
    """Change how I hear of my notices (all the settings at once)."""
    return settings_out(await preferences.change(db, me, choices=choices_of(body)))
