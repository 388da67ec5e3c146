from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points

import pytest

from trayassist.core.assistant import Skill, load_skills
from trayassist.core.assistant.loader import GROUP

pytestmark = pytest.mark.unit
BUILT_IN = {"time", "timers", "notes", "calculator", "apps", "volume", "privacy", "history",
            "dictation"}


def test_entry_points_are_registered_and_load() -> None:
    names = {ep.name for ep in entry_points(group=GROUP)}
    assert names >= BUILT_IN
    skills = load_skills()
    assert {s.name for s in skills} >= BUILT_IN
    assert all(isinstance(s, Skill) for s in skills)


def test_bad_third_party_skills_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    eps = [
        EntryPoint("missing", "no_such_module_xyz:Skill", GROUP),
        EntryPoint("notaskill", "builtins:dict", GROUP),
        EntryPoint("badattr", "trayassist.core.assistant.skills.clock:Nope", GROUP),
        EntryPoint("abstract", "trayassist.core.assistant.base:Skill", GROUP),
        EntryPoint("time", "trayassist.core.assistant.skills.clock:TimeSkill", GROUP),
    ]
    with caplog.at_level(logging.WARNING):
        skills = load_skills(eps)
    assert [s.name for s in skills] == ["time"]
    for name in ("missing", "notaskill", "badattr", "abstract"):
        assert f"skipping skill '{name}'" in caplog.text


def test_disabled_skills() -> None:
    assert "volume" not in {s.name for s in load_skills(disabled=["volume"])}
