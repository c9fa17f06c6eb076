"""The facts behind the published statements: the accessibility statement's (checked against
the tests that run axe), and which tables the privacy notice lists."""

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ACCESSIBILITY = Path(__file__).with_name("accessibility.toml")

# Service machinery with nothing about a person in it, left out of the privacy notice's list
# (the full inventory, for a DPIA, has them all).
NOT_ABOUT_PEOPLE = frozenset(
    {
        "experience_category",
        "experience_tag",
        "month_figures",
        "month_change",
        "service_setting",
        "service_setting_change",
        "integrator_client",
        "client_secret",
        "webhook_endpoint",
        "webhook_secret",
        "webhook_delivery",
    }
)


@dataclass(frozen=True)
class Checked:
    what: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class AccessibilityFacts:
    standard: str
    status: str
    axe_version: str
    reviewed: str
    checked: tuple[Checked, ...]


@lru_cache
def accessibility() -> AccessibilityFacts:
    """What the accessibility statement says was checked, and how."""
    with ACCESSIBILITY.open("rb") as source:
        data = tomllib.load(source)
    return AccessibilityFacts(
        standard=data["standard"],
        status=data["status"],
        axe_version=data["axe_version"],
        reviewed=data["reviewed"],
        checked=tuple(Checked(c["what"], tuple(c["paths"])) for c in data["checked"]),
    )
