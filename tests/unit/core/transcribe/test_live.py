"""The live loop on the real model: tiny.en hears espeak-ng speech (the six test sentences,
0.1 s apart as fluent dictation is, and 0.8 s apart) fed block by block while "the key is
held", with every call the loop makes on its `Agreement` recorded. The clock follows the
audio and each decode finishes before the next block, so a run is the same on a fast or a
loaded machine; what is checked is the commit policy at the cuts, not speed."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support import pulse
from tests.support.speech import word_error_rate, words
from tests.unit.core.transcribe.conftest import SENTENCES, read_wav
from trayassist.core.transcribe.chunker import StreamingVad
from trayassist.core.transcribe.decoding import WHOLE, ChunkText, Decoding
from trayassist.core.transcribe.live import RATE, LiveResult, LiveTranscriber
from trayassist.core.transcribe.streaming import Agreement, Word

pytestmark = pytest.mark.unit

DISTINCT = ("sister", "calculator", "meeting", "library", "favourite", "timer")  # once per sentence
BLOCK = 1600  # 0.1 s, as the recorder delivers it
GAPS = {"continuous": 0.1, "paused": 0.8}


class RecordingAgreement(Agreement):
    """The real policy, with its calls written down in order."""

    def __init__(self, prompt_chars: int) -> None:
        super().__init__(prompt_chars)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.after: list[list[str]] = []  # committed keys after each call

    def _note(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        self.after.append([w.key for w in self.committed])

    def update(self, hypothesis: Any, start: float = 0.0, until: float = float("inf")) -> Any:
        out = super().update(hypothesis, start, until)
        self._note("update", list(hypothesis), start, until)
        return out

    def finish(self, hypothesis: Any = None, start: float = 0.0) -> list[Word]:
        out = super().finish(hypothesis, start)
        self._note("finish", None if hypothesis is None else list(hypothesis), start)
        return out

    def force(self, before: float) -> list[Word]:
        out = super().force(before)
        self._note("force", before)
        return out

    def reopen(self, cut: float) -> list[Word]:
        out = super().reopen(cut)
        self._note("reopen", cut)
        return out


class SettledDecoder:
    """The real engine; `settle()` returns once every decode asked for, and whatever the
    loop did on its result (perhaps asking for the next one), is done."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._cond = threading.Condition()
        self._asked = self._done = 0
        self.heard_s: list[float] = []  # audio length of each decode asked for

    def transcribe(self, audio: np.ndarray, prompt: str | None = None,
                   decoding: Decoding = WHOLE) -> Future[ChunkText]:
        outer: Future[ChunkText] = Future()

        def relay(inner: Future[ChunkText]) -> None:
            try:
                outer.set_result(inner.result())  # runs the loop's callback here
            except Exception as exc:
                outer.set_exception(exc)
            with self._cond:
                self._done += 1
                self._cond.notify_all()

        with self._cond:
            self._asked += 1
            self.heard_s.append(len(audio) / RATE)
        self.engine.transcribe(audio, prompt, decoding).add_done_callback(relay)
        return outer

    def settle(self) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self._done == self._asked, timeout=60), "a decode hung"


class Run:
    def __init__(self, script: str, result: LiveResult, agreement: RecordingAgreement,
                 decoder: SettledDecoder, live: LiveTranscriber) -> None:
        self.script, self.result, self.agreement = script, result, agreement
        self.decoder, self.live = decoder, live


@pytest.fixture(scope="module")
def live_runs(engine: Any, speech_parts: list[Path], speech_dir: Path) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for regime, gap_s in GAPS.items():
        gap = pulse.silence(speech_dir / f"live-gap-{regime}.wav", gap_s)
        seq: list[Path] = []
        for p in speech_parts:
            seq += [p, gap]
        audio = read_wav(pulse.concat(seq, speech_dir / f"live-{regime}.wav"))
        now = [0.0]
        decoder = SettledDecoder(engine)
        live = LiveTranscriber(decoder, StreamingVad(), clock=lambda now=now: now[0])
        agreement = RecordingAgreement(live.o.prompt_chars)
        live.agreement = agreement
        for i in range(0, len(audio), BLOCK):
            block = audio[i: i + BLOCK]
            now[0] += len(block) / RATE
            live.feed(block)
            decoder.settle()
        runs[regime] = Run(" ".join(SENTENCES), live.finish(timeout=60), agreement, decoder, live)
    return runs


@pytest.mark.parametrize("regime", list(GAPS))
def test_the_whole_speech_comes_back_with_no_word_lost_or_doubled_at_a_cut(
        live_runs: dict[str, Run], regime: str) -> None:
    run = live_runs[regime]
    ag = run.agreement
    assert run.result.error is None
    assert run.result.text == ag.text
    assert [c for c, _ in ag.calls].count("reopen") >= 2, "the buffer should have been cut at sentence ends"
    heard = words(ag.text)
    for word in DISTINCT:
        assert heard.count(word) <= 1, f"{word!r} doubled: {ag.text}"
    assert sum(heard.count(w) for w in DISTINCT) >= len(DISTINCT) - 1, ag.text
    for a, b in zip(ag.committed, ag.committed[1:], strict=False):
        assert b.start >= a.start - 0.3, (a, b)  # in the order they were said
        assert not (a.key == b.key and b.start < a.end - 0.05), (a, b)  # the same word twice at one place
    assert word_error_rate(run.script, ag.text) <= 0.25, ag.text


@pytest.mark.parametrize("regime", list(GAPS))
def test_committed_text_only_grows_except_what_a_cut_reopens(live_runs: dict[str, Run], regime: str) -> None:
    ag = live_runs[regime].agreement
    for (name, _args), before, now in zip(ag.calls[1:], ag.after, ag.after[1:], strict=False):
        if name != "reopen":
            assert now[: len(before)] == before, "committed words changed"


@pytest.mark.parametrize("regime", list(GAPS))
def test_the_policy_alone_replays_to_the_same_text(live_runs: dict[str, Run], regime: str) -> None:
    """The policy is a function of the decodes it was given: no hidden state, no clock."""
    ag = live_runs[regime].agreement
    again = Agreement(ag.prompt_chars)
    for name, args in ag.calls:
        getattr(again, name)(*args)
    assert again.text == ag.text


@pytest.mark.parametrize("regime", list(GAPS))
def test_no_decode_hears_more_than_the_bounded_buffer(live_runs: dict[str, Run], regime: str) -> None:
    """Whatever the speaker did, the buffer starts again at sentence ends: no decode (and so
    not the one after release) hears the whole 20 s recording."""
    run = live_runs[regime]
    longest = max(run.decoder.heard_s)
    assert longest <= run.live.o.max_buffer_s + run.live.o.step_s, run.decoder.heard_s
    assert run.result.final_audio_s <= run.live.o.max_buffer_s
