"""Which words of a growing recording are final, and where the audio left to decode starts.

LocalAgreement (Macháček et al. 2023, whisper_streaming): the growing buffer is decoded
again and again; a word is committed once two successive decodes agree on it and on every
word before it. The buffer then starts at a quiet point after the last committed word,
where a speaker would start (a sentence end, a pause), so each decode stays short and
starts where the model does best. The committed text can be the decoder's prompt
(`prompt_chars`); the live loop gives none, which tiny.en decodes faster and hears better
(see LiveOptions). Pure: no model, no threads, no audio device.
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

    Feed each decode's words (utterance times, and where its audio started) to `update`;
    the last decode of the recording goes to `finish`, which commits all of it. A decode
    hears the committed words still in the buffer again: `fresh` finds where they end in
    it by their words, and only where they cannot be found, by time.
    """

    DEDUP_WINDOW_S = 0.5  # a repeat of the committed tail this close to it is the same words
    MATCH_WINDOW_S = 1.0  # committed words heard again are looked for this close to their time

    def __init__(self, prompt_chars: int = 200) -> None:
        self.committed: list[Word] = []
        self.tentative: list[Word] = []
        self.prompt_chars = prompt_chars
        self._until = float("inf")  # the previous decode's `until`

    @property
    def text(self) -> str:
        return join(self.committed)

    @property
    def pending(self) -> str:
        return join(self.tentative)

    @property
    def committed_end(self) -> float:
        return self.committed[-1].end if self.committed else 0.0

    def prompt(self, before: float = float("inf")) -> str | None:
        """The end of the committed text before `before` (where the decoded audio starts),
        cut at a word boundary: the decoder's context. Never words the audio holds too: the
        model takes the prompt as said already and skips them ("…afternoon, could you" +
        "could you send the…" came back as "send the…")."""
        text = join([w for w in self.committed if w.end <= before + 0.05])
        if self.prompt_chars <= 0:
            return None
        start = len(text) - self.prompt_chars
        if start > 0:
            if text[start - 1] != " ":  # inside a word: start at the next one
                start = text.find(" ", start) + 1 or start
            text = text[start:]
        return text or None

    def update(self, hypothesis: Sequence[Word], start: float = 0.0,
               until: float = float("inf")) -> list[Word]:
        """A new decode of the buffer from `start`: commit the prefix it shares with the
        previous one, up to the words that end by `until` in both (each decode heard some
        audio after them: two guesses at the last word of a short buffer often agree on
        the same wrong word, "We're flooded" for "The river flooded")."""
        fresh = self.fresh(hypothesis, start)
        limit = min(until, self._until)
        n = 0
        while (n < len(fresh) and n < len(self.tentative)
               and fresh[n].key == self.tentative[n].key and fresh[n].end <= limit):
            n += 1
        agreed = fresh[:n]  # the newer decode's spelling and times: it heard more context
        self.committed += agreed
        self.tentative = fresh[n:]
        self._until = until
        return agreed

    def finish(self, hypothesis: Sequence[Word] | None = None, start: float = 0.0) -> list[Word]:
        """The last decode (or, with None, the last one already seen): commit all of it."""
        fresh = self.fresh(hypothesis, start) if hypothesis is not None else self.tentative
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

    def reopen(self, cut: float) -> list[Word]:
        """The buffer now starts at `cut`, before some committed words: they go back to
        tentative, to be heard again from the new start (where the model does best: at the
        start of a sentence) and agreed on again."""
        n = len(self.committed)
        while n > 0 and self.committed[n - 1].start >= cut - 0.05:
            n -= 1
        back, self.committed = self.committed[n:], self.committed[:n]
        self.tentative = back + self.tentative
        return back

    def fresh(self, hypothesis: Sequence[Word], start: float = 0.0) -> list[Word]:
        """The words of a decode from `start` that are not committed yet.

        Runs of words the aligner put at one instant are dropped (the model ran on past
        the end of the audio: "tomatoes and… my grandmother drew tomatoes"); a single word
        without length is real ("at the end@6.06-6.06 of the summer"). Committed words inside the
        decoded audio are heard again: the hypothesis is cut after the best match of the
        last committed words near their time; failing that, after the last committed
        word's end by each word's middle (tiny's word times overlap by a word's length, so
        a start-time rule drops real words). With nothing committed inside the audio, a
        repeat of the committed tail at the very start is a sliver of the last word before
        the cut, or the model re-reading its prompt."""
        words = _without_instant_runs([w for w in hypothesis if w.key])
        if not self.committed or not words:
            return words
        last = self.committed[-1]
        heard = [w.key for w in self.committed if w.end > start + 0.05]
        if heard:
            for n in range(min(3, len(heard)), 0, -1):
                tail = heard[-n:]
                matches = [i for i in range(len(words) - n + 1)
                           if [w.key for w in words[i:i + n]] == tail
                           and abs(words[i + n - 1].end - last.end) < self.MATCH_WINDOW_S]
                if matches:
                    i = min(matches, key=lambda j: abs(words[j + n - 1].end - last.end))
                    return words[i + n:]
            return [w for w in words if (w.start + w.end) / 2 > last.end]
        if words[0].start - last.end < self.DEDUP_WINDOW_S:
            tail = [w.key for w in self.committed[-5:]]
            for n in range(min(len(tail), len(words)), 0, -1):
                if tail[-n:] == [w.key for w in words[:n]]:
                    return words[n:]
        return words


