"""Decides which skill, if any, an utterance is for: the intent model proposes, the skill's parser
confirms; anything less than both stays dictation."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from trayassist.core.assistant.base import Match, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.intent_model import IntentModel, Proposal
from trayassist.core.assistant.normalize import Utterance, make_utterance

log = logging.getLogger(__name__)

THRESHOLD = 0.75  # templates only (no model, or a skill the model does not know)
MARGIN = 0.15
MAX_CHARS = 500  # commands are short; a long dictation is never a command
# A full-sentence template counts only if the model gives its skill at least this much: two
# weaker signals that agree. Destructive intents always need the model's destructive threshold.
RULE_FLOOR = 0.02
DESTRUCTIVE_FLOOR = 0.7
# A recognised request the parser cannot complete ("set a timer") is answered with a question,
# which also keeps the words from being typed: only when the model alone is this sure (the model
# file's "clarify" threshold, chosen out of fold, when it has one).
CLARIFY_FLOOR = 0.8
NO_COMMAND_REASON = "no command recognised"
_WORD = re.compile(r"[^\W\d_]")
# "don't delete my shopping list", "do not set a timer": an order not to act is never one to act
# ("don't forget to call mum at 5" is a request, and stays one).
_NOT_TO = re.compile(r"^(?:(?:please|just|but|and|oh|no|now) )*(?:do not|dont|never|no need to)\b"
                     r"(?! (?:forget|let me forget)\b)")
# "I set a timer for 10 minutes and forgot it": dictated narration, to be typed, not done again;
# unless a request follows ("i just put steaks on the grill remind me to check them").
_DID = re.compile(r"^i (?:already |just |then |also )?(?:set|added|turned|deleted|removed|muted|opened|cancell?ed|"
                  r"created|put)\b(?!.*\b(?:remind me|wake me|tell me|let me know|can you|could you|please)\b)")
# "how do i mute the volume", "should i set an alarm for 6 am", "what happens if i delete my list":
# questions about doing it: not done. Skills that only answer (the clock, sums, who is on the mic)
# still answer, and "how do i set a timer" still gets its question back ("How long…?").
_ASKS_ABOUT = re.compile(r"^(?:(?:so|but|and|um|please|hey) )*(?:how (?:do|can|could|should|would|will|to)\b"
                         r"|should (?:i|we)\b|what (?:happens|would happen|will happen) (?:if|when)\b)")
_ANSWERS_ONLY = frozenset({"time", "calculator", "privacy"})


@dataclass(frozen=True)
class Decision:
    utterance: Utterance
    skill: Skill | None
    match: Match | None
    reason: str  # why nothing was chosen, or "model", "template"
    candidates: tuple[tuple[str, float], ...] = ()
    proposal: Proposal | None = None


class Router:
    def __init__(self, skills: Sequence[Skill], model: IntentModel | None = None,
                 threshold: float = THRESHOLD, margin: float = MARGIN) -> None:
        self.skills = list(skills)
        self.model = model
        self.threshold = threshold
        self.margin = margin

    def route(self, text: str, ctx: Context) -> Decision:
        decision = self._route(text, ctx)
        skill, match, utt = decision.skill, decision.match, decision.utterance
        acts = match is not None and match.error is None  # a question back is no action
        if skill is not None and acts and skill.name not in _ANSWERS_ONLY and _ASKS_ABOUT.match(utt.text):
            return Decision(utt, None, None, NO_COMMAND_REASON, decision.candidates, decision.proposal)
        return decision

    def _route(self, text: str, ctx: Context) -> Decision:
        utt = make_utterance(text[:MAX_CHARS * 2])
        if not _WORD.search(utt.text) or len(text) > MAX_CHARS:
            return Decision(utt, None, None, NO_COMMAND_REASON)  # no words (only numbers): never a command
        if _NOT_TO.match(utt.text) or _DID.match(utt.text):
            return Decision(utt, None, None, NO_COMMAND_REASON)
        if self.model is None:
            return self._templates(utt, ctx, None)
        own = self._templates(utt, ctx, None, only_own=True)
        if own.skill is not None:
            return own
        proposal = self.model.propose(utt.raw)
        thresholds = self.model.thresholds
        destructive_at = max(DESTRUCTIVE_FLOOR, thresholds.get("destructive", DESTRUCTIVE_FLOOR))
        skill = self._skill(proposal.skill)
        if skill is not None:
            p = proposal.skill_probability(skill.name)
            if p >= thresholds.get(proposal.label, 1.0):
                match = self._call(skill, lambda s: s.parse(proposal.label, utt, ctx))
                if match is not None and match.error is not None and p < thresholds.get("clarify", CLARIFY_FLOOR):
                    match = None
                if match is not None and (match.intent not in skill.destructive or p >= destructive_at):
                    return Decision(utt, skill, replace(match, confidence=round(p, 3)), "model",
                                    proposal.ranked[:3], proposal)
                if match is not None:
                    log.info("destructive %s.%s below its threshold", skill.name, match.intent)
        return self._templates(utt, ctx, proposal, destructive_at)

    def _templates(self, utt: Utterance, ctx: Context, proposal: Proposal | None,
                   destructive_at: float = 1.0, only_own: bool = False) -> Decision:
        """The skills' full-sentence templates; with a model, only where it agrees enough.
        `only_own`: just the intents no public data covers (decided by their templates)."""
        known = {lb.split(".", 1)[0] for lb in self.model.labels} if self.model is not None else set()
        found: list[tuple[float, Skill, Match]] = []
        for skill in self.skills:
            if only_own and not skill.template_only:
                continue
            match = self._call(skill, lambda s: s.match(utt, ctx))
            if match is None or match.confidence < self.threshold:
                continue
            if only_own and match.intent not in skill.template_only:
                continue
            if proposal is not None and skill.name in known and match.intent not in skill.template_only:
                p = proposal.skill_probability(skill.name)
                acts = match.intent in skill.destructive and match.error is None
                floor = destructive_at if acts else RULE_FLOOR
                if p < floor:
                    continue
                match = replace(match, confidence=round(p, 3))
            found.append((match.confidence, skill, match))
        found.sort(key=lambda f: -f[0])
        candidates = tuple((s.name, c) for c, s, _ in found)
        if not found:
            return Decision(utt, None, None, NO_COMMAND_REASON, candidates, proposal)
        if len(found) > 1 and found[0][0] - found[1][0] < self.margin:
            log.info("ambiguous command: %s", candidates[:2])
            return Decision(utt, None, None, f"{NO_COMMAND_REASON} (ambiguous)", candidates, proposal)
        _conf, skill, match = found[0]
        return Decision(utt, skill, match, "template", candidates, proposal)

    def _skill(self, name: str | None) -> Skill | None:
        return next((s for s in self.skills if s.name == name), None) if name else None

    @staticmethod
    def _call(skill: Skill, fn: object) -> Match | None:
        assert callable(fn)
        try:
            found: Match | None = fn(skill)
            return found
        except Exception:  # one broken skill must not take the others down
            log.exception("skill %s failed while matching", skill.name)
            return None
