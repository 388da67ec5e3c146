"""History by voice: delete the last utterance, forget a recent span; wiping needs a dialog."""

from __future__ import annotations

from datetime import timedelta

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full
from trayassist.core.assistant.timeparse import describe_duration, parse_duration

_HIST = r"(?:(?:all )?(?:of )?(?:my |the )?(?:entire |whole |complete )?" \
        r"(?:history|transcripts|recordings|voice history|dictation history))"
_DELETE_LAST = compile_all([
    r"(?:delete|erase|remove|forget|discard|drop) (?:what i (?:just )?said|that|this|"
    r"the last (?:thing(?: i said)?|one|sentence|message|entry|utterance|recording|transcript|"
    r"bit)|my last (?:sentence|message|entry|utterance|recording|transcript))"
    r"(?: from (?:my |the )?history)?",
    r"scratch that", r"never mind delete that", r"forget i said that",
])
_FORGET = compile_all([
    r"(?:forget|delete|erase|remove|clear) (?:everything (?:from |in )?|what i said (?:in )?|"
    r"all (?:from )?)?the (?:last|past) (?P<span>.+?)(?: of (?:my |the )?history)?",
    r"(?:forget|delete|erase|clear) (?:everything (?:i said )?)?(?:from |of |since )?(?P<today>today)",
])
_WIPE = compile_all([
    rf"(?:wipe|erase|clear|delete|destroy|purge|remove) {_HIST}",
    r"(?:wipe|erase|delete|purge) everything(?: you (?:have|know|recorded))?",
    r"(?:wipe|clear|erase) (?:my |the )?(?:history|memory) (?:clean|completely)",
])


class HistorySkill(Skill):
    name = "history"
    template_only = frozenset({"delete_last", "forget", "wipe"})
    destructive = frozenset({"delete_last", "forget", "wipe"})

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.numeric
        if full(_WIPE, text):
            return Match("wipe", EXACT, {})
        if full(_DELETE_LAST, text):
            return Match("delete_last", EXACT, {})
        m = full(_FORGET, text)
        if m:
            if m.groupdict().get("today"):
                return Match("forget", EXACT, {"today": True})
            span = m.group("span")
            seconds = parse_duration(span) or parse_duration(f"1 {span}")
            if seconds is None:
                return Match("forget", EXACT, {"span": span},
                             error=f"I couldn't understand \"{span}\" as a length of time.")
            return Match("forget", EXACT, {"seconds": seconds})
        return None

    def preview(self, match: Match, ctx: Context) -> Outcome:
        if match.intent == "wipe":
            return Outcome("would ask you to confirm wiping your history", performed=False,
                           needs_confirmation=True)
        if match.intent == "delete_last":
            return Outcome("would delete what you just said", performed=False)
        return Outcome(f"would forget {self._span(match)}", performed=False)

    @staticmethod
    def _span(match: Match) -> str:
        if match.params.get("today"):
            return "everything from today"
        return f"the last {describe_duration(match.params['seconds'])}"

    def run(self, match: Match, ctx: Context) -> Outcome:
        if match.intent == "wipe":
            # Never by voice alone: the caller shows a confirmation dialog and wipes itself.
            return Outcome("Wiping your history needs confirmation: please confirm in the "
                           "dialog.", performed=False, needs_confirmation=True)
        if ctx.history is None:
            return Outcome("History is turned off.", performed=False)
        if match.intent == "delete_last":
            if ctx.history.delete_last():
                return Outcome("Deleted what you just said.", performed=True)
            return Outcome("There was nothing to delete.", performed=False)
        now = ctx.clock.now()
        if match.params.get("today"):
            cutoff = now.replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            cutoff = now - timedelta(seconds=float(match.params["seconds"]))
        count = ctx.history.forget_since(cutoff)
        return Outcome(f"Forgot {count} item{'s' if count != 1 else ''} from "
                       f"{self._span(match)}.", performed=True)
