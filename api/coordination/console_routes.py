"""The console's reads and staff actions: today, the supporters' roster (suspend and
reinstate), relationships' health and timelines, statistics (JSON and CSV) and the service's
settings. Every route needs a coordinator (401 without a login, 403 for a peer)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse

from api.auth.deps import CurrentCoordinator
from api.coordination import health_list, roster, stats, today
from api.coordination.console_schemas import (
    RelationshipHealthRow,
    RosterEntryOut,
    ServiceSettingsOut,
    SettingChangeIn,
    SettingChangeOut,
    StatisticsOut,
    TimelineEventOut,
    TodayOut,
)
from api.db import SessionDep
from api.deps import PageDep, PeriodDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import ListOut, page_of
from api.policies import service as policies
from api.relationships.models import State

router = APIRouter(tags=["coordination: console"])
Limit = Annotated[int, Query(ge=1, le=100, description="How many, 1 to 100")]
After = Annotated[
    UUID | None, Query(description="The id of the last item of the page before this one")
]
Before = Annotated[
    UUID | None, Query(description="The id of the first item of the page after this one")
]


@router.get("/today", response_model=TodayOut)
async def get_today(me: CurrentCoordinator, db: SessionDep) -> TodayOut:
    """Today's work: concerns to triage, introductions about to expire, the longest waiting,
    reviews due, supporters needing attention."""
    return TodayOut.model_validate(await today.today(db, me))


@router.get("/supporters", response_model=ListOut[RosterEntryOut])
async def get_roster(
    me: CurrentCoordinator,
    db: SessionDep,
    limit: Limit = 50,
    starting_after: After = None,
    ending_before: Before = None,
    sort: roster.RosterSort = "name",
    status: roster.RosterStatus | None = None,
    paused: bool | None = None,
    full: bool | None = None,
    needs_attention: bool | None = None,
) -> ListOut[RosterEntryOut]:
    """Supporters: places used of their capacity, paused, suspended, last active, sessions
    in the last 4 weeks and burnout flags."""
    found = await roster.roster(
        db,
        me,
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
        sort=sort,
        status=status,
        paused=paused,
        full=full,
        attention=needs_attention,
    )
    return ListOut(
        data=[RosterEntryOut.model_validate(e) for e in found.items], has_more=found.has_more
    )


SupporterId = Annotated[UUID, Path(description="The supporter's account id")]


@router.post(
    "/supporters/{user_id}/suspend",
    response_model=RosterEntryOut,
    responses=problem_response_docs(409),
)
async def suspend(user_id: SupporterId, me: CurrentCoordinator, db: SessionDep) -> RosterEntryOut:
    """No new introductions; the people they support are told kindly and carry on."""
    return RosterEntryOut.model_validate(await roster.suspend(db, me, user_id=user_id))


@router.post(
    "/supporters/{user_id}/reinstate",
    response_model=RosterEntryOut,
    responses=problem_response_docs(409),
)
async def reinstate(user_id: SupporterId, me: CurrentCoordinator, db: SessionDep) -> RosterEntryOut:
    """They can be introduced to people again."""
    return RosterEntryOut.model_validate(await roster.reinstate(db, me, user_id=user_id))


@router.get("/relationships", response_model=ListOut[RelationshipHealthRow])
async def list_relationships(
    me: CurrentCoordinator,
    db: SessionDep,
    limit: Limit = 50,
    starting_after: After = None,
    ending_before: Before = None,
    sort: health_list.RelationshipSort = "newest",
    state: Annotated[list[State] | None, Query()] = None,
    review_due: bool | None = None,
    stalled: bool | None = None,
    has_open_concerns: bool | None = None,
    supporter_id: UUID | None = None,
    seeker_id: UUID | None = None,
) -> ListOut[RelationshipHealthRow]:
    """Relationships with their health (never content), filtered, sorted, a page at a time."""
    found = await health_list.relationships(
        db,
        me,
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
        sort=sort,
        states=state,
        review_due=review_due,
        stalled=stalled,
        has_open_concerns=has_open_concerns,
        supporter_id=supporter_id,
        seeker_id=seeker_id,
    )
    return ListOut(
        data=[RelationshipHealthRow.model_validate(r) for r in found.items],
        has_more=found.has_more,
    )


@router.get("/relationships/{relationship_id}/timeline", response_model=list[TimelineEventOut])
async def relationship_timeline(
    relationship_id: Annotated[UUID, Path(description="The relationship's id")],
    me: CurrentCoordinator,
    db: SessionDep,
) -> list[TimelineEventOut]:
    """What happened and when; no message text, notes or details."""
    found = await health_list.timeline(db, me, relationship_id=relationship_id)
    return [TimelineEventOut.model_validate(e) for e in found]


Months = Annotated[int, Query(ge=1, le=36, description="How many months, this one included")]


@router.get("/statistics", response_model=StatisticsOut)
async def statistics(me: CurrentCoordinator, db: SessionDep, months: Months = 12) -> StatisticsOut:
    """Waiting times, introductions, endings and activity by month."""
    return StatisticsOut.model_validate(await stats.statistics(db, me, months=months))


@router.get(
    "/statistics/{table}.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def statistics_csv(
    table: Annotated[str, Path(description="waiting, introductions, endings or activity")],
    me: CurrentCoordinator,
    db: SessionDep,
    months: Months = 12,
) -> PlainTextResponse:
    """One statistics table as CSV."""
    return PlainTextResponse(
        await stats.export(db, me, table=table, months=months),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="kindred-{table}.csv"'},
    )


@router.get("/settings", response_model=ServiceSettingsOut)
async def get_settings(
    me: CurrentCoordinator, db: SessionDep, settings: SettingsDep
) -> ServiceSettingsOut:
    """The service's settings now (the database's, or the defaults)."""
    return ServiceSettingsOut.model_validate(
        await policies.settings_for_coordinators(db, me, settings)
    )


@router.put("/settings/{key}", response_model=ServiceSettingsOut)
async def change_setting(
    key: Annotated[str, Path(description="One of: " + ", ".join(policies.KEYS))],
    body: SettingChangeIn,
    me: CurrentCoordinator,
    db: SessionDep,
    settings: SettingsDep,
) -> ServiceSettingsOut:
    """Change one setting; who, when and the old and new values are kept."""
    found = await policies.change(db, me, settings, key=key, value=body.value)
    return ServiceSettingsOut.model_validate(found)


@router.get("/settings-history", response_model=ListOut[SettingChangeOut])
async def settings_history(
    me: CurrentCoordinator, db: SessionDep, window: PageDep, period: PeriodDep
) -> ListOut[SettingChangeOut]:
    """Every change to the settings, newest first."""
    changes = [c for c in await policies.history(db, me) if period.holds(c.at)]
    shown = page_of(changes, window, id_of=lambda c: c.id)
    return ListOut(
        data=[SettingChangeOut.model_validate(c) for c in shown.items], has_more=shown.has_more
    )
