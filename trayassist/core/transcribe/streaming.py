"""Which words of a growing recording are final, and where the audio left to decode starts.

LocalAgreement (Macháček et al. 2023, whisper_streaming): the growing buffer is decoded
again and again; a word is committed once two successive decodes agree on it and on every
word before it. The buffer then starts at a quiet point after the last committed word, and
the committed text becomes the decoder's prompt, so each decode stays short while the
model keeps its context. Pure: no model, no threads, no audio device.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

_KEY = re.compile(r"[^a-z0-9']+")
MIN_WORD_S = 0.01


@dataclass(frozen=True)
class Word:
    """One word the model heard; times in seconds (from the start of the decoded audio, or
    of the utterance once `shifted`). `text` keeps the model's leading space and punctuation."""

    start: float
    end: float
    text: str

    @property
    def key(self) -> str:
        """What two decodes must agree on: the word without case or punctuation."""
        return _KEY.sub("", self.text.lower())

    def shifted(self, seconds: float) -> Word:
        return replace(self, start=self.start + seconds, end=self.end + seconds)


def join(words: Sequence[Word]) -> str:
    return "".join(w.text for w in words).strip()


class Agreement:
    """Committed words so far and the last decode's words after them (still tentative).

    Feed each decode's words (utterance times) to `update`; the last decode of the
    recording goes to `finish`, which commits all of it.
    """

    DEDUP_WINDOW_S = 0.5  # a repeat of the committed tail this close to it is the same words

    def __init__(self, prompt_chars: int = 200) -> None:
        self.committed: list[Word] = []
        self.tentative: list[Word] = []
        self.prompt_chars = prompt_chars

    @property
    def text(self) -> str:
        return join(self.committed)

    @property
    def pending(self) -> str:
        return join(self.tentative)

    @property
    def committed_end(self) -> float:
        return self.committed[-1].end if self.committed else 0.0

    def prompt(self) -> str | None:
        """The end of the committed text, cut at a word boundary: the decoder's context."""
        text = self.text
        start = len(text) - self.prompt_chars
        if start > 0:
            if text[start - 1] != " ":  # inside a word: start at the next one
                start = text.find(" ", start) + 1 or start
            text = text[start:]
        return text or None

    def update(self, hypothesis: Sequence[Word], until: float = float("inf")) -> list[Word]:
        """A new decode of the buffer: commit the prefix it shares with the previous one,
        up to the words that end by `until` (the newer decode heard some audio after them)."""
        fresh = self.fresh(hypothesis)
        n = 0
        while (n < len(fresh) and n < len(self.tentative)
               and fresh[n].key == self.tentative[n].key and fresh[n].end <= until):
            n += 1
        agreed = fresh[:n]  # the newer decode's spelling and times: it heard more context
        self.committed += agreed
        self.tentative = fresh[n:]
        return agreed

    def finish(self, hypothesis: Sequence[Word] | None = None) -> list[Word]:
        """The last decode (or, with None, the last one already seen): commit all of it."""
        fresh = self.fresh(hypothesis) if hypothesis is not None else self.tentative
        self.committed += fresh
        self.tentative = []
        return list(fresh)

    def force(self, before: float) -> list[Word]:
        """Commit the tentative words that end before `before` on one decode's word: the
        buffer grew too long without two decodes agreeing (bounded work beats waiting)."""
        n = 0
        while n < len(self.tentative) and self.tentative[n].end <= before:
            n += 1
        forced, self.tentative = self.tentative[:n], self.tentative[n:]
        self.committed += forced
        return forced

    def fresh(self, hypothesis: Sequence[Word]) -> list[Word]:
        """The hypothesis without words already committed: those whose start lies before the
        committed end (the decode began before the cut), and a repeat of the committed tail
        at its start (the model re-reading the prompt or a sliver of the last word)."""
        # A word the aligner gave no time at all is not in the audio: the model ran on past
        # the end of the buffer ("tomatoes and… my grandmother drew tomatoes" at one instant).
        words = [w for w in hypothesis if w.key and w.end - w.start >= MIN_WORD_S]
        if not self.committed or not words:
            return words
        last = self.committed[-1]
        words = [w for w in words if w.start >= last.end - 0.1 or w.end > last.end + 0.2]
        if words and words[0].start - last.end < self.DEDUP_WINDOW_S:
            tail = [w.key for w in self.committed[-5:]]
            for n in range(min(len(tail), len(words)), 0, -1):
                if tail[-n:] == [w.key for w in words[:n]]:
                    return words[n:]
        return words


