"""\"Undo\": puts back what the assistant last removed this session (a list, an item, an alarm)."""

from __future__ import annotations

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full

_UNDO = compile_all([
    r"undo(?: (?:that|it|this|the last (?:one|thing|action|change)|what you (?:just )?did))?",
    r"(?:bring|put) (?:it|that|them|those|(?:my|the) [a-z ]+) back",
    r"restore (?:it|that|them|(?:my|the) [a-z ]+ list)",
    r"(?:no )?take that back",
    r"oops undo(?: that)?",
])


class UndoSkill(Skill):
    name = "undo"

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        if not full(_UNDO, utt.text):
            return None
        what = ctx.undo.peek()
        if what is None:
            return Match("undo", EXACT, {}, error="There is nothing to undo.")
        return Match("undo", EXACT, {"what": what})

    def preview(self, match: Match, ctx: Context) -> Outcome:
        return Outcome(f"would undo {match.params['what']}", performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        restore = ctx.undo.pop()
        if restore is None:
            return Outcome("There is nothing to undo.", performed=False)
        return Outcome(restore(), performed=True)
