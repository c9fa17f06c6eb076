"""Onboarding: "About you" (with the weekly availability grid) and the experience picker."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import DomainError, NotFound
from api.profiles import service as profiles
from api.profiles.models import Channel, Profile, Stage
from api.profiles.schemas import ExperienceIn, ExperienceOut, ProfileIn
from api.profiles.topics import topics_of
from api.weekly.windows import FALLBACK_TIMEZONE, WEEKDAYS, check_windows, stored_windows
from web.auth import Peer, redirect
from web.csrf import Checked
from web.forms import domain_errors, form_errors, split_list, timezone_groups
from web.grid import PROFILE_GRID, profile_cells, profile_windows
from web.render import render

router = APIRouter()

LANGUAGES = (
    ("en", "English"),
    ("cy", "Welsh"),
    ("pl", "Polish"),
    ("ur", "Urdu"),
    ("pa", "Punjabi"),
    ("bn", "Bengali"),
    ("ar", "Arabic"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("pt", "Portuguese"),
)
CHANNELS = (
    (Channel.chat, "Chat in the app"),
    (Channel.phone, "Phone calls"),
    (Channel.video, "Video calls"),
    (Channel.in_person, "Meeting in person, in a public place"),
)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = (("woman", "Woman"), ("man", "Man"), ("non-binary", "Non-binary"))
# Form field for each part of ProfileIn, where the two differ.
PROFILE_FIELDS = {"topics_to_avoid": "topics", "gender": "gender_own"}
PROFILE_MESSAGES = {
    "languages": "Choose at least one language; other languages as short codes, like it or de.",
    "channels": "Choose at least one way to talk.",
    "topics": "Keep each topic short (80 characters at most), and 20 topics at most.",
}
STAGES = (
    (Stage.going_through, "I'm going through it now"),
    (Stage.further_along, "I'm further along with it"),
)


async def _my_profile(db: SessionDep, me: Peer) -> Profile | None:
    try:
        return await profiles.get_profile(db, me)
    except NotFound:
        return None


def _profile_values(profile: Profile | None, topics: list[str]) -> dict[str, Any]:
    """What the form shows for a saved profile (or a new one)."""
    if profile is None:
        return {"timezone": FALLBACK_TIMEZONE, "languages": ["en"], "cells": set(), "new": True}
    common = {code for code, _ in LANGUAGES}
    availability = stored_windows(profile.availability)
    gender = profile.gender or ""
    listed = gender in {g for g, _ in GENDERS}
    return {
        "pronouns": profile.pronouns or "",
        "languages": [c for c in profile.languages if c in common],
        "languages_other": ", ".join(c for c in profile.languages if c not in common),
        "timezone": profile.timezone,
        "cells": profile_cells(availability),
        "finer_times": not PROFILE_GRID.fits(availability),
        "channels": list(profile.channels),
        "topics": "\n".join(topics),
        "age_band": profile.age_band or "",
        "gender": gender if listed else "",
        "gender_own": "" if listed else gender,
    }


def _profile_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    zones = timezone_groups(values.get("timezone"))
    context = {
        "values": values,
        "errors": errors or {},
        "days": WEEKDAYS,
        "parts": PROFILE_GRID.columns,
        "languages": LANGUAGES,
        "channels": CHANNELS,
        "age_bands": AGE_BANDS,
        "genders": GENDERS,
        "timezones": zones,
        "timezone_listed": any(v == values.get("timezone") for _, z in zones for v, _ in z),
        "saved": request.query_params.get("saved") == "1",
        "welcome": request.query_params.get("welcome") == "referral",
    }
    return render(request, "pages/profile.html", context, status_code=status_code, block="form")


@router.get("/profile", response_class=HTMLResponse)
async def profile_page(request: Request, me: Peer, db: SessionDep) -> Response:
    profile = await _my_profile(db, me)
    topics = topics_of(db, profile) if profile else []
    return _profile_page(request, _profile_values(profile, topics))


@router.post("/profile", response_class=HTMLResponse, dependencies=[Checked])
async def save_profile(
    request: Request,
    me: Peer,
    db: SessionDep,
    pronouns: Annotated[str, Form(max_length=200)] = "",
    languages: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    languages_other: Annotated[str, Form(max_length=200)] = "",
    timezone: Annotated[str, Form(max_length=200)] = "",
    slot: Annotated[list[str], Form()] = [],  # noqa: B006
    channels: Annotated[list[str], Form()] = [],  # noqa: B006
    topics: Annotated[str, Form(max_length=4000)] = "",
    age_band: Annotated[str, Form(max_length=20)] = "",
    gender: Annotated[str, Form(max_length=200)] = "",
    gender_own: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    values = {
        "pronouns": pronouns,
        "languages": languages,
        "languages_other": languages_other,
        "timezone": timezone,
        "cells": set(slot),
        "channels": channels,
        "topics": topics,
        "age_band": age_band,
        "gender": gender,
        "gender_own": gender_own,
    }
    codes = [*languages, *(c.lower() for c in split_list(languages_other))]
    data = {
        "pronouns": pronouns.strip() or None,
        "languages": list(dict.fromkeys(codes)),
        "timezone": timezone.strip(),
        "availability": profile_windows(slot),
        "channels": channels,
        "topics_to_avoid": split_list(topics),
        "age_band": age_band or None,
        "gender": gender_own.strip() or gender or None,
    }
    existing = await _my_profile(db, me)
    try:
        await profiles.save_profile(db, me, data=ProfileIn.model_validate(data))
    except ValidationError as exc:
        errors = form_errors(exc, PROFILE_FIELDS, PROFILE_MESSAGES)
        try:  # the time zone too, so every problem shows at once
            check_windows([], timezone.strip())
        except DomainError as error:
            errors |= domain_errors(error)
        return _profile_page(request, values, errors, 422)
    except DomainError as error:
        errors = domain_errors(error, PROFILE_FIELDS)
        return _profile_page(request, values, errors, error.status)
    # The first time, the next step is the experiences; afterwards, say it was saved.
    return redirect(request, "/profile/experiences" if existing is None else "/profile?saved=1")


# Experiences --------------------------------------------------------------------------------


def _chosen(experiences: list[ExperienceOut]) -> dict[int, dict[str, Any]]:
    return {
        e.tag_id: {"stage": e.stage, "talk": e.willing_to_talk, "words": e.description or ""}
        for e in experiences
    }


async def _experiences_page(
    request: Request,
    db: SessionDep,
    chosen: dict[int, dict[str, Any]],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The picker: current categories and tags, plus retired ones the person already has."""
    groups = []
    for category, tags in await profiles.taxonomy(db, include_retired=True):
        shown = [t for t in tags if t.id in chosen or not (t.retired or category.retired)]
        if shown:
            groups.append((category, shown, sum(t.id in chosen for t in shown)))
    context = {
        "groups": groups,
        "chosen": chosen,
        "stages": STAGES,
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "pages/experiences.html", context, status_code=status_code, block="form")