SENTENCE_END = (".", "?", "!")


def quietest(envelope: np.ndarray, hop_s: float, lo: float, hi: float) -> tuple[float, float]:
    """The time in [lo, hi] where `envelope` (one loudness value per `hop_s`) is lowest, and
    that loudness: where a cut is least likely to split a word. Ties go to the earliest."""
    a = max(0, int(lo / hop_s))
    b = min(len(envelope), int(np.ceil(hi / hop_s)))
    if b <= a:
        return min(max(lo, 0.0), hi), float("inf")
    i = a + int(np.argmin(envelope[a:b]))
    return min(max((i + 0.5) * hop_s, lo), hi), float(envelope[i])


def quiet_run(envelope: np.ndarray, hop_s: float, t: float, quiet: float) -> tuple[float, float]:
    """The stretch around `t` where the envelope stays at or below `quiet` (start, end)."""
    i = min(max(0, int(t / hop_s)), len(envelope) - 1)
    if len(envelope) == 0 or envelope[i] > quiet:
        return t, t
    a, b = i, i
    while a > 0 and envelope[a - 1] <= quiet:
        a -= 1
    while b + 1 < len(envelope) and envelope[b + 1] <= quiet:
        b += 1
    return a * hop_s, (b + 1) * hop_s


def choose_cut(agreement: Agreement, envelope: np.ndarray, hop_s: float, buffer_start: float,
               decoded_end: float, quiet: float, *, pause_s: float = 0.2, any_gap: bool = False,
               lookback: int = 12) -> float | None:
    """Where the buffer may start now, or None to keep it: the latest gap between committed
    words (or after the last one, before the next word heard) that is a pause (quiet for
    `pause_s`) or ends a sentence and is quiet; with `any_gap`, any quiet gap. A decode
    that starts there begins where a speaker would: the model keeps its accuracy, no word
    is split. The committed words left in the buffer are dropped from the next decode by
    `Agreement.fresh`."""
    words = agreement.committed
    if not words:
        return None
    nxt = agreement.tentative[0].start if agreement.tentative else decoded_end
    gaps = [(len(words) - 1, words[-1].end, nxt)]
    for k in range(len(words) - 2, max(-1, len(words) - 2 - lookback), -1):
        gaps.append((k, words[k].end, words[k + 1].start))
    for k, a, b in gaps:
        lo, hi = max(buffer_start, a - 0.1), min(decoded_end, max(b, a + 0.05))
        if hi <= buffer_start or hi <= lo:
            continue
        t, level = quietest(envelope, hop_s, lo, hi)
        if level > quiet or t <= buffer_start:
            continue
        run_a, run_b = quiet_run(envelope, hop_s, t, quiet)
        if run_b - run_a >= pause_s:  # a pause: cut in its middle
            return min(max((run_a + run_b) / 2, buffer_start + hop_s), max(hi, t))
        if any_gap or words[k].text.rstrip().endswith(SENTENCE_END):
            return t
    return None


def forced_cut(agreement: Agreement, envelope: np.ndarray, hop_s: float, buffer_start: float,
               decoded_end: float) -> float | None:
    """The buffer is too long and no gap is quiet: the quietest point right after the last
    committed word, quiet or not (bounded work at release matters more)."""
    words = agreement.committed
    if not words or words[-1].end <= buffer_start:
        return None
    nxt = agreement.tentative[0].start if agreement.tentative else decoded_end
    lo, hi = max(buffer_start, words[-1].end - 0.1), min(decoded_end, max(nxt, words[-1].end + 0.05))
    if hi <= lo:
        return None
    cut, _level = quietest(envelope, hop_s, lo, hi)
    return cut if cut > buffer_start else None
