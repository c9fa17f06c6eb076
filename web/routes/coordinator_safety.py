"""A relationship's console page (health, timeline, and the safety actions: pause, lift, end
for safety, safeguarding access), and the statistics' CSV downloads with the browser's session."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.coordination import health_list, stats
from api.coordination import safety as coordination
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, NotFound
from api.safety import safeguarding
from web.auth import Staff, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
ACTIONS = ("pause", "lift", "end", "access")
Reason = Annotated[str, Form(max_length=2000)]


@router.get("/coordinator/relationships/{relationship_id}", response_class=HTMLResponse)
async def relationship_page(
    request: Request,
    relationship_id: UUID,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> Response:
    events = await health_list.timeline(db, me, relationship_id=relationship_id)
    rows = await health_list.relationships(db, me, limit=1, relationship_id=relationship_id)
    health = await coordination.health(db, me, settings=settings, relationship_id=relationship_id)
    return render(
        request,
        "pages/coordinator_relationship.html",
        {
            "events": events,
            "row": rows.items[0],
            "health": health,
            "errors": errors or {},
            "failed": failed,
            "done": request.query_params.get("done"),
            "tab": "relationships",
        },
        status_code=status_code,
    )


@router.post(
    "/coordinator/relationships/{relationship_id}/{action}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def safety_action(
    request: Request,
    relationship_id: UUID,
    action: str,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    reason: Reason = "",
    minutes: Annotated[int, Form(ge=1, le=1440)] = 60,
) -> Response:
    """One safety action, with its recorded reason; the two people are told kindly."""
    if action not in ACTIONS:
        raise NotFound("No such action.")
    try:
        if action == "pause":
            await coordination.pause_for_safety(
                db, me, settings=settings, relationship_id=relationship_id, reason=reason
            )
        elif action == "lift":
            await coordination.lift_safety_pause(db, me, relationship_id=relationship_id)
        elif action == "end":
            await coordination.end_for_safety(
                db, me, settings=settings, relationship_id=relationship_id, reason=reason
            )
        else:
            access = await safeguarding.grant(
                db,
                me,
                settings=settings,
                relationship_id=relationship_id,
                reason=reason,
                minutes=minutes,
            )
            if access.approved_at is None:  # the two-person rule: a request for now
                action = "requested"
    except DomainError as error:
        return await relationship_page(
            request,
            relationship_id,
            me,
            db,
            settings,
            field_errors(error),
            action,
            error.status,
        )
    return redirect(request, f"/coordinator/relationships/{relationship_id}?done={action}")


@router.get("/coordinator/statistics/{table}.csv", response_class=PlainTextResponse)
async def statistics_csv(
    table: str, me: Staff, db: SessionDep, months: int = 12
) -> PlainTextResponse:
    """The same CSV as the API's, for a coordinator signed in to the PWA."""
    if table not in stats.TABLES:
        raise NotFound("No such table.")
    return PlainTextResponse(
        await stats.export(db, me, table=table, months=max(1, min(months, 36))),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="kindred-{table}.csv"'},
    )
