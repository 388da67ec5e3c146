"""When the live loop decodes while the key is held, on a scripted VAD and decoder: a short
command gets one decode, at its end, with nothing in front of it; long speech gets decodes on
the beat once it has gone on past `beat_after_s`."""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np
import pytest

from trayassist.core.transcribe.chunker import WINDOW
from trayassist.core.transcribe.decoding import WHOLE, ChunkText, Decoding
from trayassist.core.transcribe.live import RATE, LiveOptions, LiveTranscriber
from trayassist.core.transcribe.streaming import Word

pytestmark = pytest.mark.unit

BLOCK = 1600  # 0.1 s, as the recorder delivers it


class LoudnessVad:
    """Speech wherever the audio is loud: one probability per 32 ms window."""

    def __init__(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, audio: np.ndarray) -> np.ndarray:
        data = np.concatenate([self._pending, audio])
        n = len(data) // WINDOW
        self._pending = data[n * WINDOW:]
        frames = data[: n * WINDOW].reshape(n, WINDOW)
        loud: np.ndarray = np.abs(frames).max(axis=1) > 0.05
        return loud.astype(np.float32)


class HeldDecoder:
    """Records what is asked; decodes finish only when the test says so."""

    def __init__(self) -> None:
        self.asked: list[tuple[float, Future[ChunkText]]] = []  # (audio seconds, future)
        self.how: list[Decoding] = []

    def transcribe(self, audio: np.ndarray, prompt: str | None = None,
                   decoding: Decoding = WHOLE) -> Future[ChunkText]:
        f: Future[ChunkText] = Future()
        self.asked.append((len(audio) / RATE, f))
        self.how.append(decoding)
        return f

    def answer(self, i: int, audio_s: float) -> None:
        words = tuple(Word(t, t + 0.3, f" w{k}") for k, t in enumerate(np.arange(0.1, audio_s - 0.2, 0.4)))
        self.asked[i][1].set_result(ChunkText("".join(w.text for w in words), audio_s, 0.1, (), words))


