"""Referrals in the PWA: the invite page (join with the profile pre-filled from the
suggestion, or say no thanks) and the question, once support has ended, of whether a short
summary may go back to whoever referred me."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import service as auth
from api.auth.models import Role, SessionKind
from api.auth.principal import Principal
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError
from api.profiles import own_words
from api.referrals import service as referrals
from api.referrals import summaries
from web.auth import MaybePeer, Peer, redirect
from web.csrf import Checked
from web.render import field_errors, render
from web.routes.account import start_session

router = APIRouter()


async def _invite_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    me: Principal | None,
    token: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        invitation = await referrals.invitation(db, settings=settings, token=token)
    except DomainError as error:
        return render(
            request, "pages/invite_closed.html", {"problem": error}, status_code=error.status
        )
    chosen = [t.id for t in invitation.suggested]
    context = {
        "invitation": invitation,
        "token": token,
        "values": values or {"email": invitation.email or "", "tags": chosen},
        "errors": errors or {},
    }
    return render(request, "pages/invite.html", context, status_code=status_code, block="form")


@router.get("/invite/{token}", response_class=HTMLResponse)
async def invite_page(
    request: Request, token: str, me: MaybePeer, db: SessionDep, settings: SettingsDep
) -> Response:
    return await _invite_page(request, db, settings, me, token)


@router.post("/invite/{token}", response_class=HTMLResponse, dependencies=[Checked])
async def join(
    request: Request,
    token: str,
    me: MaybePeer,
    db: SessionDep,
    settings: SettingsDep,
    display_name: Annotated[str, Form(max_length=60)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    tag: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """Sign up (or, signed in, accept as myself) and keep the suggestions I left ticked."""
    login: auth.Login | None = None
    if tag:  # the experiences' model loads before anything is written (see save_experiences)
        await own_words.prepare(settings)
    try:
        if me is None:
            user = await auth.sign_up(
                db, settings=settings, email=email, password=password, display_name=display_name
            )
            login = await auth.open_session(db, settings, user, SessionKind.web)
            me = Principal(
                user_id=user.id,
                role=Role(user.role),
                session_id=login.session.id,
                display_name=user.display_name,
            )
        await referrals.accept(db, me, settings=settings, token=token, tag_ids=tag or [])
    except DomainError as error:
        await db.rollback()  # nothing of a half-made account stays
        values = {"display_name": display_name, "email": email, "tags": tag or []}
        return await _invite_page(
            request,
            db,
            settings,
            None if login else me,
            token,
            values=values,
            errors=field_errors(error),
            status_code=error.status,
        )
    response = redirect(request, "/profile?welcome=referral")
    return start_session(response, settings, login) if login else response


@router.post("/invite/{token}/refuse", response_class=HTMLResponse, dependencies=[Checked])
async def refuse(request: Request, token: str, db: SessionDep) -> Response:
    """No thanks: said kindly, and only that goes back."""
    try:
        organisation = await referrals.refuse(db, token=token)
    except DomainError as error:
        return render(
            request, "pages/invite_closed.html", {"problem": error}, status_code=error.status
        )
    return render(request, "pages/invite_refused.html", {"organisation": organisation})


@router.get("/referral-summaries", response_class=HTMLResponse)
async def summaries_page(request: Request, me: Peer, db: SessionDep) -> Response:
    return render(
        request,
        "pages/referral_summaries.html",
        {
            "questions": await summaries.my_questions(db, me),
            "saved": request.query_params.get("saved"),
        },
    )


@router.post(
    "/referral-summaries/{summary_id}", response_class=HTMLResponse, dependencies=[Checked]
)
async def answer(
    request: Request,
    summary_id: UUID,
    me: Peer,
    db: SessionDep,
    share: Annotated[str, Form()] = "",
) -> Response:
    try:
        await summaries.answer(db, me, summary_id=summary_id, share=share == "yes")
    except DomainError as error:
        return render(
            request,
            "pages/referral_summaries.html",
            {"questions": await summaries.my_questions(db, me), "errors": field_errors(error)},
            status_code=error.status,
        )
    return redirect(request, f"/referral-summaries?saved={'yes' if share == 'yes' else 'no'}")
