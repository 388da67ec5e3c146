"""The local assistant: a router over skills (entry points) that act through injected services."""

from trayassist.core.assistant.assistant import Assistant
from trayassist.core.assistant.base import Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.loader import load_skills
from trayassist.core.assistant.result import NO_COMMAND, AssistantResult

__all__ = ["Assistant", "AssistantResult", "Context", "Match", "NO_COMMAND", "Outcome", "Skill",
           "load_skills"]
