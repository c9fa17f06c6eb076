"""Reading and changing the service's settings. The database is the source; a key never set
there falls back to its default from the environment (``api.config.Settings``)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.config import CrisisResource, Settings
from api.errors import FieldError, Forbidden, Invalid, NotFound
from api.policies.governance import (
    DEFAULT_CHECKLIST,
    Checklist,
    ChecklistItem,
    Supervision,
    TwoPersonAccess,
)
from api.policies.models import ServiceSetting, SettingChange
from api.policies.retention import RetentionPeriods


class DefaultAgreement(BaseModel):
    """What a new agreement starts from; the two people change it as they like, within the
    dependency limits."""

    model_config = ConfigDict(extra="forbid")

    sessions_total: int = Field(default=6, ge=1, le=52)
    session_minutes: int = Field(default=45, ge=15, le=180)
    max_sessions_per_week: int = Field(default=1, ge=1, le=7)
    review_after_session: int | None = Field(default=3, ge=1, le=52)

    @model_validator(mode="after")
    def _review_in_the_plan(self) -> "DefaultAgreement":
        if self.review_after_session and self.review_after_session > self.sessions_total:
            raise ValueError(
                f"The review needs to come by session {self.sessions_total}, the last one."
            )
        return self


class DependencyLimits(BaseModel):
    """The most a relationship may agree to, to avoid dependency and burnout."""

    model_config = ConfigDict(extra="forbid")

    max_messages_a_day: int = Field(default=20, ge=1, le=200)
    max_sessions_a_week: int = Field(default=2, ge=1, le=7)


def _defaults(settings: Settings) -> dict[str, Any]:
    return {
        "crisis_resources": [r.model_dump() for r in settings.crisis_resources],
        "introduction_ttl_hours": settings.introduction_ttl_hours,
        "default_agreement": DefaultAgreement().model_dump(),
        "dependency_limits": DependencyLimits().model_dump(),
        "retention": RetentionPeriods().model_dump(),
        "screening_checklist": [i.model_dump() for i in DEFAULT_CHECKLIST],
        "supervision": Supervision().model_dump(),
        "two_person_access": TwoPersonAccess().model_dump(),
    }


_CHECKS: dict[str, TypeAdapter[Any]] = {
    "crisis_resources": TypeAdapter(list[CrisisResource]),
    "introduction_ttl_hours": TypeAdapter(int),
    "default_agreement": TypeAdapter(DefaultAgreement),
    "dependency_limits": TypeAdapter(DependencyLimits),
    "retention": TypeAdapter(RetentionPeriods),
    "screening_checklist": Checklist,
    "supervision": TypeAdapter(Supervision),
    "two_person_access": TypeAdapter(TwoPersonAccess),
}
# Settings that decide what happens to people's data: administrators only.
ADMIN_KEYS = frozenset({"retention"})
KEYS = tuple(_CHECKS)
TTL_HOURS = (12, 24 * 14)


def _require_coordinator(me: Principal) -> None:
    if not me.is_coordinator:
        raise Forbidden("Only coordinators can see or change the service's settings.")


def _check(key: str, value: Any) -> Any:
    """The value in its stored (JSON) form, or a readable error for each field."""
    try:
        checked = _CHECKS[key].validate_python(value)
    except ValidationError as error:
        raise Invalid(
            "Some of these settings need another look.",
            errors=[
                FieldError(field=".".join(str(p) for p in (key, *e["loc"])), message=str(e["msg"]))
                for e in error.errors()
            ],
        ) from None
    if key == "introduction_ttl_hours" and not TTL_HOURS[0] <= checked <= TTL_HOURS[1]:
        raise Invalid.field(key, "Choose between 12 hours and 14 days (336 hours).")
    if key == "crisis_resources" and not checked:
        raise Invalid.field(key, "Keep at least one crisis resource: every page shows them.")
    return _CHECKS[key].dump_python(checked, mode="json")


async def current(db: AsyncSession, settings: Settings) -> dict[str, Any]:
    """Every setting's value now (the database's, else the default)."""
    values = _defaults(settings)
    for row in await db.scalars(select(ServiceSetting)):
        if row.key in values:
            values[row.key] = row.value
    return values


async def crisis_resources(db: AsyncSession, settings: Settings) -> list[CrisisResource]:
    """The crisis resources every page and the API show."""
    row = await db.get(ServiceSetting, "crisis_resources")
    if row is None:
        return settings.crisis_resources
    return [CrisisResource.model_validate(r) for r in row.value]


async def introduction_ttl_hours(db: AsyncSession, settings: Settings) -> int:
    """How long an unanswered introduction waits before it expires."""
    row = await db.get(ServiceSetting, "introduction_ttl_hours")
    return int(row.value) if row is not None else settings.introduction_ttl_hours


async def _stored(db: AsyncSession, key: str) -> Any:
    """A setting's stored value, None when it was never changed (its default applies)."""
    row = await db.get(ServiceSetting, key)
    return None if row is None else row.value


# Each setting read from its stored value (None: never changed, so its default).
def _template(value: Any) -> DefaultAgreement:
    return DefaultAgreement() if value is None else DefaultAgreement.model_validate(value)