def _without_instant_runs(words: list[Word]) -> list[Word]:
    def instant(i: int) -> bool:
        return 0 <= i < len(words) and words[i].end - words[i].start < MIN_WORD_S

    return [w for i, w in enumerate(words) if not (instant(i) and (instant(i - 1) or instant(i + 1)))]


SENTENCE_END = (".", "?", "!")
CLAUSE_END = (",", ";", ":")
MIN_GAP_S = 0.06  # silence a sentence or clause cut needs (espeak-ng leaves 0.1 s and more)
MIN_ADVANCE_S = 0.25  # a new cut must move the buffer start at least this far


def quietest(envelope: np.ndarray, hop_s: float, lo: float, hi: float) -> tuple[float, float]:
    """The time in [lo, hi] where `envelope` (one loudness value per `hop_s`) is lowest, and
    that loudness: where a cut is least likely to split a word. Ties go to the earliest."""
    a = max(0, int(lo / hop_s))
    b = min(len(envelope), int(np.ceil(hi / hop_s)))
    if b <= a:
        return min(max(lo, 0.0), hi), float("inf")
    i = a + int(np.argmin(envelope[a:b]))
    return min(max((i + 0.5) * hop_s, lo), hi), float(envelope[i])


def choose_cut(agreement: Agreement, envelope: np.ndarray, hop_s: float, buffer_start: float,
               decoded_end: float, quiet: float, *, pauses: Sequence[tuple[float, float]] = (),
               level: int = 1, lookback: int = 12) -> float | None:
    """Where the buffer may start now, or None to keep it: the latest gap between committed
    words (or after the last one, before the next word heard) that lies in a pause (VAD
    silence, `pauses`), or that is quiet (envelope <= `quiet`) and follows the end of a
    sentence; at `level` 2 also a clause (a comma), at 3 any word. Decodes must start where
    a speaker would: one that starts half a second into the previous sentence loses a tenth
    of the words (continuous espeak-ng speech, tests/bench), one that starts at the
    sentence matches whole-buffer transcription. The committed words left in the buffer are
    dropped from the next decode by `Agreement.fresh`."""
    words = agreement.committed
    if not words:
        return None
    nxt = agreement.tentative[0].start if agreement.tentative else decoded_end
    gaps = [(len(words) - 1, words[-1].end, nxt)]
    for k in range(len(words) - 2, max(-1, len(words) - 2 - lookback), -1):
        gaps.append((k, words[k].end, words[k + 1].start))
    quietest_gap: tuple[float, float] | None = None  # (loudness, time) of any word gap
    earliest = buffer_start + MIN_ADVANCE_S  # not the same gap again, 10 ms further
    for k, a, b in gaps:
        lo, hi = max(buffer_start, a - 0.1), min(decoded_end, max(b, a + 0.05))
        if hi <= earliest or hi <= lo:
            continue
        for pa, pb in pauses:
            if pa < hi and pb > lo:  # a pause: cut in its middle
                cut = min(max((max(pa, lo) + min(pb, hi)) / 2, lo), hi)
                if cut > earliest:
                    return cut
        t, loudness = quietest(envelope, hop_s, max(buffer_start, a - 0.25), hi)
        if loudness > quiet or t <= earliest:
            continue
        # A gap a speaker leaves between sentences or clauses is silent for a while; a weak
        # consonant inside a word is quiet for a few milliseconds.
        # (Bounded by the audio, not by the next word's start: the model puts that early.)
        gap_a, gap_b = _quiet_span(envelope, hop_s, t, quiet, buffer_start, decoded_end)
        qa, qb = _quiet_span(envelope, hop_s, t, max(2 * loudness, 1e-4), buffer_start, decoded_end)
        t = (qa + qb) / 2  # the middle of the gap: room on both sides ("Could" lost its "C" at the edge)
        text = words[k].text.rstrip()
        if gap_b - gap_a >= MIN_GAP_S and (
                text.endswith(SENTENCE_END) or (level >= 2 and text.endswith(CLAUSE_END))):
            return t
        if quietest_gap is None or loudness < quietest_gap[0]:
            quietest_gap = (loudness, t)
    # Between any two words: where the speaker drew breath, if anywhere.
    return quietest_gap[1] if level >= 3 and quietest_gap is not None else None


def _quiet_span(envelope: np.ndarray, hop_s: float, t: float, level: float,
                lo: float, hi: float) -> tuple[float, float]:
    """The stretch around `t`, within [lo, hi], where the envelope stays at or below `level`."""
    i = min(max(0, int(t / hop_s)), len(envelope) - 1)
    a = b = i
    while a > 0 and envelope[a - 1] <= level and (a - 1) * hop_s > lo:
        a -= 1
    while b + 1 < len(envelope) and envelope[b + 1] <= level and (b + 1) * hop_s < hi:
        b += 1
    return a * hop_s, (b + 1) * hop_s


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
