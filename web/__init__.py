"""The PWA: server-rendered pages over the same domain services as the API."""

from pathlib import Path
from types import ModuleType

from fastapi import FastAPI

WEB_ROOT = Path(__file__).resolve().parent


def mount_web(app: FastAPI) -> None:
    from web.assets import Assets, static_router
    from web.auth import (
        LoginRequired,
        SecondFactorFirst,
        login_required_handler,
        second_factor_first_handler,
    )
    from web.render import error_page, templates
    from web.routes import (
        account,
        admin,
        aftercare,
        agreement,
        agreement_builder,
        contact,
        coordinator,
        coordinator_batches,
        coordinator_clients,
        coordinator_governance,
        coordinator_matching,
        coordinator_moderation,
        coordinator_safety,
        coordinator_settings,
        debriefs,
        home,
        matching,
        moderation,
        notification_settings,
        privacy,
        profile,
        pwa,
        recovery,
        referrals,
        relationships,
        reminders,
        reports,
        safety,
        safety_plan,
        second_factor,
        sessions,
        statements,
        supporting,
    )

    app.state.error_page = error_page  # api/handlers.py renders PWA errors with it
    assets = Assets(WEB_ROOT / "static")
    app.state.assets = assets  # the manifest and the service worker name hashed files too
    templates.env.globals["static"] = assets.url
    app.include_router(static_router(assets), include_in_schema=False)
    app.add_exception_handler(LoginRequired, login_required_handler)
    app.add_exception_handler(SecondFactorFirst, second_factor_first_handler)
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
    modules = (*modules, safety, safety_plan, aftercare, reports, privacy, contact, sessions)
    modules = (*modules, reminders, statements, moderation, coordinator_moderation)
    modules = (*modules, notification_settings, recovery, second_factor)
    modules = (*modules, debriefs, coordinator_governance)
    modules = (*modules, coordinator, coordinator_matching, coordinator_safety)
    modules = (*modules, coordinator_batches, coordinator_settings, coordinator_clients, referrals)
    modules = (*modules, admin)
    for module in modules:
        app.include_router(module.router, include_in_schema=False)
