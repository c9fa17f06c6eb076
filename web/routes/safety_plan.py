"""My safety plan: read it, write it, change it. Only ever the plan of the person signed in;
the page calls the same service as /api/v1/me/safety-plan and works without JavaScript."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.db import SessionDep
from api.deps import SettingsDep
from api.policies import service as policies
from api.safety import plan
from web.auth import Peer, redirect
from web.csrf import Checked
from web.render import render

router = APIRouter()

# (section, heading, hint): the questions safety plans usually ask, in plain words.
SECTIONS: tuple[tuple[plan.Section, str, str], ...] = (
    (
        "warning_signs",
        "Signs a hard time may be coming",
        "Thoughts, feelings or situations you tend to notice first.",
    ),
    (
        "things_that_help",
        "Things that help me cope",
        "Things you can do on your own to feel a little steadier: a walk, music, a shower, "
        "a favourite film.",
    ),
    (
        "people_and_places",
        "People and places that help",
        "People you can be with, or places you can go, to take your mind off things. "
        "Add numbers if you like.",
    ),
    (
        "professional_contacts",
        "Professionals I can contact",
        "Your GP, a therapist, a local crisis team: names, numbers and when to call.",
    ),
    (
        "reasons_to_keep_going",
        "My reasons to keep going",
        "The people, things and hopes that matter to you.",
    ),
)
MAX = 2000
TOO_LONG = f"Please keep this part under {MAX} characters."
Text = Annotated[str, Form(max_length=MAX * 2)]


@router.get("/safety-plan", response_class=HTMLResponse)
async def plan_page(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    edit: bool = False,
    saved: bool = False,
) -> Response:
    mine = await plan.my_plan(db, me, settings=settings)
    written = any(mine.sections.values())
    return render(
        request,
        "pages/safety_plan.html",
        {
            "sections": SECTIONS,
            "values": mine.sections,
            "updated_at": mine.updated_at,
            "editing": edit or not written,
            "written": written,
            "saved": saved,
            "crisis_resources": await policies.crisis_resources(db, settings),
        },
    )


@router.post("/safety-plan", response_class=HTMLResponse, dependencies=[Checked])
async def save_plan(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    warning_signs: Text = "",
    things_that_help: Text = "",
    people_and_places: Text = "",
    professional_contacts: Text = "",
    reasons_to_keep_going: Text = "",
) -> Response:
    values: dict[str, str] = {
        "warning_signs": warning_signs,
        "things_that_help": things_that_help,
        "people_and_places": people_and_places,
        "professional_contacts": professional_contacts,
        "reasons_to_keep_going": reasons_to_keep_going,
    }
    errors = {name: TOO_LONG for name, text in values.items() if len(text.strip()) > MAX}
    if errors:
        context = {
            "sections": SECTIONS,
            "values": values,
            "editing": True,
            "written": True,
            "errors": errors,
            "crisis_resources": await policies.crisis_resources(db, settings),
        }
        return render(request, "pages/safety_plan.html", context, status_code=422)
    await plan.save_my_plan(db, me, settings=settings, sections=values)
    return redirect(request, "/safety-plan?saved=true")
