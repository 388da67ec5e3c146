"""Dictation commands: "type …" and "copy …" force the output mode for this utterance."""

from __future__ import annotations

import re

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import raw_tail

_HEADS = (
    ("clipboard", r"copy to (?:the )?clipboard"), ("clipboard", r"copy (?:this|the following)"),
    ("clipboard", r"copy"), ("type", r"type (?:this|the following|out)"), ("type", r"type"),
)
_HEAD_WORD = re.compile(r"^(?:type|copy)\b")
# Bare pronouns are not content: "copy that" is radio talk, not text to copy.
_NOT_CONTENT = {"that", "this", "it", "me", "them", "out", "in", "up", "the", "everything"}


class DictationSkill(Skill):
    name = "dictation"
    template_only = frozenset({"output"})

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        if not _HEAD_WORD.match(utt.text):
            return None
        for mode, head in _HEADS:
            body = raw_tail(utt.raw, head, keep_end=True)
            if body is None:
                continue
            words = re.sub(r"[^\w\s']", " ", body).lower().split()
            if not words or (len(words) == 1 and words[0] in _NOT_CONTENT):
                return None
            return Match("output", EXACT, {"mode": mode, "text": body})
        return None

    def preview(self, match: Match, ctx: Context) -> Outcome:
        out = self.run(match, ctx)
        verb = "type" if out.output_override == "type" else "copy to the clipboard"
        return Outcome(f"would {verb}: {out.output_text}", performed=False,
                       output_override=out.output_override, output_text=out.output_text)

    def run(self, match: Match, ctx: Context) -> Outcome:
        # No side effect here: the caller outputs `output_text` the way `output_override` says.
        mode, text = match.params["mode"], match.params["text"]
        verb = "Typing" if mode == "type" else "Copying to the clipboard"
        return Outcome(f"{verb}: {text}", performed=True, output_override=mode, output_text=text)
