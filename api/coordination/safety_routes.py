"""Coordinators and safety: the concerns queue, safety pauses and endings, safeguarding access.

Every route needs a coordinator (403 for peers). Coordinators see states, dates and kinds; what
people shared only through a safeguarding access (a written reason, a time limit, audited).
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.deps import CurrentCoordinator
from api.auth.principal import Principal
from api.concerns import service as concerns
from api.concerns.models import ConcernStatus
from api.concerns.service import ConcernView
from api.config import Settings
from api.contact.schemas import SafeguardedMessageOut
from api.coordination import safety as coordination
from api.coordination.schemas import (
    AccessIn,
    AccessOut,
    ConcernEventOut,
    ConcernForCoordinators,
    ConcernUpdate,
    CoordinatorAuditEntryOut,
    FeedbackForCoordinators,
    OwnWordsOut,
    RelationshipHealth,
    SafetyActionIn,
)
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import ListOut, page_of
from api.safety import aftercare, safeguarding

router = APIRouter(tags=["coordination: safety"])
RelationshipId = Annotated[UUID, Path(description="The relationship's id")]
CHANGES = problem_response_docs(409)


def _concern(view: ConcernView) -> ConcernForCoordinators:
    c = view.concern
    return ConcernForCoordinators(
        **c.model_dump(
            include={
                "id",
                "relationship_id",
                "raised_by_role",
                "kind",
                "anonymous",
                "message_id",
                "status",
                "assigned_to",
                "created_at",
                "updated_at",
            }
        ),
        relationship_state=view.relationship_state,
        assigned_to_name=view.assigned_to_name,
        seeker_name=view.seeker_name,
        supporter_name=view.supporter_name,
        details=view.details,
        events=[ConcernEventOut.model_validate(e) for e in view.events],
    )


@router.get("/concerns", response_model=ListOut[ConcernForCoordinators])
async def concern_queue(
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    window: PageDep,
    period: PeriodDep,
    status_: Annotated[ConcernStatus | None, Query(alias="status")] = None,
    assigned_to: UUID | None = None,
) -> ListOut[ConcernForCoordinators]:
    """The concerns queue, oldest first: everything not yet resolved unless `status` is given."""
    shown = await concerns.queue_page(
        db,
        me,
        settings=settings,
        status=status_,
        assigned_to=assigned_to,
        window=window,
        period=period,
    )
    return ListOut(data=[_concern(v) for v in shown.items], has_more=shown.has_more)


@router.get("/concerns/{concern_id}", response_model=ConcernForCoordinators)
async def get_concern(
    concern_id: UUID, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> ConcernForCoordinators:
    """One concern with its whole audit trail."""
    return _concern(await concerns.get_concern(db, me, settings=settings, concern_id=concern_id))


@router.patch("/concerns/{concern_id}", response_model=ConcernForCoordinators)
async def update_concern(
    concern_id: UUID,
    body: ConcernUpdate,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
) -> ConcernForCoordinators:
    """Move it along (new, triaged, in_progress, resolved), assign it to a coordinator and/or
    add a note; every step is audited."""
    view = await concerns.update_concern(
        db,
        me,
        settings=settings,
        concern_id=concern_id,
        status=body.status,
        note=body.note,
        assigned_to=body.assigned_to,
        unassign=body.unassign,
    )
    return _concern(view)


@router.get("/relationships/{relationship_id}/safety", response_model=RelationshipHealth)
async def relationship_health(
    relationship_id: RelationshipId, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> RelationshipHealth:
    """States, dates, pause and ending (with recorded reasons) and concerns; no content."""
    return await _health(db, settings, me, relationship_id)


async def _health(
    db: AsyncSession, settings: Settings, me: Principal, relationship_id: UUID
) -> RelationshipHealth:
    return RelationshipHealth.model_validate(
        await coordination.health(db, me, settings=settings, relationship_id=relationship_id)
    )


@router.post(
    "/relationships/{relationship_id}/safety-pause",
    response_model=RelationshipHealth,
    responses=CHANGES,
)
async def safety_pause(
    relationship_id: RelationshipId,
    body: SafetyActionIn,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
) -> RelationshipHealth:
    """Pause for safety with a recorded reason; the two can't resume until it is lifted."""
    await coordination.pause_for_safety(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        reason=body.reason,
        concern_id=body.concern_id,
    )
    return await _health(db, settings, me, relationship_id)


