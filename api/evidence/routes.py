"""Administrators' download of the data inventory."""

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api.auth.deps import CurrentAdmin
from api.db import SessionDep
from api.deps import SettingsDep
from api.evidence import inventory, service

router = APIRouter(prefix="/admin", tags=["admin: data inventory"])


@router.get(
    "/data-inventory.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def data_inventory_csv(
    admin: CurrentAdmin, db: SessionDep, settings: SettingsDep
) -> PlainTextResponse:
    """Every table and column: purpose, lawful basis, health data or not, sealed at rest or
    not, who can read it, how long it is kept (with the retention settings in force)."""
    rows = await service.data_inventory(db, admin, settings)
    return PlainTextResponse(
        inventory.as_csv(rows),
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="kindred-data-inventory.csv"',
            "Cache-Control": "no-store",
        },
    )
