"""Administrators' routes: accounts' roles and access, and the audit log (read only: there is
no route that edits or deletes an entry)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from api.admin import service
from api.audit import service as audit
from api.auth.deps import CurrentAdmin
from api.auth.schemas import AccountPublic, AccountUpdate
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import ListOut, Period

router = APIRouter(tags=["admin"])


@router.patch(
    "/admin/accounts/{user_id}",
    response_model=AccountPublic,
    responses=problem_response_docs(409),
)
async def update_account(
    user_id: UUID, body: AccountUpdate, admin: CurrentAdmin, db: SessionDep
) -> AccountPublic:
    """Grant a role, name the safeguarding lead, or disable an account (which ends all its
    sessions at once). Nobody changes their own; each change is kept in the audit log."""
    user = await service.change_account(
        db,
        admin,
        user_id=user_id,
        role=body.role,
        is_active=body.is_active,
        safeguarding_lead=body.safeguarding_lead,
        reason=body.reason,
    )
    return AccountPublic.model_validate(user.model_dump())


class ResetIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Lost their phone; checked by a call."}]},
    )
    reason: str | None = Field(default=None, max_length=500, description="Why: kept in the log.")


@router.post(
    "/admin/accounts/{user_id}/second-factor/reset",
    response_model=AccountPublic,
    responses=problem_response_docs(404, 409),
)
async def reset_second_factor(
    user_id: UUID, body: ResetIn, admin: CurrentAdmin, db: SessionDep
) -> AccountPublic:
    """Remove someone else's second factor (a lost phone): every session of theirs ends and
    they set it up again at their next login. Kept in the audit log with the reason."""
    user = await service.reset_second_factor(db, admin, user_id=user_id, reason=body.reason)
    return AccountPublic.model_validate(user.model_dump())


class AuditEntryOut(BaseModel):
    id: UUID
    at: str = Field(description="When (RFC 3339, UTC)")
    actor_id: UUID | None
    actor_name: str
    actor_roles: list[str]
    action: str
    action_label: str
    subject_type: str
    subject_id: str | None
    reason: str | None = Field(description="Why, in the staff member's words")
    details: dict


ActionQuery = Annotated[audit.Action | None, Query(description="Only entries of this action")]
ActorQuery = Annotated[UUID | None, Query(description="Only entries by this staff member")]
SubjectTypeQuery = Annotated[
    str | None, Query(max_length=40, description="Only entries about this kind of thing")
]
SubjectQuery = Annotated[str | None, Query(max_length=64, description="Only entries about this id")]


def _filters(
    action: audit.Action | None,
    actor_id: UUID | None,
    subject_type: str | None,
    subject_id: str | None,
    period: Period,
) -> audit.Filters:
    return audit.Filters(
        actor_id=actor_id,
        action=None if action is None else str(action),
        subject_type=subject_type,
        subject_id=subject_id,
        period=period,
    )


@router.get(
    "/admin/audit-log",
    response_model=ListOut[AuditEntryOut],
    responses=problem_response_docs(422),
)
async def audit_log(
    admin: CurrentAdmin,
    db: SessionDep,
    settings: SettingsDep,
    window: PageDep,
    period: PeriodDep,
    action: ActionQuery = None,
    actor_id: ActorQuery = None,
    subject_type: SubjectTypeQuery = None,
    subject_id: SubjectQuery = None,
) -> ListOut[AuditEntryOut]:
    """Every staff action, newest first: who, when, what, about what, and why."""
    found = await audit.entries(
        db,
        settings,
        admin,
        window=window,
        filters=_filters(action, actor_id, subject_type, subject_id, period),
    )
    return ListOut[AuditEntryOut](
        data=[
            AuditEntryOut(**{**e.__dict__, "at": e.at.isoformat().replace("+00:00", "Z")})
            for e in found.items
        ],
        has_more=found.has_more,
    )


@router.get(
    "/admin/audit-log.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}, **problem_response_docs(422)},
)
async def audit_log_csv(
    admin: CurrentAdmin,
    db: SessionDep,
    settings: SettingsDep,
    period: PeriodDep,
    action: ActionQuery = None,
    actor_id: ActorQuery = None,
    subject_type: SubjectTypeQuery = None,
    subject_id: SubjectQuery = None,
) -> PlainTextResponse:
    """The selected entries as CSV, oldest first, for a regulator or an auditor. The export is
    itself recorded in the log."""
    text = await audit.export_csv(
        db, settings, admin, filters=_filters(action, actor_id, subject_type, subject_id, period)
    )
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="kindred-audit-log.csv"'},
    )
