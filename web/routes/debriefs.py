"""A supporter's debriefs (PWA): after a session they held, a short private note for
coordinators; they read and delete their own (api/screening/debriefs.py)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.errors import DomainError
from api.screening import debriefs
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()


async def _page(
    request: Request,
    me: Peer,
    db: SessionDep,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "pages/debriefs.html",
        {
            "mine": await debriefs.mine(db, me),
            "sessions": await debriefs.to_write(db, me),
            "errors": errors or {},
            "values": values or {},
            "done": {"saved": "Saved. Only coordinators can read it.", "deleted": "Deleted."}.get(
                request.query_params.get("done", "")
            ),
        },
        status_code=status_code,
    )


@router.get("/support/debriefs", response_class=HTMLResponse)
async def debriefs_page(request: Request, me: Peer, db: SessionDep) -> Response:
    return await _page(request, me, db)


@router.post("/support/debriefs", response_class=HTMLResponse, dependencies=[Checked])
async def write(
    request: Request,
    me: Peer,
    db: SessionDep,
    session_id: Annotated[UUID, Form()],
    text: Annotated[str, Form()] = "",
) -> Response:
    try:
        await debriefs.write(db, me, session_id=session_id, text=text)
    except DomainError as error:
        return await _page(
            request,
            me,
            db,
            field_errors(error),
            {"text": text, "session_id": str(session_id)},
            error.status,
        )
    return redirect(request, "/support/debriefs?done=saved")


@router.post(
    "/support/debriefs/{note_id}/delete", response_class=HTMLResponse, dependencies=[Checked]
)
async def delete(request: Request, note_id: UUID, me: Peer, db: SessionDep) -> Response:
    await debriefs.delete(db, me, note_id=note_id)
    return redirect(request, "/support/debriefs?done=deleted")