@router.get("/profile/experiences", response_class=HTMLResponse)
async def experiences_page(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    chosen = _chosen(await profiles.my_experiences(db, me, settings=settings))
    return await _experiences_page(request, db, chosen)


@router.post("/profile/experiences", response_class=HTMLResponse, dependencies=[Checked])
async def save_experiences(
    request: Request, me: Peer, db: SessionDep, settings: SettingsDep
) -> Response:
    form = await request.form()
    tags = [str(t) for t in form.getlist("tag")]
    tag_ids = list(dict.fromkeys(int(t) for t in tags if t.isdigit()))
    chosen: dict[int, dict[str, Any]] = {}
    items: list[ExperienceIn] = []
    errors: dict[str, str] = {}
    for tag_id in tag_ids:
        stage = str(form.get(f"stage-{tag_id}") or "")
        words = str(form.get(f"words-{tag_id}") or "")
        talk = form.get(f"talk-{tag_id}") == "yes"
        chosen[tag_id] = {"stage": stage, "talk": talk, "words": words}
        if not stage:
            errors[f"tag-{tag_id}"] = "Please choose one of these, so we can find the right person."
            continue
        try:
            items.append(
                ExperienceIn.model_validate(
                    {
                        "tag_id": tag_id,
                        "stage": stage,
                        "willing_to_talk": talk,
                        "description": words,
                    }
                )
            )
        except ValidationError as exc:
            found = form_errors(exc, messages={"description": "Keep this to 2000 characters."})
            errors[f"tag-{tag_id}"] = next(iter(found.values()))
    if not errors:
        try:
            await profiles.save_experiences(db, me, settings=settings, items=items)
        except DomainError as error:
            for e in error.errors or []:
                n = int(e.field.split("[")[1].split("]")[0]) if "[" in e.field else -1
                key = f"tag-{items[n].tag_id}" if 0 <= n < len(items) else ""
                errors.setdefault(key, e.message)
            errors = errors or domain_errors(error)
    if errors:
        return await _experiences_page(request, db, chosen, errors, 422)
    return redirect(request, "/profile/experiences?saved=1")
