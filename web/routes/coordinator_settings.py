"""The console's settings page: introduction expiry and dependency limits, the starting terms
of new agreements, crisis resources, and the list of experiences (add, rename, retire), each
change audited."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.config import Settings
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, Invalid
from api.policies import service as policies
from api.profiles import service as profiles
from api.profiles.models import ExperienceTag
from api.profiles.schemas import TagIn, TaxonomyChange
from web.auth import Staff, redirect
from web.csrf import Checked
from web.render import field_errors, render

router = APIRouter()
SPARE_RESOURCE_ROWS = 1
Text = Annotated[list[str], Form()]


async def _page(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: Settings,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    values = await policies.settings_for_coordinators(db, me, settings)
    return render(
        request,
        "pages/coordinator_settings.html",
        {
            "values": values,
            "spare": range(SPARE_RESOURCE_ROWS),
            "taxonomy": await profiles.taxonomy(db, include_retired=True),
            "history": await policies.history(db, me, limit=20),
            "saved": request.query_params.get("saved"),
            "errors": errors or {},
            "tab": "settings",
        },
        status_code=status_code,
    )


@router.get("/coordinator/settings", response_class=HTMLResponse)
async def settings_page(
    request: Request, me: Staff, db: SessionDep, settings: SettingsDep
) -> Response:
    return await _page(request, me, db, settings)


@router.post("/coordinator/settings", response_class=HTMLResponse, dependencies=[Checked])
async def settings_save(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    introduction_ttl_hours: Annotated[int, Form()],
    max_messages_a_day: Annotated[int, Form()],
    max_sessions_a_week: Annotated[int, Form()],
) -> Response:
    try:
        await policies.change(
            db, me, settings, key="introduction_ttl_hours", value=introduction_ttl_hours
        )
        limits = {
            "max_messages_a_day": max_messages_a_day,
            "max_sessions_a_week": max_sessions_a_week,
        }
        await policies.change(db, me, settings, key="dependency_limits", value=limits)
    except DomainError as error:
        return await _page(request, me, db, settings, field_errors(error), error.status)
    return redirect(request, "/coordinator/settings?saved=limits")


@router.post("/coordinator/settings/agreement", response_class=HTMLResponse, dependencies=[Checked])
async def agreement_save(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    sessions_total: Annotated[int, Form()],
    session_minutes: Annotated[int, Form()],
    max_sessions_per_week: Annotated[int, Form()],
    review_after_session: Annotated[str, Form()] = "",
) -> Response:
    """The starting terms of every new agreement (the two people change them as they like);
    an empty review point means none."""
    template: dict[str, Any] = {
        "sessions_total": sessions_total,
        "session_minutes": session_minutes,
        "max_sessions_per_week": max_sessions_per_week,
        "review_after_session": review_after_session.strip() or None,
    }
    try:
        await policies.change(db, me, settings, key="default_agreement", value=template)
    except DomainError as error:
        return await _page(request, me, db, settings, field_errors(error), error.status)
    return redirect(request, "/coordinator/settings?saved=agreement#agreement")


@router.post(
    "/coordinator/settings/crisis-resources", response_class=HTMLResponse, dependencies=[Checked]
)
async def crisis_resources_save(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    name: Text,
    phone: Text,
    text: Text,
    url: Text,
    description: Text,
    hours: Text,
) -> Response:
    """Every row with a name is kept, in order; a row left without a name is removed."""
    rows: list[dict[str, Any]] = []
    for n, p, t, u, d, h in zip(name, phone, text, url, description, hours, strict=False):
        if n.strip():
            rows.append(
                {
                    "name": n.strip(),
                    "phone": p.strip() or None,
                    "text": t.strip() or None,
                    "url": u.strip() or None,
                    "description": d.strip(),
                    "hours": h.strip() or "24 hours a day, every day",
                }
            )
    try:
        if any(not (r["phone"] or r["text"] or r["url"]) for r in rows):
            raise Invalid.field(
                "crisis_resources", "Give each resource a phone number, a text line or a website."
            )
        await policies.change(db, me, settings, key="crisis_resources", value=rows)
    except DomainError as error:
        return await _page(request, me, db, settings, field_errors(error), error.status)
    return redirect(request, "/coordinator/settings?saved=crisis")


@router.post(
    "/coordinator/settings/experiences", response_class=HTMLResponse, dependencies=[Checked]
)
async def experience_add(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    category_id: Annotated[int, Form()],
    label: Annotated[str, Form()] = "",
    phrase: Annotated[str, Form()] = "",
) -> Response:
    """A new experience people can pick, under a category."""
    try:
        try:
            data = TagIn(category_id=category_id, label=label.strip(), phrase=phrase.strip())
        except ValidationError as invalid:
            raise Invalid.field(
                "experience", "Give the experience a name and a phrase (2 to 120 characters)."
            ) from invalid
        await profiles.add_tag(db, me, data=data)
    except DomainError as error:
        return await _page(request, me, db, settings, field_errors(error), error.status)
    return redirect(request, "/coordinator/settings?saved=experiences#experiences")


@router.post(
    "/coordinator/settings/experiences/{tag_id}",
    response_class=HTMLResponse,
    dependencies=[Checked],
)
async def experience_retire(
    request: Request,
    tag_id: int,
    me: Staff,
    db: SessionDep,
    retired: Annotated[bool, Form()],
) -> Response:
    """Retire an experience (people who have it keep it) or bring it back."""
    await profiles.change_taxonomy_item(
        db, me, model=ExperienceTag, item_id=tag_id, change=TaxonomyChange(retired=retired)
    )
    return redirect(request, "/coordinator/settings?saved=experiences#experiences")
