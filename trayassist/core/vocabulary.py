"""Custom vocabulary: the words and names the transcriber should prefer, and the hint the model gets.

One entry is a word or a short phrase ("Siobhan", "Chinua Okonkwo", "PostgreSQL"); the list lives
in Settings.vocabulary and is edited here for the CLI, the app's IPC and the Settings dialog alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trayassist.core.config import Settings

MAX_ENTRY_CHARS = 60
MAX_ENTRIES = 500
# faster-whisper cuts hotwords at 223 tokens, and they share the 448-token decoder window with
# the previous chunk's text (up to 223 more) and the output: past ~120 the output gets squeezed.
HINT_MAX_TOKENS = 120
# Measured on tests/bench/vocabulary.py's tuning set: a prompt that reads as a sentence ending
# in a period helps tiny.en more than a bare list (names missed 0.375 -> 0.25), and the same
# text as `hotwords` or as `initial_prompt` decodes identically; hotwords are kept for every
# 30 s window, the initial prompt only for the first.
HINT_PREFIX = "Names and words: "

ACTIONS = ("add", "remove", "list", "import", "clear")


class VocabularyError(ValueError):
    """A one-line reason an entry or a file was refused."""


def normalise_entry(text: str) -> str:
    """Whitespace collapsed; refuses empty, over-long and control-character entries."""
    entry = " ".join(text.split())
    if not entry:
        raise VocabularyError("an empty word")
    if len(entry) > MAX_ENTRY_CHARS:
        raise VocabularyError(f"longer than {MAX_ENTRY_CHARS} characters: {entry[:20]}…")
    if any(unicodedata.category(c).startswith("C") for c in entry):
        raise VocabularyError("control characters in a word")
    return entry


def _key(entry: str) -> str:
    return entry.casefold()


@dataclass
class Change:
    words: list[str]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # asked to remove, not in the list
    skipped: list[str] = field(default_factory=list)  # already there, spelled the same

    def to_dict(self) -> dict[str, Any]:
        return {"words": self.words, "added": self.added, "removed": self.removed,
                "missing": self.missing, "skipped": self.skipped}


def add(current: Sequence[str], words: Iterable[str]) -> Change:
    """Append new entries; an entry already there in another spelling takes the new spelling
    (the spelling is what the model is asked to prefer)."""
    out = list(current)
    change = Change(out)
    for raw in words:
        entry = normalise_entry(raw)
        at = next((i for i, w in enumerate(out) if _key(w) == _key(entry)), None)
        if at is None:
            if len(out) >= MAX_ENTRIES:
                raise VocabularyError(f"the vocabulary holds at most {MAX_ENTRIES} entries")
            out.append(entry)
            change.added.append(entry)
        elif out[at] != entry:
            out[at] = entry
            change.added.append(entry)
        else:
            change.skipped.append(entry)
    return change


def remove(current: Sequence[str], words: Iterable[str]) -> Change:
    """Remove entries, whatever their case."""
    out = list(current)
    change = Change(out)
    for raw in words:
        key = _key(" ".join(raw.split()))
        kept = [w for w in out if _key(w) != key]
        if len(kept) == len(out):
            change.missing.append(raw)
        else:
            change.removed.extend(w for w in out if _key(w) == key)
            out[:] = kept
    return change


def parse_text(text: str) -> list[str]:
    """A vocabulary file: one entry per line; blank lines and lines starting with # are skipped."""
    entries: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith("#"):
            continue
        try:
            entries.append(normalise_entry(stripped))
        except VocabularyError as exc:
            raise VocabularyError(f"line {number}: {exc}") from None
    return entries


def export_text(words: Sequence[str]) -> str:
    return "# TrayAssist vocabulary: one word or name per line\n" + "".join(f"{w}\n" for w in words)


def hint_text(words: Sequence[str], count_tokens: Callable[[str], int] | None = None,
              max_tokens: int = HINT_MAX_TOKENS) -> str | None:
    """The text the model is primed with, keeping as many entries (first ones first) as fit."""
    kept = words[:fitting(words, count_tokens, max_tokens)]
    return HINT_PREFIX + ", ".join(kept) + "." if kept else None


def fitting(words: Sequence[str], count_tokens: Callable[[str], int] | None = None,
            max_tokens: int = HINT_MAX_TOKENS) -> int:
    """How many of the first entries fit the model's hint (without a tokenizer: an estimate)."""
    count = count_tokens or _rough_tokens
    for n in range(1, len(words) + 1):
        if count(HINT_PREFIX + ", ".join(words[:n]) + ".") > max_tokens:
            return n - 1
    return len(words)


def _rough_tokens(text: str) -> int:
    # Whisper's BPE averages about 3 characters per token on names; used without a tokenizer.
    return -(-len(text) // 3)


def apply(action: str, words: Sequence[str], settings: Settings) -> tuple[Settings, Change]:
    """One vocabulary command (the CLI, or the app's IPC when it runs): the new settings and
    what changed. `import` adds the entries of a file's text given as the one word."""
    if action == "list":
        return settings, Change(list(settings.vocabulary))
    if action == "add":
        change = add(settings.vocabulary, words)
    elif action == "remove":
        change = remove(settings.vocabulary, words)
    elif action == "import":
        change = add(settings.vocabulary, [e for text in words for e in parse_text(text)])
    elif action == "clear":
        change = Change([], removed=list(settings.vocabulary))
    else:
        raise VocabularyError(f"unknown vocabulary action {action!r}")
    if change.words == settings.vocabulary:
        return settings, change
    return settings.replace(vocabulary=change.words), change


def handle_request(args: dict[str, Any], settings: Settings,
                   save: Callable[[Settings], None]) -> dict[str, Any]:
    """The running app's `vocabulary` IPC command: {"action": ..., "words": [...]}. `save`
    persists and applies the new settings (Controller.update_settings); run it on one lane so
    two changes never race. Raises VocabularyError (one line) for bad requests."""
    action, words = args.get("action"), args.get("words", [])
    if action not in ACTIONS:
        raise VocabularyError(f"vocabulary action must be one of {', '.join(ACTIONS)}")
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise VocabularyError("vocabulary words must be a list of text")
    new, change = apply(str(action), words, settings)
    if new is not settings:
        save(new)
    return change.to_dict()
