"""My account's privacy: download all my data, delete my account; and my notices."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.contact import inbox
from api.db import SessionDep, checkpoint_after_erasure
from api.deps import SettingsDep, client_address
from api.errors import DomainError
from api.notices import service as notices
from api.privacy import service as privacy
from web.auth import Peer, redirect, session_cookie_name
from web.csrf import Checked
from web.notice_links import notice_link
from web.render import field_errors, render
from web.routes.safety import reader_zone

router = APIRouter()


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, me: Peer) -> Response:
    return render(request, "pages/account.html")


@router.get("/account/export")
async def export(me: Peer, db: SessionDep, settings: SettingsDep) -> Response:
    """Everything about me, as a JSON download."""
    data = await privacy.export(db, me, settings=settings)
    return JSONResponse(
        jsonable_encoder(data),
        headers={"Content-Disposition": 'attachment; filename="kindred-my-data.json"'},
    )


@router.post("/account/delete", response_class=HTMLResponse, dependencies=[Checked])
async def delete_account(
    request: Request,
    me: Peer,
    db: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    password: Annotated[str, Form(max_length=128)] = "",
    sure: Annotated[bool, Form()] = False,
) -> Response:
    errors: dict[str, str] = {}
    if not sure:
        errors["sure"] = "Tick the box to say you understand this can't be undone."
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105 - a message, not a secret
    if not errors:
        try:
            await privacy.delete_account(
                db, me, settings=settings, password=password, address=client_address(request)
            )
        except DomainError as error:
            if error.keeps_changes:
                await db.commit()  # the failed attempt counts towards the throttle
            errors = {"password": field_errors(error).get("", error.title)}
            return render(
                request, "pages/account.html", {"errors": errors}, status_code=error.status
            )
    if errors:
        return render(request, "pages/account.html", {"errors": errors}, status_code=422)
    background.add_task(checkpoint_after_erasure, request.app.state.engine)  # once committed
    response = redirect(request, "/goodbye")
    response.delete_cookie(session_cookie_name(settings), path="/", secure=settings.cookie_secure)
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


@router.get("/goodbye", response_class=HTMLResponse)
async def goodbye(request: Request) -> Response:
    return render(request, "pages/goodbye.html")


@router.get("/notices", response_class=HTMLResponse)
async def notices_page(request: Request, me: Peer, db: SessionDep) -> Response:
    found = await inbox.my_notices(db, me)
    zone = await reader_zone(db, me)
    shown = [(n, notice_link(n.kind, n.relationship_id)) for n in found]
    return render(request, "pages/notices.html", {"notices": shown, "zone": zone})


@router.post("/notices/read", response_class=HTMLResponse, dependencies=[Checked])
async def read_all(request: Request, me: Peer, db: SessionDep) -> Response:
    await notices.mark_read(db, me)
    return redirect(request, "/notices")
