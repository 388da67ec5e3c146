"""System volume: up, down, mute, unmute, set to a percentage."""

from __future__ import annotations

import re

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full

STEP = 10
# "Your" volume or voice: people address the assistant as the thing that makes the sound.
_WHAT = r"(?:(?:the )?(?:volume|sound|audio|music|speakers?|it)|your (?:volume|speakers?|voice|voice box|vocals))"
_BY = r"(?: by (?P<by>\d+)(?: percent)?)?"
_BIT = r"(?: (?:a bit|a little|a little bit|some|a lot|a notch|more))?"
_UP = compile_all([
    rf"(?:turn|crank|pump|bump|put|push) {_WHAT} up{_BIT}{_BY}",
    rf"(?:turn|crank|pump|bump) up {_WHAT}{_BIT}{_BY}",
    rf"(?:increase|raise|boost) {_WHAT}{_BIT}{_BY}",
    rf"volume up{_BIT}{_BY}", rf"(?:make it |a bit |a little |slightly )?louder{_BIT}",
    r"more volume", r"(?:i can not|i cant) hear (?:it|anything)",
])
_DOWN = compile_all([
    rf"(?:turn|put|bring) {_WHAT} down{_BIT}{_BY}",
    rf"(?:turn|bring) down {_WHAT}{_BIT}{_BY}",
    rf"(?:decrease|lower|reduce|drop) {_WHAT}{_BIT}{_BY}",
    rf"volume down{_BIT}{_BY}", rf"(?:make it |a bit |a little |slightly )?(?:quieter|softer)"
    rf"{_BIT}", r"less volume", r"(?:it is|thats|that is) too loud",
])
_SET = compile_all([
    r"(?:set|change|put|turn|adjust) (?:the )?(?:volume|sound) (?:to|at|2|two|too)"
    r" (?P<n>\S+)(?: percent)?",
    r"volume (?:to |at )?(?P<n>\S+)(?: percent)?",
    r"(?P<max>max|maximum|full) volume",
])
_MUTE = compile_all([
    r"mute(?: (?:the )?(?:sound|volume|audio|speakers?|computer|everything|it|all))?",
    r"(?:turn|switch) (?:off )?(?:the )?(?:sound|audio|volume)(?: off)?",
    r"silence(?: (?:the )?(?:sound|audio|computer))?",
])
_UNMUTE = compile_all([
    r"unmute(?: (?:the )?(?:sound|volume|audio|speakers?|computer|everything|it|all))?",
    r"(?:turn|switch) (?:on )?(?:the )?(?:sound|audio|volume) (?:back )?on",
    r"(?:turn|switch) (?:the )?(?:sound|audio) back on",
])


_UNMUTE_WORDS = re.compile(r"\bunmute\b|\b(?:sound|audio|volume|speakers?) (?:back )?on\b|\bturn (?:the )?"
                           r"(?:sound|audio) (?:back )?on\b")
_MUTE_WORDS = re.compile(r"\bmute\b|\bmuted\b|\bsilence\b|\bsilent\b|\b(?:sound|audio|speakers?) off\b|"
                         r"\bturn off (?:the )?(?:sound|audio|speakers?)\b|\bno sound\b|"
                         r"\b(?:stop|kill|cut) (?:the |all |all the )?(?:sound|audio)\b")
_LEVEL = re.compile(r"\b(?:to|at|on|of|level|volume|be) (?:the )?(?:level |number |setting )?"
                    r"(?P<n>\d+(?:\.\d+)?)(?P<pc> percent)?\b")
_MAX = re.compile(r"\b(?:max|maximum|full|highest|loudest|all the way up|as loud as)\b")
_MIN = re.compile(r"\b(?:minimum|lowest|quietest|all the way down)\b")
_UP_WORDS = re.compile(r"\b(?:up|louder|increase|increased|raise|raised|higher|boost|pump|crank|more|loud|"
                       r"rise|greater|bigger|amplify|can not hear|cant hear|hard to hear)\b")
_DOWN_WORDS = re.compile(r"\b(?:down|quieter|lower|lowered|decrease|decreased|reduce|reduced|softer|less|"
                         r"limit|smaller|dim|too loud|quiet|soft|low)\b")
_TOPIC = re.compile(r"\b(?:volume|sound|audio|speakers?|music|loud|louder|loudness|quiet|quieter|softer|mute|"
                    r"unmute|muted|silence|silent|hear|noise|level|turn it|make it|turn this|"
                    r"voice box|vocals|your voice)\b")
