"""Privacy rights: download all my data, delete my account."""

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.auth.deps import CurrentPrincipal
from api.db import SessionDep, checkpoint_after_erasure
from api.deps import SettingsDep, client_address
from api.errors import RATE_LIMITED, problem_response_docs
from api.privacy import service as privacy
from api.privacy.schemas import DeleteAccountIn

router = APIRouter(tags=["privacy"])

EXPORT_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Everything about me as one JSON document (a download)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("/me/export", response_class=JSONResponse, responses=EXPORT_DOC)
async def export_my_data(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """Download everything Kindred holds about me: account, profile, experiences in my own
    words, requests, relationships and their history, concerns, feedback, notices."""
    data = await privacy.export(db, me, settings=settings)
    return JSONResponse(
        jsonable_encoder(data),
        headers={
            "Content-Disposition": 'attachment; filename="kindred-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_response_docs(429),
    openapi_extra={RATE_LIMITED: True},
)
async def delete_my_account(
    body: DeleteAccountIn,
    request: Request,
    me: CurrentPrincipal,
    db: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> None:
    """Delete my account for good (send the password again). Open relationships end and the
    other person is told kindly; my profile, experiences and own text are erased; the other
    person keeps an anonymised history."""
    await privacy.delete_account(
        db, me, settings=settings, password=body.password, address=client_address(request)
    )
    background.add_task(checkpoint_after_erasure, request.app.state.engine)  # once committed
