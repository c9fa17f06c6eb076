"""The hazard log is traced to tests: every control names tests that exist and pass.

The named tests run once more, in a pytest of their own on the same kind of database as this
run (KINDRED_TEST_DATABASE_URL is passed on), so `make test` fails on either database when a
named test is renamed, deleted, or starts failing.
"""

import ast
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts import render_evidence

ROOT = render_evidence.ROOT
HAZARDS = render_evidence.hazards()
NAMED = sorted({test for h in HAZARDS for test in h["tests"]})
# The named tests take a minute or two on a loaded machine; never hang the suite.
TIMEOUT_SECONDS = 900


def _defined(node_id: str) -> bool:
    path, *names = node_id.split("::")
    file = ROOT / path
    if not file.is_file() or not names:
        return False
    tree = ast.parse(file.read_text())
    scope: list[ast.stmt] = tree.body
    for name in names:
        name = name.split("[")[0]
        found = next(
            (
                n
                for n in scope
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == name
            ),
            None,
        )
        if found is None:
            return False
        scope = found.body if isinstance(found, ast.ClassDef) else []
    return True


def test_every_hazard_is_complete_and_its_controls_lower_the_risk():
    ids = [h["id"] for h in HAZARDS]
    assert len(ids) == len(set(ids))
    for h in HAZARDS:
        for key in ("title", "cause", "effect", "controls", "tests"):
            assert h.get(key), f"{h['id']} has no {key}"
        for when in ("before", "after"):
            assert 1 <= h[f"severity_{when}"] <= 5 and 1 <= h[f"likelihood_{when}"] <= 5
        before = render_evidence.RISK[h["likelihood_before"]][h["severity_before"]]
        after = render_evidence.RISK[h["likelihood_after"]][h["severity_after"]]
        assert after <= before, h["id"]
        assert all(t.startswith("tests/") and "::" in t for t in h["tests"]), h["id"]
        assert not any(t.startswith("tests/evidence/test_hazards.py") for t in h["tests"])


def test_every_named_test_exists():
    missing = [t for t in NAMED if not _defined(t)]
    assert not missing, (
        "docs/safety/hazards.toml names tests that no longer exist (rename them there too, "
        "or name the test that now proves the control):\n  " + "\n  ".join(missing)
    )


def test_every_named_test_passes(tmp_path: Path):
    report = tmp_path / "named.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *NAMED,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        "-o",
        "addopts=",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and test ids
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"The hazard log's tests took over {TIMEOUT_SECONDS} s")
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    outcomes: dict[str, list[str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - our own report
        node = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
        node = node.split("[")[0]
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        outcomes.setdefault(node, []).append(
            "failed" if failed else "skipped" if skipped else "passed"
        )
    failing = [t for t in NAMED if "failed" in outcomes.get(t, [])]
    never_ran = [t for t in NAMED if t not in outcomes]
    assert not failing and not never_ran and done.returncode == 0, (
        "Tests that prove the hazard log's controls are failing or did not run:\n  "
        + "\n  ".join([*(f"failed: {t}" for t in failing), *(f"not run: {t}" for t in never_ran)])
        + "\n"
        + done.stdout[-4000:]
    )
    for hazard in HAZARDS:
        proven = [t for t in hazard["tests"] if "passed" in outcomes.get(t, [])]
        assert proven, f"{hazard['id']}: none of its tests passed here (all skipped?)"
