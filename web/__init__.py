"""The PWA: server-rendered pages over the same domain services as the API."""

from pathlib import Path
from types import ModuleType

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

WEB_ROOT = Path(__file__).resolve().parent


def mount_web(app: FastAPI) -> None:
    from web.auth import LoginRequired, login_required_handler
    from web.render import error_page
    from web.routes import (
        account,
        aftercare,
        agreement,
        agreement_builder,
        contact,
        home,
        matching,
        privacy,
        profile,
        pwa,
        relationships,
        reminders,
        safety,
        supporting,
    )

    app.state.error_page = error_page  # api/handlers.py renders PWA errors with it
    app.mount("/static", StaticFiles(directory=WEB_ROOT / "static"), name="static")
    app.add_exception_handler(LoginRequired, login_required_handler)
    modules: tuple[ModuleType, ...] = (
        pwa,
        home,
        account,
        supporting,
        profile,
        matching,
        relationships,
        agreement,
        agreement_builder,
    )
    modules = (*modules, safety, aftercare, privacy, contact, reminders)
    for module in modules:
        app.include_router(module.router, include_in_schema=False)
