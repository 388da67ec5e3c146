"""Answers "what is using my microphone" and "is anything uploading" from the live indicators."""

from __future__ import annotations

import re
from typing import Any

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full

_MIC = r"(?:the |my )?(?:mic|microphone)"
_ANY = r"(?:anything|anyone|anybody|something|any app|any apps|any program|any programs|" \
       r"an app|a program|someone|somebody)"
_MIC_Q = compile_all([
    rf"(?:what|who|which app|which apps|which program|which programs|what apps|what programs|"
    rf"which process|which processes) (?:is|are) (?:using|accessing|recording (?:from|with)|"
    rf"listening (?:on|through|to)|on|holding) {_MIC}(?: right now| now)?",
    rf"(?:is|are) {_ANY} (?:using|accessing|recording (?:from|with)|listening (?:on|through|to))"
    rf" {_MIC}(?: right now| now)?",
    rf"is {_MIC} (?:on|in use|being used|recording|active|live|open|listening)(?: right now| now)?",
    rf"(?:is|are) {_ANY} (?:listening|recording)(?: to me| me)?(?: right now| now)?",
    r"(?:who|what) is listening(?: to me)?(?: right now| now)?",
    r"am i being (?:recorded|listened to)(?: right now| now)?",
    rf"who has {_MIC}(?: open)?",
    r"(?:mic|microphone) status",
])
_NET_Q = compile_all([
    rf"(?:is|are) {_ANY} (?:uploading|sending (?:data|anything|stuff|my data)(?: out)?|"
    r"phoning home|talking to the internet)(?: right now| now)?",
    r"(?:what|who|which app|which apps|what apps|which program|which programs) (?:is|are) "
    r"(?:uploading|sending data|using (?:the |my )?(?:network|internet|bandwidth)|"
    r"phoning home)(?: right now| now)?",
    r"is my (?:data|audio|voice) being (?:uploaded|sent)(?: anywhere)?",
    r"(?:are|is) you (?:uploading|sending) (?:anything|my data|my voice)",
    r"(?:network|upload) status",
])
_ALL_Q = compile_all([
    r"privacy (?:status|check|report)",
    r"(?:is|am i) (?:my privacy|everything) (?:ok|okay|safe|private)",
    r"(?:check|give me) (?:a )?privacy (?:check|status|report)",
])


# With the model sure it is a privacy question, these words say which indicator it is about.
_MIC_WORDS = re.compile(r"\b(?:mic|microphone|recording|recorded|listening|listened|hear|hearing)\b")
_NET_WORDS = re.compile(r"\b(?:upload|uploading|uploaded|sending|sent|internet|network|phoning home|"
                        r"connected|connection|connections|bandwidth)\b")
_ANSWERABLE = re.compile(r"^(?:what|who|which|is|are|am|has|have|does|do|tell me|check|show me)\b")


class PrivacySkill(Skill):
    name = "privacy"
    template_only = frozenset({"mic", "network", "overview"})

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.text
        if full(_MIC_Q, text):
            return Match("mic", EXACT, {})
        if full(_NET_Q, text):
            return Match("network", EXACT, {})
        if full(_ALL_Q, text):
            return Match("overview", EXACT, {})
        return None

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        """Questions the templates do not cover ("which app is recording me right now"): only as a
        question, and only about the microphone or the network."""
        rule = self.match(utt, ctx)
        if rule is not None:
            return rule
        text = utt.text
        if not _ANSWERABLE.match(text):
            return None
        mic, net = bool(_MIC_WORDS.search(text)), bool(_NET_WORDS.search(text))
        if mic == net:
            return Match("overview", EXACT, {}) if mic or re.search(r"\bprivacy\b", text) else None
        return Match("mic" if mic else "network", EXACT, {})

    def preview(self, match: Match, ctx: Context) -> Outcome:
        # Reading the status is not an action; answer for real, but report nothing performed.
        return Outcome(self.run(match, ctx).reply, performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        if ctx.privacy_status is None:
            return Outcome("The privacy indicators are not running.", performed=False)
        try:
            status = ctx.privacy_status()
        except Exception as exc:  # a monitor failing must not break the assistant
            return Outcome(f"I couldn't read the privacy indicators: {exc}.", performed=False)
        parts = []
        if match.intent in ("mic", "overview"):
            parts.append(mic_answer(status))
        if match.intent in ("network", "overview"):
            parts.append(network_answer(status))
        return Outcome(" ".join(parts), performed=True)


def _names(items: list[dict[str, Any]]) -> str:
    names = []
    for it in items:
        name = str(it.get("name") or "unknown")
        label = f"{name} (pid {it['pid']})" if it.get("pid") is not None else name
        if label not in names:
            names.append(label)
    return ", ".join(names)


def mic_answer(status: dict[str, Any]) -> str:
    mic = status.get("mic") or {}
    others = list(mic.get("others") or [])
    mine = bool(mic.get("self"))
    if status.get("indicators_paused"):
        return "The indicators are paused, so I can't say what is using the microphone."
    if not others:
        return "Only TrayAssist is using the microphone, right now." if mine \
            else "Nothing is using the microphone."
    who = _names(others)
    also = " TrayAssist is listening too." if mine else ""
    return f"The microphone is in use by {who}.{also}"


def network_answer(status: dict[str, Any]) -> str:
    net = status.get("network") or {}
    alert = net.get("alert")
    talkers = [t for t in (net.get("talkers") or []) if (t.get("up_bps") or 0) > 0]
    parts = []
    if alert:
        parts.append(f"Warning: {alert.get('name', 'a program')} — {alert.get('message', '')}"
                     .strip())
    if talkers:
        parts.append(f"Uploading now: {_names(talkers)}.")
    else:
        up = net.get("up_bps") or 0
        parts.append("Nothing is uploading." if not up
                     else f"Something is uploading about {int(up)} bytes a second.")
    self_conn = int(net.get("self_connections") or 0)
    parts.append("TrayAssist itself has no outside connections." if self_conn == 0
                 else f"TrayAssist has {self_conn} outside connections.")
    return " ".join(parts)