def speech(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def feed(live: LiveTranscriber, audio: np.ndarray, now: list[float]) -> None:
    for i in range(0, len(audio), BLOCK):
        block = audio[i: i + BLOCK]
        now[0] += len(block) / RATE
        live.feed(block)


def make() -> tuple[LiveTranscriber, HeldDecoder, list[float]]:
    now = [0.0]
    decoder = HeldDecoder()
    return LiveTranscriber(decoder, LoudnessVad(), clock=lambda: now[0]), decoder, now  # type: ignore[arg-type]


def test_a_short_command_is_decoded_once_when_the_speaker_stops_not_while_speaking() -> None:
    live, decoder, now = make()
    feed(live, silence(0.2), now)
    feed(live, speech(1.6), now)
    assert decoder.asked == []  # the default 1 s buffer alone would have started one at 1.0 s
    feed(live, silence(0.2), now)
    assert len(decoder.asked) == 1  # the decode that hears the end starts at once
    assert decoder.asked[0][0] == pytest.approx(2.0, abs=0.11)


def test_long_speech_is_decoded_on_the_beat_once_it_passes_beat_after_s() -> None:
    live, decoder, now = make()
    feed(live, silence(0.2), now)
    feed(live, speech(live.o.beat_after_s - 0.2), now)
    assert decoder.asked == []
    feed(live, speech(0.4), now)
    assert len(decoder.asked) == 1
    heard = decoder.asked[0][0]
    assert live.o.beat_after_s <= heard <= live.o.beat_after_s + 0.4
    decoder.answer(0, heard)
    now[0] += 10  # past the duty cycle's rest
    feed(live, speech(live.o.step_s + 0.1), now)
    assert len(decoder.asked) == 2  # and on the beat from then on


def test_only_a_buffer_that_ends_in_a_pause_is_decoded_without_the_repetition_penalty() -> None:
    """A buffer cut inside a word can send the decoder into a loop, which the penalty stops;
    one that ends in a pause cannot, and there the penalty only mishears."""
    live, decoder, now = make()
    feed(live, silence(0.2), now)
    feed(live, speech(live.o.beat_after_s + 0.2), now)
    assert len(decoder.asked) == 1 and decoder.how[0].repetition_penalty > 1  # on the beat, mid-speech
    decoder.answer(0, decoder.asked[0][0])
    now[0] += 10
    feed(live, silence(0.2), now)
    assert len(decoder.asked) == 2 and decoder.how[1].repetition_penalty == 1.0  # the speaker stopped


@pytest.mark.parametrize("released_in", ["a pause", "a word"])
def test_the_decode_after_release_has_the_penalty_only_when_the_key_went_up_mid_word(released_in: str) -> None:
    import threading

    live, decoder, now = make()
    feed(live, silence(0.2), now)
    feed(live, speech(1.0), now)
    if released_in == "a pause":
        feed(live, silence(0.2), now)
        assert len(decoder.asked) == 1
        # The model heard nothing in it: the end is decoded again after release.
        decoder.asked[0][1].set_result(ChunkText("", decoder.asked[0][0], 0.1))
    before = len(decoder.asked)
    done = threading.Thread(target=live.finish)
    done.start()
    for _ in range(500):
        if len(decoder.asked) > before:
            break
        done.join(0.01)
    assert len(decoder.asked) == before + 1
    penalty = decoder.how[-1].repetition_penalty
    assert penalty == 1.0 if released_in == "a pause" else penalty > 1
    decoder.answer(before, decoder.asked[before][0])
    done.join(5)
    assert not done.is_alive()


class AnsweringDecoder(HeldDecoder):
    """Answers every decode at once, one word per 0.4 s of the audio it was given."""

    def transcribe(self, audio: np.ndarray, prompt: str | None = None,
                   decoding: Decoding = WHOLE) -> Future[ChunkText]:
        f = super().transcribe(audio, prompt, decoding)
        self.answer(len(self.asked) - 1, len(audio) / RATE)
        return f


def run_two_sentences(first_s: float, context_s: float) -> tuple[LiveTranscriber, AnsweringDecoder, float]:
    """Speech, a 0.8 s pause, 2.5 s more speech and a short silence; returns the loop, the
    decoder and where the pause's middle is (seconds)."""
    now = [0.0]
    decoder = AnsweringDecoder()
    live = LiveTranscriber(decoder, LoudnessVad(), LiveOptions(context_s=context_s),  # type: ignore[arg-type]
                           clock=lambda: now[0])
    feed(live, silence(0.2), now)
    feed(live, speech(first_s), now)
    feed(live, silence(0.8), now)
    feed(live, speech(2.5), now)
    feed(live, silence(0.2), now)
    return live, decoder, 0.2 + first_s + 0.4


@pytest.mark.parametrize("context_s", [0.0, 6.0])
def test_after_a_cut_at_a_pause_decodes_hear_the_sentence_before_it_only_with_context(context_s: float) -> None:
    """The buffer starts at the pause either way; with context_s the decoded audio starts at
    the clean start before it (even after a second cut in the same pause), without it at the
    pause. No word is committed twice."""
    live, decoder, pause = run_two_sentences(3.0, context_s)
    total = 0.2 + 3.0 + 0.8 + 2.5 + 0.2
    assert live._start / RATE == pytest.approx(pause, abs=0.45), "the buffer should start in the pause"
    heard = decoder.asked[-1][0]
    if context_s:
        assert heard == pytest.approx(total, abs=0.11)  # from the recording's start
    else:
        assert heard == pytest.approx(total - live._start / RATE, abs=0.11)
    result = live.finish(timeout=5)
    assert result.error is None
    committed = live.agreement.committed
    for a, b in zip(committed, committed[1:], strict=False):
        assert b.start >= a.end - 0.05, f"{a} and {b}: a word committed twice"
    assert any(w.end < 3.2 for w in committed) and any(w.start > 4.0 for w in committed), committed


def test_a_sentence_before_the_buffer_longer_than_context_s_is_not_heard_again() -> None:
    live, decoder, pause = run_two_sentences(7.0, 6.0)
    assert live._start / RATE == pytest.approx(pause, abs=0.45)
    assert decoder.asked[-1][0] == pytest.approx(0.2 + 7.0 + 0.8 + 2.5 + 0.2 - live._start / RATE, abs=0.11)
