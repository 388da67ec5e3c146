"""Asks every skill about an utterance and picks one only when the choice is clear."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from trayassist.core.assistant.base import Match, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance, make_utterance

log = logging.getLogger(__name__)

THRESHOLD = 0.75
MARGIN = 0.15
MAX_CHARS = 500  # commands are short; a long dictation is never a command


@dataclass(frozen=True)
class Decision:
    utterance: Utterance
    skill: Skill | None
    match: Match | None
    reason: str  # why nothing was chosen, or "matched"
    candidates: tuple[tuple[str, float], ...] = ()


class Router:
    def __init__(self, skills: Sequence[Skill], threshold: float = THRESHOLD,
                 margin: float = MARGIN) -> None:
        self.skills = list(skills)
        self.threshold = threshold
        self.margin = margin

    def route(self, text: str, ctx: Context) -> Decision:
        utt = make_utterance(text[:MAX_CHARS * 2])
        if not utt.text or len(text) > MAX_CHARS:
            return Decision(utt, None, None, "no command recognised")
        found: list[tuple[float, Skill, Match]] = []
        for skill in self.skills:
            try:
                match = skill.match(utt, ctx)
            except Exception:  # one broken skill must not take the others down
                log.exception("skill %s failed while matching", skill.name)
                continue
            if match is not None:
                found.append((match.confidence, skill, match))
        found.sort(key=lambda f: -f[0])
        candidates = tuple((s.name, c) for c, s, _ in found)
        if not found or found[0][0] < self.threshold:
            return Decision(utt, None, None, "no command recognised", candidates)
        if len(found) > 1 and found[0][0] - found[1][0] < self.margin:
            log.info("ambiguous command: %s", candidates[:2])
            return Decision(utt, None, None, "no command recognised (ambiguous)", candidates)
        conf, skill, match = found[0]
        return Decision(utt, skill, match, "matched", candidates)
