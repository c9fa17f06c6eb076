from fastapi import APIRouter

from api.config import CrisisResource
from api.deps import SettingsDep

router = APIRouter(tags=["safety"])


@router.get("/crisis-resources", response_model=list[CrisisResource])
async def crisis_resources(settings: SettingsDep) -> list[CrisisResource]:
    """Where to get help straight away. Public: no login needed."""
    return settings.crisis_resources
