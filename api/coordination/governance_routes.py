"""Staff governance on the console: supporters' screening and training (approval waits for
it), supervision and the debriefs supporters write, and the two-person rule's requests for
safeguarding access. Every route needs a coordinator (401 without a login, 403 for a peer);
every change and every reading of a debrief is in the staff audit log."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, status

from api.auth.deps import CurrentCoordinator
from api.coordination.schemas import AccessOut
from api.db import SessionDep
from api.deps import PageDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import ListOut, page_of
from api.safety import two_person
from api.screening import checklist, debriefs, supervision
from api.screening.schemas import (
    AccessRefusalIn,
    AccessRequestOut,
    ChecklistItemOut,
    DebriefOut,
    DueOut,
    OverdueOut,
    ScreeningOut,
    ScreeningRecordIn,
    SupervisionIn,
    SupervisionOut,
)

router = APIRouter(tags=["coordination: governance"])
SupporterId = Annotated[UUID, Path(description="The supporter's account id")]
CHANGES = problem_response_docs(409)


async def _screening(db: SessionDep, me: CurrentCoordinator, user_id: UUID) -> ScreeningOut:
    items = await checklist.checklist_of(db, me, user_id=user_id)
    missing = [i.name for i in items if i.required and i.state in ("missing", "expired")]
    return ScreeningOut(
        user_id=user_id,
        ready_to_approve=not missing,
        missing=missing,
        items=[ChecklistItemOut.model_validate(i) for i in items],
    )


@router.get("/supporters/{user_id}/screening", response_model=ScreeningOut)
async def get_screening(
    user_id: SupporterId, me: CurrentCoordinator, db: SessionDep
) -> ScreeningOut:
    """The service's checklist for one supporter: each item's latest record (who recorded
    it, when it was done, when it expires) and whether their offer can be approved."""
    return await _screening(db, me, user_id)


@router.post(
    "/supporters/{user_id}/screening",
    status_code=status.HTTP_201_CREATED,
    response_model=ScreeningOut,
)
async def record_screening(
    user_id: SupporterId, body: ScreeningRecordIn, me: CurrentCoordinator, db: SessionDep
) -> ScreeningOut:
    """Record that a checklist item was done (references checked, training completed, …) on
    a date; an item that expires gets its expiry from the checklist."""
    await checklist.record(
        db, me, user_id=user_id, item_key=body.item, done_on=body.done_on, note=body.note
    )
    return await _screening(db, me, user_id)


@router.get("/screening/due", response_model=ListOut[DueOut])
async def screening_due(me: CurrentCoordinator, db: SessionDep, window: PageDep) -> ListOut[DueOut]:
    """Approved supporters' items expiring within 30 days or expired, soonest first."""
    found = page_of(await checklist.due(db, me), window, id_of=lambda d: d.user_id)
    return ListOut(data=[DueOut.model_validate(d) for d in found.items], has_more=found.has_more)


@router.get("/supporters/{user_id}/supervision", response_model=ListOut[SupervisionOut])
async def get_supervision(
    user_id: SupporterId, me: CurrentCoordinator, db: SessionDep, window: PageDep
) -> ListOut[SupervisionOut]:
    """One supporter's supervision sessions, newest first."""
    found = page_of(
        await supervision.sessions_of(db, me, user_id=user_id), window, id_of=lambda s: s.id
    )
    return ListOut(
        data=[SupervisionOut.model_validate(s) for s in found.items], has_more=found.has_more
    )


@router.post(
    "/supporters/{user_id}/supervision",
    status_code=status.HTTP_201_CREATED,
    response_model=SupervisionOut,
)
async def log_supervision(
    user_id: SupporterId, body: SupervisionIn, me: CurrentCoordinator, db: SessionDep
) -> SupervisionOut:
    """Log a supervision session (the next is due after the service's interval unless said)."""
    row = await supervision.log_session(
        db,
        me,
        user_id=user_id,
        held_on=body.held_on,
        with_whom=body.with_whom,
        next_due=body.next_due,
        note=body.note,
    )
    found = [s for s in await supervision.sessions_of(db, me, user_id=user_id) if s.id == row.id]
    return SupervisionOut.model_validate(found[0])


@router.get("/supervision/overdue", response_model=ListOut[OverdueOut])
async def supervision_overdue(
    me: CurrentCoordinator, db: SessionDep, window: PageDep
) -> ListOut[OverdueOut]:
    """Approved supporters whose supervision is overdue, longest overdue first."""
    found = page_of(await supervision.overdue(db, me), window, id_of=lambda o: o.user_id)
    return ListOut(
        data=[OverdueOut.model_validate(o) for o in found.items], has_more=found.has_more
    )


@router.get("/supporters/{user_id}/debriefs", response_model=ListOut[DebriefOut])
async def supporter_debriefs(
    user_id: SupporterId, me: CurrentCoordinator, db: SessionDep, window: PageDep
) -> ListOut[DebriefOut]:
    """The debriefs a supporter wrote after their sessions (this reading is audited)."""
    found = page_of(
        await debriefs.for_coordinators(db, me, user_id=user_id), window, id_of=lambda d: d.id
    )
    return ListOut(
        data=[DebriefOut.model_validate(d) for d in found.items], has_more=found.has_more
    )


@router.get("/safeguarding-access/requests", response_model=ListOut[AccessRequestOut])
async def access_requests(
    me: CurrentCoordinator, db: SessionDep, settings: SettingsDep, window: PageDep
) -> ListOut[AccessRequestOut]:
    """Under the two-person rule: requests for safeguarding access waiting for a second
    coordinator or the safeguarding lead, soonest to run out first."""
    found = page_of(
        await two_person.pending(db, me, settings=settings), window, id_of=lambda r: r.id
    )
    return ListOut(
        data=[AccessRequestOut.model_validate(r) for r in found.items], has_more=found.has_more
    )


@router.post(
    "/safeguarding-access/{access_id}/approve", response_model=AccessOut, responses=CHANGES
)
async def approve_access(access_id: UUID, me: CurrentCoordinator, db: SessionDep) -> AccessOut:
    """Approve another coordinator's request: the access opens now for as long as asked.
    Nobody approves their own (403)."""
    return AccessOut.model_validate(await two_person.approve(db, me, access_id=access_id))


@router.post("/safeguarding-access/{access_id}/refuse", response_model=AccessOut, responses=CHANGES)
async def refuse_access(
    access_id: UUID,
    me: CurrentCoordinator,
    db: SessionDep,
    body: Annotated[AccessRefusalIn | None, Body()] = None,
) -> AccessOut:
    """Refuse another coordinator's request (with an optional reason): it never opens."""
    access = await two_person.refuse(
        db, me, access_id=access_id, reason=body.reason if body else None
    )
    return AccessOut.model_validate(access)
