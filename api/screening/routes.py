"""A supporter's own debriefs: write one after a session they held, read and delete their own."""

from uuid import UUID

from fastapi import APIRouter, status

from api.auth.deps import CurrentPrincipal
from api.db import SessionDep
from api.deps import PageDep
from api.errors import problem_response_docs
from api.paging import ListOut, page_of
from api.screening import debriefs
from api.screening.schemas import DebriefIn, DebriefOut

router = APIRouter(tags=["supporters"])


@router.post(
    "/me/debriefs",
    status_code=status.HTTP_201_CREATED,
    response_model=DebriefOut,
    responses=problem_response_docs(409),
)
async def write_debrief(body: DebriefIn, me: CurrentPrincipal, db: SessionDep) -> DebriefOut:
    """After a session I held as the supporter, a short private note for coordinators (never
    shown to the person I support)."""
    note = await debriefs.write(db, me, session_id=body.session_id, text=body.text)
    found = [d for d in await debriefs.mine(db, me) if d.id == note.id]
    return DebriefOut.model_validate(found[0])


@router.get("/me/debriefs", response_model=ListOut[DebriefOut])
async def my_debriefs(me: CurrentPrincipal, db: SessionDep, window: PageDep) -> ListOut[DebriefOut]:
    """My debriefs, newest first."""
    found = page_of(await debriefs.mine(db, me), window, id_of=lambda d: d.id)
    return ListOut(
        data=[DebriefOut.model_validate(d) for d in found.items], has_more=found.has_more
    )


@router.delete("/me/debriefs/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_debrief(note_id: UUID, me: CurrentPrincipal, db: SessionDep) -> None:
    """Delete one of my debriefs: coordinators can no longer read it."""
    await debriefs.delete(db, me, note_id=note_id)