def _limits(value: Any) -> DependencyLimits:
    return DependencyLimits() if value is None else DependencyLimits.model_validate(value)


def _checklist(value: Any) -> list[ChecklistItem]:
    return list(DEFAULT_CHECKLIST) if value is None else Checklist.validate_python(value)


def _supervision(value: Any) -> Supervision:
    return Supervision() if value is None else Supervision.model_validate(value)


async def default_agreement(db: AsyncSession) -> DefaultAgreement:
    """What new agreements start from (the service's template)."""
    return _template(await _stored(db, "default_agreement"))


_SETTING = ServiceSetting.__table__.c  # type: ignore[attr-defined]


def stored(key: str) -> Any:
    """A setting's stored value as a column of another statement (NULL: never changed), so a
    read that needs it costs no round trip of its own; read it with ``bounds_of``."""
    return sa_select(_SETTING.value).where(_SETTING.key == key).scalar_subquery()


def bounds_of(template: Any, limits: Any) -> tuple[DefaultAgreement, DependencyLimits]:
    """`default_agreement` and `dependency_limits` from their stored values (``stored``)."""
    return _template(template), _limits(limits)


async def dependency_limits(db: AsyncSession) -> DependencyLimits:
    """The most any relationship may agree to: messages a day, sessions a week."""
    return _limits(await _stored(db, "dependency_limits"))


async def retention(db: AsyncSession) -> RetentionPeriods:
    """How long each kind of record is kept (the purge job enforces it)."""
    row = await db.get(ServiceSetting, "retention")
    return RetentionPeriods() if row is None else RetentionPeriods.model_validate(row.value)


async def screening_checklist(db: AsyncSession) -> list[ChecklistItem]:
    """The screening and training checklist every supporter is recorded against."""
    return _checklist(await _stored(db, "screening_checklist"))


async def supervision(db: AsyncSession) -> Supervision:
    """How often supporters have supervision."""
    return _supervision(await _stored(db, "supervision"))


async def screening_and_supervision(db: AsyncSession) -> tuple[list[ChecklistItem], Supervision]:
    """The screening checklist and how often supervision is due, read in one round trip (the
    console's today page needs both)."""
    keys = ("screening_checklist", "supervision")
    found = await db.scalars(select(ServiceSetting).where(col(ServiceSetting.key).in_(keys)))
    rows = {row.key: row.value for row in found.all()}
    return _checklist(rows.get("screening_checklist")), _supervision(rows.get("supervision"))


async def two_person_access(db: AsyncSession) -> TwoPersonAccess:
    """Whether safeguarding access to content needs a second coordinator's approval."""
    row = await db.get(ServiceSetting, "two_person_access")
    return TwoPersonAccess() if row is None else TwoPersonAccess.model_validate(row.value)


async def change(
    db: AsyncSession, me: Principal, settings: Settings, *, key: str, value: Any
) -> dict[str, Any]:
    """Change one setting (coordinators; retention, administrators), recording who, when, and
    the old and new values."""
    _require_coordinator(me)
    if key not in _CHECKS:
        raise NotFound("No such setting.")
    if key in ADMIN_KEYS and not me.is_admin:
        raise Forbidden("Only an administrator can change how long Kindred keeps people's data.")
    new = _check(key, value)
    if key == "default_agreement":
        most = (await dependency_limits(db)).max_sessions_a_week
        if new["max_sessions_per_week"] > most:
            raise Invalid.field(
                "default_agreement.max_sessions_per_week",
                f"The starting terms can't go beyond the service's limit of {most} a week.",
            )
    old = (await current(db, settings))[key]
    if new != old:
        row = await db.get(ServiceSetting, key)
        now = utcnow()
        if row is None:
            db.add(ServiceSetting(key=key, value=new, updated_at=now, updated_by=me.user_id))
        else:
            row.value, row.updated_at, row.updated_by = new, now, me.user_id
        db.add(SettingChange(key=key, old_value=old, new_value=new, at=now, changed_by=me.user_id))
        await db.flush()
        await audit.record(
            db, me, action=Action.setting_changed, subject_type="setting", subject_id=key
        )
    return await current(db, settings)


async def settings_for_coordinators(
    db: AsyncSession, me: Principal, settings: Settings
) -> dict[str, Any]:
    _require_coordinator(me)
    return await current(db, settings)


@dataclass(frozen=True)
class Change:
    id: UUID
    key: str
    old_value: Any
    new_value: Any
    at: datetime
    changed_by: str | None


async def history(db: AsyncSession, me: Principal, *, limit: int = 50) -> list[Change]:
    """The newest changes first, with the coordinator's name."""
    _require_coordinator(me)
    rows = await db.execute(
        select(SettingChange, User.display_name)
        .outerjoin(User, col(User.id) == SettingChange.changed_by)
        .order_by(col(SettingChange.at).desc(), col(SettingChange.id))
        .limit(limit)
    )
    return [Change(c.id, c.key, c.old_value, c.new_value, c.at, name) for c, name in rows.all()]
