"""Transcribes one recording while it is made: decodes the growing buffer as soon as the
speaker stops and, once the speech has gone on for a while, on a steady beat; commits the
words two decodes agree on, and at the end decodes only what is left (often nothing: the
decode at the last pause already covers it).

Threads: `feed` from the audio consumer; decodes finish on the engine's thread; `finish`
and `cancel` from any other thread. Nothing here blocks the audio consumer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from trayassist.core.transcribe.chunker import WINDOW, StreamingVad, room
from trayassist.core.transcribe.decoding import ChunkText, Decoding
from trayassist.core.transcribe.streaming import Agreement, Word, choose_cut, forced_cut

log = logging.getLogger(__name__)

RATE = 16000
HOP = 160  # loudness envelope resolution: 10 ms
# Predictable decodes: one temperature (a fallback decodes up to five times more, and the
# next decode gets another try anyway), loops discouraged. The whole 30 s window, always: an
# encoder cut to the audio's length (whisper.cpp's `audio_ctx`) costs a quarter but hears
# tiny.en badly at the end of a buffer, and two such decodes agree on the same wrong word
# ("Meet me at who" for "noon"; espeak-ng sentences ending 0.1 s after the speech: WER 0.24
# against 0.15, vocabulary names missed 3 of 9 against 1; a 10 s window: 0.27).
LIVE = Decoding(words=True, fallback=False, repetition_penalty=1.2)
# A buffer that ends in a pause (the decode when the speaker stops, and after release unless
# the key went up mid-word) cannot loop on a cut word, and there the penalty only mishears:
# on our own two-sentence buffers the last sentence came back wrong in 6 of 18 with it and
# 2 without (whole-buffer transcription: 2), and "…at the end of the meal" lost its
# repeated "the meal".
SETTLED = Decoding(words=True, fallback=False)


class Decoder(Protocol):
    def transcribe(self, audio: np.ndarray, prompt: str | None = None,
                   decoding: Decoding = ...) -> Future[ChunkText]: ...


@dataclass(frozen=True)
class LiveOptions:
    step_s: float = 0.5  # new audio between two decodes while the speaker goes on
    first_s: float = 1.0  # audio in the buffer before a decode on the beat (shorter is guesswork)
    # Speech in the recording before decodes on the beat start. A command is over by then: a
    # decode on the beat would still be running when the speaker stops, and the decode that
    # hears the end would wait behind it (1–2 s commands: 1.4× whole-buffer on a slow CPU).
    beat_after_s: float = 2.5
    settle_s: float = 0.1  # non-speech after speech that triggers a decode at once
    again_s: float = 0.35  # ... and again after this much, if the words stopped this far short
    duty: float = 0.6  # share of wall time decodes may take while the key is held
    # The buffer starts again at pauses and sentence ends; past clause_s also after a comma,
    # past word_s after any word, past max_buffer_s wherever (older words are then
    # committed on one decode's say-so): bounded work at release, whatever the speaker does.
    clause_s: float = 4.0
    word_s: float = 10.0
    max_buffer_s: float = 14.0
    pause_s: float = 0.25  # VAD silence that counts as a pause
    keep_s: float = 2.0  # ... all but the last keep_s of the buffer
    quiet: float = 0.1  # a cut needs loudness below this share of the speech's loudness
    margin_s: float = 1.0  # a word is committed only if the decode heard this much after it
    lead_s: float = 0.0  # silence put before each decode's audio
    # Committed text given to the model as what came before: none. With 200 characters each
    # tiny.en decode cost 30–70 % more (why is not known: not in step with its length) and
    # heard worse; buffers start at sentence ends anyway. Real-time speech on a slow 2-core CPU, 6 runs each:
    # release -> text p50 2.4 -> 0.87 s continuous and 2.1 -> 0.79 s paused; streamed WER
    # +0.019 -> +0.002 and -0.017 -> -0.009 against whole-buffer. 18 buffers decoded alone:
    # WER 0.093 (200), 0.114 (50), 0.077 (none).
    prompt_chars: int = 0
    # Decodes may also hear the stretch before the buffer, back to the previous place a
    # speaker would start (a pause or a sentence end, with a second of speech after it) when
    # that is at most context_s earlier; its words are committed already and dropped from the
    # decode again. Heard better, but slower, so off. Real-time speech on 36 new sentences
    # (4 runs each, whole buffer 0.12): streamed WER 0.194 -> 0.167 continuous and 0.190 ->
    # 0.154 paused, release -> text p50 0.42 -> 0.77 s and 0.41 -> 0.67 s (longer decodes: one
    # on the beat is more often in flight when the speaker stops, and the end is decoded
    # after release). Heard only by decodes at a pause, or by all but the one after release:
    # p50 0.52-0.69 s. Each decode finishing before the next block (no clock): WER 0.202 ->
    # 0.170 paused. The gain is the audio, and so is the cost: each sentence decoded alone
    # 0.233, after the sentence before it 0.158, with that sentence's text also forced as the
    # decoder's prefix 0.156 at the same decode time (the encoder's 30 s window is 0.35-0.5 s
    # of every decode; each second of audio adds about 0.04 s). Heard only by the decode after
    # release, a late source's last sentence came back right in 15 and 11 of 20 and 16 own
    # captures, against 18 and 11 without.
    context_s: float = 0.0
    min_speech_s: float = 0.1  # VAD speech in the buffer before it is worth a decode
    threshold: float = 0.5  # VAD: speech starts above this probability
    neg_threshold: float = 0.35  # ... and ends below this one (hysteresis)


CONTEXT_S = 6.0  # the context the user's "hear the sentence before" setting turns on


def live_options(context: bool) -> LiveOptions:
    """The loop's settings: the defaults, with the sentence before heard when asked for."""
    return LiveOptions(context_s=CONTEXT_S if context else 0.0)


