"""Shaping dictated text: spoken punctuation and layout, fillers, the user's replacements.

Pure and Qt-free. Applied to dictation only: the controller calls shape_dictation() once the
assistant has decided an utterance is not a command, never on what the assistant parses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

# Spoken marks. Whisper already punctuates from pauses and intonation; a mark the user says
# wins over Whisper's own punctuation around the spoken word ("Hello, comma, world" -> "Hello, world").
PUNCTUATION = {
    ("comma",): ",",
    ("period",): ".",
    ("full", "stop"): ".",
    ("question", "mark"): "?",
    ("exclamation", "mark"): "!",
    ("exclamation", "point"): "!",
    ("colon",): ":",
    ("semicolon",): ";",
}
LAYOUT = {("new", "line"): "\n", ("new", "paragraph"): "\n\n"}
COMMANDS = PUNCTUATION | LAYOUT
# "period" is also an everyday word ("a trial period of two weeks"): it is a mark only where
# the speaker paused around it (Whisper's punctuation next to it), at the end, or before
# another spoken command.
NEEDS_PAUSE = frozenset({("period",)})
LITERAL = "literal"  # "literal comma" types the word itself
# "a comma", "the period", "this colon": after a determiner the word is meant, not the mark.
def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


DETERMINERS = _set(
    "a an the this that these those each every any another no one my your his her its our their")
# Hesitation sounds are always dropped (when the option is on). "you know" is dropped only when
# it stands apart as a parenthetical: at the start or after punctuation AND followed by
# punctuation or the end ("It was, you know, fine." / "You know, I agree."). "Do you know the
# way", "you know what I mean" and "if you know, tell me" keep it.
FILLERS = _set("um umm ummm uh uhh uhm erm er hmm hmmm hm mm mmm")
SENTENCE_END = ".?!…"
SOFT = ",;:"
_STRIPPABLE = SOFT + SENTENCE_END
# Words Whisper capitalised only because it started a sentence there; once a spoken comma
# replaces that sentence break they go back to lower case (names are never in this list).
COMMON = _set(
    "the a an and but or so then it its it's this that these those we you he she they there here "
    "my our your his her their how what when where why who which is are was were be do does did "
    "have has had not no yes if as at in on of for to with from by please thanks thank also just "
    "let's let can could would will should all some")

_LEAD = re.compile(r"^[\"'“‘(\[{¿¡]+")
_TRAIL = re.compile(r"[,.;:!?…\"'”’)\]}]+$")


@dataclass(frozen=True)
class DictationOptions:
    spoken_punctuation: bool = True
    drop_fillers: bool = True
    replacements: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> DictationOptions:
        return cls(bool(settings.spoken_punctuation), bool(settings.drop_fillers),
                   tuple((str(a), str(b)) for a, b in settings.replacements))


@dataclass
class _Tok:
    space: str  # whitespace before it in the input
    lead: str
    core: str
    trail: str
    mark: str = ""  # set: a mark the user spoke (never stripped as Whisper's punctuation)
    after_break: bool = False  # Whisper's sentence break before it was replaced by a soft mark
    words: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return self.mark or self.lead + self.core + self.trail


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    for m in re.finditer(r"\S+", text):
        chunk = m.group()
        lead = _LEAD.match(chunk)
        lead_s = lead.group() if lead else ""
        rest = chunk[len(lead_s):]
        trail = _TRAIL.search(rest)
        trail_s = trail.group() if trail else ""
        core = rest[: len(rest) - len(trail_s)]
        norm = core.lower().replace("’", "'").replace("-", " ").split()
        toks.append(_Tok(text[pos:m.start()], lead_s, core, trail_s, words=tuple(norm)))
        pos = m.end()
    return toks


def shape_dictation(text: str, options: DictationOptions) -> str:
    """Dictated text as the user meant it: fillers out, spoken marks in, their rules applied."""
    tokens = _tokens(text)
    if not tokens or not (options.drop_fillers or options.spoken_punctuation or options.replacements):
        return text
    if options.drop_fillers:
        tokens = _drop_fillers(tokens)
    if options.spoken_punctuation:
        tokens = _punctuate(tokens)
    out = _join(tokens)
    if not out.endswith("\n"):
        out += text[len(text.rstrip()):]  # trailing whitespace stays as it was
    if options.replacements:
        out = apply_replacements(out, options.replacements)
    return out


# ---- fillers -----------------------------------------------------------------------------
def _filler_spans(toks: Sequence[_Tok]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.words and len(t.words) == 1 and t.words[0] in FILLERS and not t.lead:
            spans.append((i, i + 1))
            i += 1
            continue
        if (t.words == ("you",) and not t.trail and not t.lead and i + 1 < len(toks)
                and toks[i + 1].words == ("know",) and not toks[i + 1].lead):
            before_ok = i == 0 or toks[i - 1].trail[-1:] in _STRIPPABLE and toks[i - 1].trail != ""
            after = toks[i + 1].trail
            after_ok = i + 2 == len(toks) or any(c in _STRIPPABLE for c in after)
            if before_ok and after_ok:
                spans.append((i, i + 2))
                i += 2
                continue
        i += 1
    return spans


def _drop_fillers(toks: list[_Tok]) -> list[_Tok]:
    spans = dict(_filler_spans(toks))
    if not spans:
        return toks
    out: list[_Tok] = []
    space: str | None = None  # the first dropped token's space goes to the next kept one
    capital = False
    i = 0
    while i < len(toks):
        if i in spans:
            end = spans[i]
            first, trail = toks[i], toks[end - 1].trail
            prev = out[-1] if out else None
            ends = "".join(c for c in trail if c in SENTENCE_END)
            if prev is not None and ends and not _ends_sentence(prev.trail):
                prev.trail = _strip_end(prev.trail, SOFT) + ends  # "I think, um." -> "I think."
            elif prev is not None and "," in trail and prev.trail.endswith(","):
                prev.trail = prev.trail[:-1]  # "It was, uh, fine" -> "It was fine"
            if (prev is None or _ends_sentence(prev.trail)) and first.core[:1].isupper():
                capital = True  # "Um, so we go" -> "So we go"
            space = first.space if space is None else space
            i = end
            continue
        t = toks[i]
        if space is not None:
            t.space, space = space, None
        if capital:
            t.core, capital = _capitalise(t.core), False
        out.append(t)
        i += 1
    return out


# ---- spoken punctuation --------------------------------------------------------------------
def _match_command(toks: Sequence[_Tok], i: int) -> tuple[str, int] | None:
    """(mark, tokens used) for a spoken command starting at toks[i]."""
    for phrase in sorted(COMMANDS, key=len, reverse=True):
        words: list[str] = []
        j = i
        while j < len(toks) and len(words) < len(phrase):
            t = toks[j]
            if j > i and (t.lead or toks[j - 1].trail):
                break  # punctuation inside a phrase: not the command
            words.extend(t.words)
            j += 1
        if tuple(words) == phrase:
            if phrase in NEEDS_PAUSE and not _paused(toks, i, j):
                return None
            return COMMANDS[phrase], j - i
    return None


def _paused(toks: Sequence[_Tok], i: int, j: int) -> bool:
    if j >= len(toks) or toks[j - 1].trail or (i > 0 and toks[i - 1].trail):
        return True
    return _match_command(toks, j) is not None


def _punctuate(toks: list[_Tok]) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    pending_capital = False
    pending_break = False
    while i < len(toks):
        t = toks[i]
        if t.words == (LITERAL,) and not t.trail and i + 1 < len(toks) and not toks[i + 1].lead:
            hit = _match_command(toks, i + 1)
            if hit is not None:  # "literal comma": the words themselves, "literal" dropped
                first = replace(toks[i + 1], space=t.space, lead=t.lead + toks[i + 1].lead)
                out.append(_carry(first, pending_capital, pending_break))
                out.extend(toks[i + 2:i + 1 + hit[1]])
                pending_capital = pending_break = False
                i += 1 + hit[1]
                continue
        hit = _match_command(toks, i)
        prev = out[-1] if out else None
        if hit is not None and not (prev is not None and not prev.mark and not prev.trail
                                    and prev.words[-1:] and prev.words[-1] in DETERMINERS):
            mark, used = hit
            own = toks[i + used - 1].trail
            whisper_break = any(c in SENTENCE_END for c in own)
            if prev is not None and not prev.mark:
                before = prev.trail
                prev.trail = _strip_end(before, SOFT if mark in LAYOUT.values() else _STRIPPABLE,
                                        keep_dot="." in prev.core)
                whisper_break |= any(c in SENTENCE_END for c in before[len(prev.trail):])
            out.append(_Tok(t.space, "", "", "", mark=mark))
            if mark in LAYOUT.values() or mark in SENTENCE_END:
                pending_capital, pending_break = True, False
            else:
                pending_capital, pending_break = False, whisper_break or pending_break
            i += used
            continue
        out.append(_carry(t, pending_capital, pending_break))
        pending_capital = pending_break = False
        i += 1
    return out


def _carry(t: _Tok, capital: bool, after_break: bool) -> _Tok:
    if capital:
        t.core = _capitalise(t.core)
    elif after_break and t.core[:1].isupper() and t.core.lower() in COMMON and t.core != "I":
        t.core = t.core[:1].lower() + t.core[1:]
    return t


def _join(toks: Sequence[_Tok]) -> str:
    parts: list[str] = []
    prev: _Tok | None = None
    for t in toks:
        if prev is None:
            sep = t.space
        elif t.mark and t.mark.strip() and t.mark in _STRIPPABLE:
            sep = ""  # no space before a spoken comma or period
        elif t.mark or (prev.mark and not prev.mark.strip()):
            sep = ""  # a new line takes no spaces around it
        else:
            sep = t.space or " "
        parts.append(sep + t.text)
        prev = t
    return "".join(parts)


# ---- replacements --------------------------------------------------------------------------
def _rule_pattern(source: str) -> str:
    words = [re.escape(w) for w in source.split()]
    body = r"[\s\-]+".join(words)
    flags = "" if source != source.lower() else "i"  # smart case: capitals in "from" must match
    inner = f"(?{flags}:{body})" if flags else f"(?:{body})"
    return rf"(?<!\w){inner}(?!\w)"


def apply_replacements(text: str, rules: Sequence[tuple[str, str]]) -> str:
    """Whole-word "from -> to" rules in one pass (a rule's output is never rewritten by another;
    the longest "from" wins). A lower-case "from" matches any case; a "to" written in lower
    case follows the matched word's capital ("Gonna" -> "Going to")."""
    rules = [(a.strip(), b) for a, b in rules if a.strip()]
    if not rules:
        return text
    order = sorted(range(len(rules)), key=lambda k: -len(rules[k][0]))
    pattern = re.compile("|".join(f"(?P<r{k}>{_rule_pattern(rules[k][0])})" for k in order))

    def sub(m: re.Match[str]) -> str:
        k = int((m.lastgroup or "r0")[1:])
        source, target = rules[k]
        found = m.group()
        if not target:
            return "\x00"
        if target == target.lower() and source == source.lower():
            if len(found) > 1 and found.isupper() and any(c.isalpha() for c in found[1:]):
                return target.upper()
            if found[:1].isupper():
                return _capitalise(target)
        return target

    out = pattern.sub(sub, text)
    return _close_deletions(out) if "\x00" in out else out


