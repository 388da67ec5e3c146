"""The assistant facade: text in, one AssistantResult out; acts only on a clear command."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from trayassist.core.assistant.base import Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.intent_model import IntentModel, IntentModelError
from trayassist.core.assistant.result import NO_COMMAND, AssistantResult
from trayassist.core.assistant.router import MARGIN, THRESHOLD, Router
from trayassist.core.resources import resource_path

if TYPE_CHECKING:  # urllib is only imported when an LLM is actually configured
    from trayassist.core.assistant.llm import LlmClient

log = logging.getLogger(__name__)

MODEL_FILE = ("intents", "model", "intent-model.npz")


def bundled_model() -> IntentModel:
    """The intent model shipped with the app (not loaded until first used)."""
    return IntentModel(resource_path(*MODEL_FILE))


class _Bundled:
    """Default for `Assistant(model=...)`: the shipped model."""


BUNDLED = _Bundled()

_QUESTION = re.compile(r"^(?:what|who|why|how|when|where|which|is|are|can|could|should|do|does|"
                       r"did|will|would|explain|tell me)\b")


class Assistant:
    """Routes an utterance to one skill and runs it (or, with dry_run, only describes it).

    Thread-safety: call `handle` from one worker thread; skills and services are not locked.
    """

    def __init__(self, skills: Sequence[Skill], context: Context, llm: LlmClient | None = None,
                 threshold: float = THRESHOLD, margin: float = MARGIN,
                 model: IntentModel | _Bundled | None = BUNDLED) -> None:
        """`model`: the intent model (loaded on the first `handle`); by default the shipped one;
        None matches with the skills' templates alone."""
        self.context = context
        self.model = bundled_model() if isinstance(model, _Bundled) else model
        self.router = Router(skills, self.model, threshold=threshold, margin=margin)
        self.llm = llm

    def warm(self) -> None:
        """Load the intent model now (it otherwise loads on the first `handle`)."""
        if self.model is not None:
            self.model.load()

    def handle(self, text: str, dry_run: bool = False) -> AssistantResult:
        started = time.perf_counter()
        try:
            decision = self.router.route(text, self.context)
        except IntentModelError as exc:
            # A missing or damaged model must not take the templates (or dictation) down.
            log.error("intent model unusable, matching with templates only: %s", exc)
            self.model = None
            self.router.model = None
            decision = self.router.route(text, self.context)
        match_ms = (time.perf_counter() - started) * 1000
        skill, match = decision.skill, decision.match
        if skill is None or match is None:
            if self.llm is not None and _QUESTION.match(decision.utterance.text):
                return self._ask_llm(text, dry_run, match_ms)
            return AssistantResult(text=text, reply=NO_COMMAND, dry_run=dry_run,
                                   match_ms=match_ms)
        base = AssistantResult(text=text, skill=skill.name, intent=match.intent,
                               params=dict(match.params), dry_run=dry_run,
                               confidence=match.confidence, match_ms=match_ms)
        if match.error:
            return replace(base, reply=match.error, performed=False)
        try:
            outcome = skill.preview(match, self.context) if dry_run \
                else skill.run(match, self.context)
        except Exception as exc:  # a failing skill reports, it does not crash the app
            log.exception("skill %s failed", skill.name)
            outcome = Outcome(f"That didn't work: {exc}", performed=False)
        return replace(
            base, reply=outcome.reply, performed=outcome.performed and not dry_run,
            output_override=outcome.output_override, output_text=outcome.output_text,
            needs_confirmation=outcome.needs_confirmation)

    def _ask_llm(self, text: str, dry_run: bool, match_ms: float) -> AssistantResult:
        from trayassist.core.assistant.llm import LlmError

        assert self.llm is not None
        model = self.llm.model or "the local model"
        if dry_run:
            return AssistantResult(text=text, skill="llm", intent="ask", dry_run=True,
                                   reply=f"would ask {model}", model=self.llm.model or None,
                                   match_ms=match_ms)
        try:
            answer = self.llm.ask(text)
        except LlmError as exc:  # no answer: the words stay dictation and are typed
            return AssistantResult(text=text, reply=f"{NO_COMMAND}; {exc}", match_ms=match_ms)
        return AssistantResult(text=text, skill="llm", intent="ask", params={"model": answer.model},
                               reply=answer.text, performed=True, model=answer.model,
                               match_ms=match_ms)
