"""Crisis resources (public), and the two people's safety controls on their relationship:
end, complete, pause and carry on, block, concerns, a new match, feedback.

Only the seeker and the supporter of a relationship can use these; anyone else gets 404.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, status

from api.auth.deps import CurrentPrincipal
from api.auth.principal import Principal
from api.concerns import service as concerns
from api.concerns.models import ConcernKind
from api.config import CrisisResource
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import ListOut, page_of
from api.policies import service as policies
from api.safety import aftercare, endings, pauses, plan, reports, safeguarding
from api.safety import status as safety_status
from api.safety.schemas import (
    AuditEntryOut,
    CompleteIn,
    ConcernForRaiser,
    ConcernIn,
    EndIn,
    FeedbackIn,
    FeedbackOut,
    MatchAgainIn,
    NewMatchOut,
    NotHeardIn,
    NotHeardOut,
    PauseIn,
    PreviewIn,
    PreviewOut,
    ReportIn,
    ReportOut,
    SafetyPlanIn,
    SafetyPlanOut,
    SafetyStatusOut,
    SilenceOut,
)

router = APIRouter(tags=["safety"])
RelationshipId = Annotated[UUID, Path(description="The relationship's id")]
CHANGES = problem_response_docs(409)
BASE = "/relationships/{relationship_id}"


@router.get("/crisis-resources", response_model=list[CrisisResource])
async def crisis_resources(db: SessionDep, settings: SettingsDep) -> list[CrisisResource]:
    """Where to get help straight away (set by coordinators). Public: no login needed."""
    return await policies.crisis_resources(db, settings)


def _plan_out(found: plan.PlanView) -> SafetyPlanOut:
    return SafetyPlanOut(**found.sections, updated_at=found.updated_at)


@router.get("/me/safety-plan", response_model=SafetyPlanOut)
async def get_my_safety_plan(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SafetyPlanOut:
    """My own safety plan. Only ever mine: nobody else, coordinators included, can read it."""
    return _plan_out(await plan.my_plan(db, me, settings=settings))


@router.put("/me/safety-plan", response_model=SafetyPlanOut)
async def put_my_safety_plan(
    body: SafetyPlanIn, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SafetyPlanOut:
    """Write my whole safety plan (sections left out are saved blank)."""
    sections = body.model_dump()
    return _plan_out(await plan.save_my_plan(db, me, settings=settings, sections=sections))


async def _status(
    db: SessionDep, settings: SettingsDep, me: Principal, relationship_id: UUID
) -> SafetyStatusOut:
    found = await safety_status.status(db, me, settings=settings, relationship_id=relationship_id)
    return SafetyStatusOut.model_validate(found)


@router.get(f"{BASE}/safety", response_model=SafetyStatusOut)
async def get_safety(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SafetyStatusOut:
    """Where this relationship stands (pause, ending, closing message) and what I can do now."""
    return await _status(db, settings, me, relationship_id)


@router.post(f"{BASE}/end", response_model=SafetyStatusOut, responses=CHANGES)
async def end_relationship(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[EndIn | None, Body()] = None,
) -> SafetyStatusOut:
    """End it, at any time, with no reason needed. It is final: the supporter's place is freed
    at once, contact stops, and the other person is told kindly (never the reason category)."""
    body = body or EndIn()
    await endings.end_by_person(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        reason_category=body.reason_category,
        closing_message=body.closing_message,
    )
    return await _status(db, settings, me, relationship_id)


@router.post(f"{BASE}/end/preview", response_model=PreviewOut)
async def preview_ending(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    body: Annotated[PreviewIn | None, Body()] = None,
) -> PreviewOut:
    """Exactly what the other person will see, to show before sending. Changes nothing."""
    body = body or PreviewIn()
    text, message = await endings.preview(
        db,
        me,
        relationship_id=relationship_id,
        closing_message=body.closing_message,
        completing=body.completing,
    )
    return PreviewOut(other_person_sees=text, closing_message=message)


@router.post(f"{BASE}/complete", response_model=SafetyStatusOut, responses=CHANGES)
async def complete(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[CompleteIn | None, Body()] = None,
) -> SafetyStatusOut:
    """Confirm the planned ending once every agreed session has been held (either person)."""
    message = body.closing_message if body else None
    await endings.complete(
        db, me, settings=settings, relationship_id=relationship_id, closing_message=message
    )
    return await _status(db, settings, me, relationship_id)


@router.post(f"{BASE}/pause", response_model=SafetyStatusOut, responses=CHANGES)
async def pause_relationship(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[PauseIn | None, Body()] = None,
) -> SafetyStatusOut:
    """Pause an active relationship, optionally until a date: no sessions or messages while
    paused, and the supporter's place stays held."""
    await pauses.pause(db, me, relationship_id=relationship_id, until=body.until if body else None)
    return await _status(db, settings, me, relationship_id)