def _close_deletions(text: str) -> str:
    """Where a rule deleted words (marked \x00): no orphan comma, double space or lost capital."""
    # At the start of the text or of a sentence: its comma goes too, the next word takes the capital.
    text = re.sub(r"(^|[.?!…]\s+|\n)[ \t]*\x00[,;:]?[ \t]*(\S?)",
                  lambda m: m.group(1) + m.group(2).upper(), text)
    text = re.sub(r",[ \t]*\x00,", ",\x00", text)  # "is, basically, done": one comma stays...
    text = re.sub(r",[ \t]*\x00(?=[ \t])", "\x00", text)  # ...and is dropped like a filler's
    text = re.sub(r"[ \t]*\x00(?=[,.;:!?…]|$)", "", text)
    return re.sub(r"[ \t]*\x00[ \t]*", " ", text)


# ---- helpers -------------------------------------------------------------------------------
def _ends_sentence(trail: str) -> bool:
    stripped = trail.rstrip("\"'”’)]}")
    return bool(stripped) and stripped[-1] in SENTENCE_END


def _strip_end(trail: str, chars: str, keep_dot: bool = False) -> str:
    """Drop Whisper's punctuation at the very end (not past a closing quote or bracket)."""
    end = len(trail)
    while end > 0 and trail[end - 1] in chars:
        end -= 1
    if keep_dot and end == 0 and trail.startswith("."):
        end = 1  # "U.S." keeps the dot of the abbreviation
    return trail[:end]


def _capitalise(word: str) -> str:
    for k, c in enumerate(word):
        if c.isalpha():
            return word[:k] + c.upper() + word[k + 1:]
    return word