@router.post(
    "/relationships/{relationship_id}/safety-pause/lift",
    response_model=RelationshipHealth,
    responses=CHANGES,
)
async def lift_safety_pause(
    relationship_id: RelationshipId, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> RelationshipHealth:
    """Lift a safety pause: the two carry on when both are ready (one asks, the other agrees)."""
    await coordination.lift_safety_pause(db, me, relationship_id=relationship_id)
    return await _health(db, settings, me, relationship_id)


@router.post(
    "/relationships/{relationship_id}/safety-end",
    response_model=RelationshipHealth,
    responses=CHANGES,
)
async def safety_end(
    relationship_id: RelationshipId,
    body: SafetyActionIn,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
) -> RelationshipHealth:
    """End for safety with a recorded reason; both people are told kindly, never why."""
    await coordination.end_for_safety(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        reason=body.reason,
        concern_id=body.concern_id,
    )
    return await _health(db, settings, me, relationship_id)


@router.post(
    "/safeguarding-access",
    status_code=status.HTTP_201_CREATED,
    response_model=AccessOut,
)
async def open_access(
    body: AccessIn, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> AccessOut:
    """Open a time-limited access to one relationship's content, with a written reason. The
    two people can see that it happened (GET /relationships/{id}/safeguarding-log). Where the
    service has turned on the two-person rule, this is a request (`approved_at` null) that
    opens only once another coordinator or the safeguarding lead approves it
    (POST /coordination/safeguarding-access/{id}/approve) before `request_expires_at`."""
    access = await safeguarding.grant(
        db,
        me,
        settings=settings,
        relationship_id=body.relationship_id,
        reason=body.reason,
        minutes=body.minutes,
        concern_id=body.concern_id,
    )
    return AccessOut.model_validate(access)


@router.post("/safeguarding-access/{access_id}/revoke", response_model=AccessOut, responses=CHANGES)
async def revoke_access(access_id: UUID, me: CurrentCoordinator, db: SessionDep) -> AccessOut:
    """End an access before it expires."""
    return AccessOut.model_validate(await safeguarding.revoke(db, me, access_id=access_id))


@router.get(
    "/relationships/{relationship_id}/safeguarding-log",
    response_model=list[CoordinatorAuditEntryOut],
)
async def coordinator_log(
    relationship_id: RelationshipId, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> list[CoordinatorAuditEntryOut]:
    """The full audit log, with each access's reason and any refused attempts."""
    found = await safeguarding.log_for_coordinators(
        db, me, settings=settings, relationship_id=relationship_id
    )
    return [CoordinatorAuditEntryOut.model_validate(e) for e in found]


@router.get(
    "/relationships/{relationship_id}/own-words",
    response_model=list[OwnWordsOut],
    responses={403: {"description": "No open safeguarding access to this relationship"}},
)
async def own_words(
    relationship_id: RelationshipId, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> list[OwnWordsOut]:
    """Both people's experiences in their own words. Needs an open safeguarding access; every
    read is audited and visible to the two people."""
    found = await safeguarding.own_words(db, me, settings=settings, relationship_id=relationship_id)
    return [OwnWordsOut.model_validate(w) for w in found]


@router.get("/feedback", response_model=ListOut[FeedbackForCoordinators])
async def feedback(
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    window: PageDep,
    period: PeriodDep,
) -> ListOut[FeedbackForCoordinators]:
    """Private feedback people left after their endings, newest first."""
    shown = await aftercare.all_feedback(db, me, settings=settings, window=window, period=period)
    return ListOut(
        data=[FeedbackForCoordinators.model_validate(f) for f in shown.items],
        has_more=shown.has_more,
    )


# ---- coordinators, under a safeguarding access ----------------------------------------------


@router.get(
    "/relationships/{relationship_id}/messages",
    response_model=ListOut[SafeguardedMessageOut],
    responses=problem_response_docs(403, 404),
)
async def safeguarding_messages(
    relationship_id: UUID,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
    window: PageDep,
) -> ListOut[SafeguardedMessageOut]:
    """Every message of a relationship, held and undelivered ones too, with a safeguarding
    access (403 without one). Each read is audit-logged and shown to both people."""
    found = await safeguarding.read_messages(
        db, me, settings=settings, relationship_id=relationship_id
    )
    shown = page_of(found, window, id_of=lambda m: m.id)
    return ListOut(
        data=[
            SafeguardedMessageOut(
                id=m.id,
                sender=m.sender_role,  # type: ignore[arg-type]
                body=m.body,
                sent_at=m.sent_at,
                deliver_at=m.deliver_at,
                held=m.held,
                status=m.status,
            )
            for m in shown.items
        ],
        has_more=shown.has_more,
    )


@router.get(
    "/concerns/{concern_id}/message",
    response_model=SafeguardedMessageOut,
    responses=problem_response_docs(404),
)
async def reported_message(
    concern_id: UUID, me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> SafeguardedMessageOut:
    """The message a person reported: the report is the reason to read it, and the read is
    in the safeguarding log both people see."""
    m = await safeguarding.read_reported(db, me, settings=settings, concern_id=concern_id)
    return SafeguardedMessageOut(
        id=m.id,
        sender=m.sender_role,  # type: ignore[arg-type]
        body=m.body,
        sent_at=m.sent_at,
        deliver_at=m.deliver_at,
        held=m.held,
        status=m.status,
    )