_BY_N = re.compile(r"\bby (?P<n>\d+)(?: percent)?\b")


class VolumeSkill(Skill):
    name = "volume"

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        rule = self.match(utt, ctx)
        if rule is not None:
            return rule
        text = utt.numeric
        if not _TOPIC.search(text):
            return None  # "shut down the computer": nothing about sound
        if _UNMUTE_WORDS.search(text):
            return Match("mute", EXACT, {"mute": False})
        if _MUTE_WORDS.search(text):
            return Match("mute", EXACT, {"mute": True})
        if _MAX.search(text):
            return Match("set", EXACT, {"percent": 100})
        m = _LEVEL.search(text)
        if m and not _BY_N.search(text):
            value = float(m.group("n"))
            # "volume to 4" / "level 4" is on a scale of ten, as on most devices.
            percent = value if m.group("pc") or value > 10 else value * 10
            if not 0 <= percent <= 100:
                return Match("set", EXACT, {"value": value}, error="The volume goes from 0 to 100 percent.")
            return Match("set", EXACT, {"percent": round(percent)})
        if _MIN.search(text):
            return Match("set", EXACT, {"percent": STEP})
        up, down = bool(_UP_WORDS.search(text)), bool(_DOWN_WORDS.search(text))
        if up == down:
            return Match("change", EXACT, {}, error="Should I turn the volume up or down?")
        by = _BY_N.search(text)
        step = int(by.group("n")) if by else STEP
        if not 1 <= step <= 100:
            return Match("change", EXACT, {}, error="Volume changes go from 1 to 100 percent.")
        return Match("change", EXACT, {"percent": step if up else -step})

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.numeric
        for rx_list, sign in ((_UP, 1), (_DOWN, -1)):
            m = full(rx_list, text)
            if m:
                by = m.groupdict().get("by")
                step = int(by) if by else STEP
                if not 1 <= step <= 100:
                    return Match("change", EXACT, {}, error="Volume changes go from 1 to 100 "
                                                            "percent.")
                return Match("change", EXACT, {"percent": sign * step})
        m = full(_SET, text)
        if m:
            if m.groupdict().get("max"):
                return Match("set", EXACT, {"percent": 100})
            n = m.group("n")
            if n in ("max", "maximum", "full"):
                return Match("set", EXACT, {"percent": 100})
            if n in ("up", "down"):
                return Match("change", EXACT, {"percent": STEP if n == "up" else -STEP})
            try:
                value = float(n)
            except ValueError:
                return Match("set", EXACT, {"value": n},
                             error=f"I couldn't understand \"{n}\" as a volume level.")
            if value <= 10 and "percent" not in text:
                value *= 10  # "volume to 4" is on a scale of ten, as on most devices
            if not 0 <= value <= 100:
                return Match("set", EXACT, {"value": value},
                             error="The volume goes from 0 to 100 percent.")
            return Match("set", EXACT, {"percent": round(value)})
        if full(_UNMUTE, text):
            return Match("mute", EXACT, {"mute": False})
        if full(_MUTE, text):
            return Match("mute", EXACT, {"mute": True})
        return None

    def preview(self, match: Match, ctx: Context) -> Outcome:
        return Outcome(f"would {self._describe(match)}", performed=False)

    @staticmethod
    def _describe(match: Match) -> str:
        p = match.params
        if match.intent == "change":
            return f"turn the volume {'up' if p['percent'] > 0 else 'down'} by {abs(p['percent'])}%"
        if match.intent == "set":
            return f"set the volume to {p['percent']}%"
        return "mute the sound" if p["mute"] else "unmute the sound"

    def run(self, match: Match, ctx: Context) -> Outcome:
        if ctx.volume is None:
            return Outcome("Volume control is not available on this system.", performed=False)
        p = match.params
        try:
            if match.intent == "change":
                ctx.volume.change(int(p["percent"]))
            elif match.intent == "set":
                ctx.volume.set(int(p["percent"]))
            else:
                ctx.volume.mute(bool(p["mute"]))
        except (OSError, RuntimeError) as exc:
            return Outcome(f"I couldn't change the volume: {exc}.", performed=False)
        p = match.params
        if match.intent == "change":
            reply = f"Volume {'up' if p['percent'] > 0 else 'down'} {abs(p['percent'])}%."
        elif match.intent == "set":
            reply = f"Volume set to {p['percent']}%."
        else:
            reply = "Sound muted." if p["mute"] else "Sound unmuted."
        return Outcome(reply, performed=True)
