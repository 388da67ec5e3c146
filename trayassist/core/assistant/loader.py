"""Loads skills registered under the "trayassist.skills" entry-point group."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from trayassist.core.assistant.base import Skill

log = logging.getLogger(__name__)

GROUP = "trayassist.skills"


def load_skills(eps: Iterable[EntryPoint] | None = None,
                disabled: Iterable[str] = ()) -> list[Skill]:
    """Instantiate every registered skill; a broken one is logged and skipped, never fatal."""
    skip = set(disabled)
    found = list(entry_points(group=GROUP)) if eps is None else list(eps)
    skills: list[Skill] = []
    names: set[str] = set()
    for ep in sorted(found, key=lambda e: e.name):
        if ep.name in skip or ep.name in names:
            continue
        try:
            cls = ep.load()
            skill = cls()
            if not isinstance(skill, Skill):
                raise TypeError(f"{ep.value} is not a trayassist Skill")
            if not skill.name:
                raise TypeError(f"{ep.value} has no name")
        except Exception as exc:
            log.warning("skipping skill %r (%s): %s", ep.name, ep.value, exc)
            continue
        names.add(ep.name)
        skills.append(skill)
    return skills
