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
from trayassist.core.assistant.result import NO_COMMAND, AssistantResult
from trayassist.core.assistant.router import MARGIN, THRESHOLD, Router

if TYPE_CHECKING:  # urllib is only imported when an LLM is actually configured
    from trayassist.core.assistant.llm import LlmClient

log = logging.getLogger(__name__)

_QUESTION = re.compile(r"^(?:what|who|why|how|when|where|which|is|are|can|could|should|do|does|"
                       r"did|will|would|explain|tell me)\b")


class Assistant:
    """Routes an utterance to one skill and runs it (or, with dry_run, only describes it).

    Thread-safety: call `handle` from one worker thread; skills and services are not locked.
    """

    def __init__(self, skills: Sequence[Skill], context: Context, llm: LlmClient | None = None,
                 threshold: float = THRESHOLD, margin: float = MARGIN) -> None:
        self.context = context
        self.router = Router(skills, threshold=threshold, margin=margin)
        self.llm = llm

    def handle(self, text: str, dry_run: bool = False) -> AssistantResult:
        started = time.perf_counter()
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