@router.patch(f"{BASE}/pause", response_model=SafetyStatusOut, responses=CHANGES)
async def change_pause(
    relationship_id: RelationshipId,
    body: PauseIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> SafetyStatusOut:
    """The person who paused changes or clears its planned date."""
    await pauses.change_until(db, me, relationship_id=relationship_id, until=body.until)
    return await _status(db, settings, me, relationship_id)


@router.post(f"{BASE}/resume", response_model=SafetyStatusOut, responses=CHANGES)
async def ask_to_carry_on(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SafetyStatusOut:
    """Ask to carry on; the other person acknowledges. If they already asked, it resumes now."""
    await pauses.ask_to_resume(db, me, relationship_id=relationship_id)
    return await _status(db, settings, me, relationship_id)


@router.post(f"{BASE}/resume/acknowledge", response_model=SafetyStatusOut, responses=CHANGES)
async def agree_to_carry_on(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SafetyStatusOut:
    """Agree to the other person's request to carry on: the relationship is active again."""
    await pauses.acknowledge_resume(db, me, relationship_id=relationship_id)
    return await _status(db, settings, me, relationship_id)


@router.post(f"{BASE}/block", response_model=SafetyStatusOut, responses=CHANGES)
async def block(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> SafetyStatusOut:
    """Block the other person: it ends at once, and you are never matched again."""
    await aftercare.block(db, me, relationship_id=relationship_id)
    return await _status(db, settings, me, relationship_id)


@router.post(
    f"{BASE}/new-match",
    status_code=status.HTTP_201_CREATED,
    response_model=NewMatchOut,
    responses=problem_response_docs(409),
)
async def new_match(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep
) -> NewMatchOut:
    """After an ending, the seeker asks for a new match in one tap (same request and
    preferences); then see GET /support-requests/current and its shortlist."""
    request = await aftercare.new_match(db, me, relationship_id=relationship_id)
    return NewMatchOut(request_id=request.id, status=request.status, tag_ids=request.tag_ids)


@router.put(f"{BASE}/match-again", response_model=SafetyStatusOut, responses=CHANGES)
async def match_again(
    relationship_id: RelationshipId,
    body: MatchAgainIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> SafetyStatusOut:
    """Whether I'd be glad to be matched with this person again. Only when both say yes (and
    no block, concern or safety ending stands between them) can they be matched again."""
    await aftercare.match_again(db, me, relationship_id=relationship_id, glad=body.glad)
    return await _status(db, settings, me, relationship_id)


@router.post(
    f"{BASE}/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackOut,
    responses=CHANGES,
)
async def leave_feedback(
    relationship_id: RelationshipId,
    body: FeedbackIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> FeedbackOut:
    """Private feedback for the coordinators after the ending; never shown to the other."""
    feedback = await aftercare.leave_feedback(
        db, me, settings=settings, relationship_id=relationship_id, text=body.text
    )
    return FeedbackOut.model_validate(feedback)


@router.post(
    f"{BASE}/concerns", status_code=status.HTTP_201_CREATED, response_model=ConcernForRaiser
)
async def raise_concern(
    relationship_id: RelationshipId,
    body: ConcernIn,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
) -> ConcernForRaiser:
    """Raise a concern with the coordinators (also after the ending). The other person is
    never shown it; with `anonymous` the coordinators won't name you to them."""
    concern = await concerns.raise_concern(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        kind=ConcernKind(body.kind),
        details=body.details,
        anonymous=body.anonymous,
    )
    return ConcernForRaiser.model_validate(concern)


@router.post(
    f"{BASE}/messages/{{message_id}}/report",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportOut,
    responses=problem_response_docs(404),
)
async def report_message(
    relationship_id: RelationshipId,
    message_id: UUID,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[ReportIn | None, Body()] = None,
) -> ReportOut:
    """Report a message the other person sent me: it reaches the coordinators' concerns queue
    with the message attached (the report is their reason to read it, and each read is in the
    safeguarding log). The other person is never shown the report."""
    body = body or ReportIn()
    concern = await reports.report_message(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        message_id=message_id,
        note=body.note,
        anonymous=body.anonymous,
    )
    return ReportOut(
        concern=ConcernForRaiser.model_validate(concern),
        block_url=f"/api/v1/relationships/{relationship_id}/block",
    )


@router.get(f"{BASE}/not-heard", response_model=SilenceOut)
async def silence(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep
) -> SilenceOut:
    """Whether my supporter has gone past our agreed response time without answering."""
    found = await reports.silence(db, me, relationship_id=relationship_id)
    return SilenceOut(
        waiting_since=found.waiting_since, can_say_from=found.can_say, overdue=found.overdue
    )


@router.post(
    f"{BASE}/not-heard",
    status_code=status.HTTP_201_CREATED,
    response_model=NotHeardOut,
    responses=CHANGES,
)
async def not_heard(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[NotHeardIn | None, Body()] = None,
) -> NotHeardOut:
    """ "I haven't heard from them": after the agreed response time, tell the coordinators; with
    `new_match`, end this support and ask for a new match, first in line."""
    body = body or NotHeardIn()
    found = await reports.not_heard(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        new_match=body.new_match,
        note=body.note,
    )
    return NotHeardOut(
        concern=ConcernForRaiser.model_validate(found.concern),
        request_id=found.request.id if found.request else None,
    )


@router.get(f"{BASE}/concerns", response_model=ListOut[ConcernForRaiser])
async def my_concerns(
    relationship_id: RelationshipId,
    me: CurrentPrincipal,
    db: SessionDep,
    window: PageDep,
    period: PeriodDep,
) -> ListOut[ConcernForRaiser]:
    """The concerns I raised about this relationship, and where each stands."""
    found = await concerns.my_concerns(db, me, relationship_id=relationship_id)
    shown = page_of([c for c in found if period.holds(c.created_at)], window, id_of=lambda c: c.id)
    return ListOut(
        data=[ConcernForRaiser.model_validate(c) for c in shown.items], has_more=shown.has_more
    )


@router.get(f"{BASE}/safeguarding-log", response_model=list[AuditEntryOut])
async def safeguarding_log(
    relationship_id: RelationshipId, me: CurrentPrincipal, db: SessionDep
) -> list[AuditEntryOut]:
    """Every time a coordinator opened or read this relationship's content, and until when."""
    found = await safeguarding.log_for_people(db, me, relationship_id=relationship_id)
    return [AuditEntryOut.model_validate(e) for e in found]