@dataclass(frozen=True)
class LiveResult:
    text: str
    decodes: int  # decodes that finished, the last one included
    decoded_at_end: bool  # a decode ran after finish(); False: one made while held covered the end
    error: str | None = None
    waited_s: float = 0.0  # finish() waited this long for a decode made while held
    final_audio_s: float = 0.0  # audio the decode after finish() heard


@dataclass
class _Job:
    start: int  # samples, from the start of the recording
    end: int
    last: bool
    future: Future[ChunkText]
    started: float


class LiveTranscriber:
    def __init__(self, engine: Decoder, vad: StreamingVad, options: LiveOptions | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 on_partial: Callable[[str, str], None] | None = None) -> None:
        self.engine = engine
        self.vad = vad
        self.o = options or LiveOptions()
        self._clock = clock
        self._on_partial = on_partial  # (committed, tentative): user text, never logged
        self._lock = threading.RLock()
        self._done = threading.Event()
        self.agreement = Agreement(self.o.prompt_chars)
        vad.reset()
        self._buf = np.zeros(RATE * 30, dtype=np.float32)
        self._n = 0
        self._env = np.zeros(3000, dtype=np.float32)
        self._env_n = 0
        self._speech: list[int] = [0]  # prefix counts of speech windows
        self._triggered = False
        self._silence_run = 0  # windows
        self._pauses: list[tuple[int, int]] = []  # silences between speech (window indices)
        self._speech_end = 0  # sample after the last speech window
        self._start = 0  # the buffer still to decode starts here (samples)
        self._context = 0  # decodes hear the audio from here: _start, or a clean start before it
        self._clean = [0]  # recent buffer starts where a speaker would start (samples)
        self._last_end = 0  # end of the last decode submitted
        self._last: _Job | None = None  # the last decode that finished
        self._inflight: _Job | None = None
        self._rest_until = 0.0
        self._finishing = False
        self._cancelled = False
        self._decoded_at_end = False
        self._finish_called = 0.0
        self._waited = 0.0
        self._final_audio = 0.0
        self._decodes = 0
        self._error: str | None = None

    # ---- what the session reads (audio consumer thread) ------------------------------
    @property
    def samples(self) -> int:
        return self._n

    @property
    def speech_s(self) -> float:
        return self._speech[-1] * WINDOW / RATE

    @property
    def trailing_silence_s(self) -> float:
        return self._silence_run * WINDOW / RATE

    def audio(self) -> np.ndarray:
        return self._buf[: self._n].copy()

    # ---- audio in ----------------------------------------------------------------------
    def feed(self, audio: np.ndarray) -> None:
        with self._lock:
            if self._finishing or self._cancelled:
                return
            self._append(audio)
            for p in self.vad.feed(audio):
                self._window(float(p))
            self._maybe_decode()

    def _append(self, audio: np.ndarray) -> None:
        need = self._n + len(audio)
        self._buf = room(self._buf, self._n, need)
        self._buf[self._n:need] = audio
        self._n = need
        hops = self._n // HOP
        self._env = room(self._env, self._env_n, hops)
        if hops > self._env_n:
            frames = self._buf[self._env_n * HOP: hops * HOP].reshape(-1, HOP)
            self._env[self._env_n: hops] = np.sqrt(np.mean(frames * frames, axis=1))
            self._env_n = hops

    def _window(self, p: float) -> None:
        if p >= self.o.threshold:
            self._triggered = True
        elif p < self.o.neg_threshold:
            self._triggered = False
        self._speech.append(self._speech[-1] + int(self._triggered))
        if self._triggered:
            if self._silence_run:
                n = len(self._speech) - 1  # windows so far, this one included
                self._pauses.append((n - 1 - self._silence_run, n - 1))
            self._silence_run = 0
            self._speech_end = (len(self._speech) - 1) * WINDOW
        else:
            self._silence_run += 1

    @property
    def _settled(self) -> bool:
        """The speech stopped at least settle_s ago: the buffer now ends in a pause."""
        return self._silence_run * WINDOW >= int(self.o.settle_s * RATE)

    def _speech_between(self, a: int, b: int) -> float:
        wa, wb = max(0, a // WINDOW), min(len(self._speech) - 1, -(-b // WINDOW))
        return (self._speech[wb] - self._speech[wa]) * WINDOW / RATE if wb > wa else 0.0

    # ---- decoding while held -----------------------------------------------------------
    def _maybe_decode(self) -> None:
        if self._inflight is not None or self._finishing or self._cancelled or self._error:
            return
        end = self._n
        if self._speech_between(self._start, end) < self.o.min_speech_s:
            return
        settle = int(self.o.settle_s * RATE)
        silence = self._silence_run * WINDOW
        stopped = self._settled and (
            self._last_end < self._speech_end + settle
            # Once more with a longer silence after the speech when the last decode's words
            # stop short of it: the model dropped the last words of a short buffer.
            or (silence >= self.o.again_s * RATE and self._last_end < self._speech_end + self.o.again_s * RATE
                and not self._reaches_speech_end()))
        # On the beat only while new speech comes in: decoding a pause again and again only
        # gives the model chances to invent words in it (and two inventions agree).
        # And not in a silence, nor in a command: it may be the end, whose decode should not
        # wait behind this one.
        due = (end - self._last_end >= self.o.step_s * RATE and end - self._start >= self.o.first_s * RATE
               and self.speech_s >= self.o.beat_after_s and self._silence_run == 0
               and self._speech_between(self._last_end, end) > 0 and self._clock() >= self._rest_until)
        if stopped or due:
            self._submit(end, last=False)

    def _submit(self, end: int, last: bool) -> None:
        start = self._context
        lead = int(self.o.lead_s * RATE)
        audio = np.concatenate([np.zeros(lead, dtype=np.float32), self._buf[start:end]])
        self._last_end = end
        future = self.engine.transcribe(audio, self.agreement.prompt(before=start / RATE),
                                        SETTLED if self._settled else LIVE)
        job = _Job(start, end, last, future, self._clock())
        self._inflight = job
        future.add_done_callback(lambda _f: self._finished(job))

    def _finished(self, job: _Job) -> None:
        partial: tuple[str, str] | None = None
        with self._lock:
            if self._inflight is job:
                self._inflight = None
            if not job.last:
                took = self._clock() - job.started
                self._rest_until = self._clock() + took * (1 - self.o.duty) / self.o.duty
            if self._cancelled:
                return
            try:
                result = job.future.result()
            except CancelledError:
                result = None
            except Exception as exc:
                self._error = _one_line(exc)
                result = None
            if result is not None:
                self._decodes += 1
                offset = job.start / RATE - self.o.lead_s
                words = self._heard([w.shifted(offset) for w in result.words])
                if job.last:
                    self.agreement.finish(words, job.start / RATE)
                else:
                    self.agreement.update(words, job.start / RATE, until=job.end / RATE - self.o.margin_s)
                    self._last = job
                    self._trim(job)
            if job.last:
                self._done.set()
            elif self._finishing:
                self._finalize()
            else:
                self._maybe_decode()
                partial = (self.agreement.text, self.agreement.pending)
        if partial is not None and self._on_partial is not None:
            try:
                self._on_partial(*partial)
            except Exception:
                log.exception("partial text listener failed")

    def _heard(self, words: list[Word]) -> list[Word]:
        """Words said where the VAD heard no speech at all are the model's invention
        ("…cost $12. Others." in the pause after a sentence). Judged on the whole word: the
        aligner stretches the last word before a pause into it, and starts the first one
        after a pause early."""
        near = int(0.05 * RATE)  # the aligner may give a real word no length at all
        return [w for w in words
                if self._speech_between(int(w.start * RATE) - near, int(w.end * RATE) + near) > 0]

    def _trim(self, job: _Job) -> None:
        """Start the buffer after the committed words at a pause or a sentence end; past
        `soft_buffer_s` at any quiet gap, past `max_buffer_s` wherever (bounded work)."""
        ag, o = self.agreement, self.o
        start_s, end_s = self._start / RATE, job.end / RATE
        env = self._env[: self._env_n]
        length = end_s - start_s
        level = 3 if length > o.word_s else 2 if length > o.clause_s else 1
        quiet, pauses = o.quiet * self._speech_level(), self._pauses_between(self._start, job.end)
        cut = choose_cut(ag, env, HOP / RATE, start_s, end_s, quiet, pauses=pauses, level=level)
        # Clean: a pause or a sentence end (what level 1 would choose), not a comma or a word.
        # Only the context needs to know.
        clean = o.context_s > 0 and cut is not None and (level == 1 or choose_cut(
            ag, env, HOP / RATE, start_s, end_s, quiet, pauses=pauses, level=1) == cut)
        if cut is None and length > o.max_buffer_s:
            ag.force(end_s - o.keep_s)
            cut = forced_cut(ag, env, HOP / RATE, start_s, end_s)
        if cut is not None and cut * RATE > self._start:
            self._start = int(cut * RATE)
            ag.reopen(cut)
            earliest = self._start - int(o.context_s * RATE)
            self._clean = [c for c in self._clean if earliest <= c < self._start]
            # Not a start a few words back, nor one earlier in the same pause: a second of speech.
            self._context = max((c for c in self._clean if self._speech_between(c, self._start) >= 1.0),
                                default=self._start)
            if clean:
                self._clean.append(self._start)

    def _pauses_between(self, a: int, b: int) -> list[tuple[float, float]]:
        """VAD silences of at least pause_s between samples a and b, in seconds."""
        need = int(self.o.pause_s * RATE / WINDOW)
        out: list[tuple[float, float]] = []
        for start, end in self._pauses + [(len(self._speech) - 1 - self._silence_run, len(self._speech) - 1)]:
            s, e = start * WINDOW, end * WINDOW
            if end - start >= need and e > a and s < b:
                out.append((s / RATE, e / RATE))
        return out

    def _reaches_speech_end(self) -> bool:
        """Whether the words heard so far reach the end of the speech the VAD heard."""
        ag = self.agreement
        heard = ag.tentative or ag.committed
        ends = heard[-1].end if heard else 0.0
        return ends * RATE >= self._speech_end - self.o.again_s * RATE

    def _speech_level(self) -> float:
        """Loudness of speech in this recording (the 90th percentile of the envelope)."""
        env = self._env[: self._env_n]
        return float(np.percentile(env, 90)) if len(env) else 0.0

    # ---- the end -------------------------------------------------------------------------
    def finish(self, timeout: float = 120.0) -> LiveResult:
        """All audio is in: decode what is left and return the whole text."""
        with self._lock:
            self._finishing = True
            self._finish_called = self._clock()
            if self._inflight is None:
                self._finalize()
        done = self._done.wait(timeout)
        with self._lock:
            return LiveResult(self.agreement.text, self._decodes, self._decoded_at_end,
                              self._error if done else "transcription took too long",
                              self._waited, self._final_audio)

    def _finalize(self) -> None:
        # Lock held, nothing in flight.
        self._waited = self._clock() - self._finish_called
        end = self._n
        last = self._last
        pad = int(self.o.settle_s * RATE)
        if self._speech_between(self._start, end) < self.o.min_speech_s and not self.agreement.tentative:
            self._done.set()  # nothing left but silence
        elif (last is not None and self._error is None and last.end >= min(end, self._speech_end + pad)
              and self._reaches_speech_end()):
            self.agreement.finish()  # the decode at the last pause heard everything
            self._done.set()
        else:
            self._decoded_at_end = True
            self._final_audio = (end - self._context) / RATE
            self._submit(end, last=True)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            job = self._inflight
        if job is not None:
            job.future.cancel()
        self._done.set()


def _one_line(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()
    return s[0] if s else type(exc).__name__
