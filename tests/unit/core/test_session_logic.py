"""PushToTalk's state machine on a fake sounddevice and a fake engine: fast, no audio
hardware, no model. (tests/unit/core/test_session.py runs it on the real mic and model.)"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.fake_audio import FakeEngine, FakeSoundDevice, LoudnessVad, quiet, tone
from tests.unit.core.test_controller import FakeOutput
from trayassist.core.audio import MicUnavailable, Recorder
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller
from trayassist.core.events import EventBus, StatusChanged
from trayassist.core.ports import Slot
from trayassist.core.session import PushToTalk
from trayassist.core.status import ProblemKind, State
from trayassist.core.status_text import describe
from trayassist.core.take import AutoStop
from trayassist.core.transcribe.chunker import StreamingVad

pytestmark = pytest.mark.unit


class Rig:
    def __init__(self, signal: np.ndarray | None = None, engine: FakeEngine | None = None, **sd_kw: Any) -> None:
        self.sd = FakeSoundDevice(signal, **sd_kw)
        self.engine = engine or FakeEngine()
        self.states: list[str] = []
        self.streams: list[bool] = []
        self.utterances: list[Any] = []
        self.recorder = Recorder(self.sd, on_stream=self.streams.append)
        self.ptt = PushToTalk(self.recorder, self.engine, vad_factory=lambda: StreamingVad(session=LoudnessVad()),
                              on_state=self.states.append, on_utterance=self.utterances.append)

    def wait_for_audio(self, seconds: float) -> None:
        done = threading.Event()
        while not done.wait(0.01):
            if self.recorder.frames >= seconds * 16000:
                done.set()


def test_press_release_opens_then_closes_the_stream_and_gives_text() -> None:
    rig = Rig(np.concatenate([quiet(0.3), tone(1.5), quiet(2.0)]))
    rig.ptt.press()
    rig.ptt.press()  # key repeat while held: ignored
    assert rig.ptt.mic_open and rig.ptt.state == "listening" and rig.sd.open_streams == 1
    rig.wait_for_audio(2.0)
    utt = rig.ptt.release().result(10)
    assert utt.text.startswith("sound ") and float(utt.text.split()[1]) >= 1.2 and utt.reason == ""
    assert not rig.ptt.mic_open and rig.sd.open_streams == 0
    assert rig.streams == [True, False] and len(rig.sd.streams) == 1
    assert rig.states[0] == "listening" and rig.states[-1] == "idle" and rig.utterances == [utt]


def test_cancel_closes_the_mic_and_keeps_nothing() -> None:
    rig = Rig(tone(3.0))
    rig.ptt.press()
    rig.wait_for_audio(1.0)
    assert rig.ptt.cancel() is True
    assert not rig.ptt.mic_open and rig.streams == [True, False] and rig.ptt.state == "idle"
    assert rig.utterances == [] and rig.ptt.release().result(5) is None  # nothing left to release
    assert rig.ptt.cancel() is False


def test_a_missing_microphone_is_a_microphone_problem() -> None:
    rig = Rig(has_input=False)
    with pytest.raises(MicUnavailable, match="No microphone found"):
        rig.ptt.press()
    assert rig.ptt.state == "error" and rig.streams == []
    assert rig.ptt.problem is not None and rig.ptt.problem.kind is ProblemKind.MICROPHONE
    assert rig.ptt.problem.fix


def test_a_model_that_fails_is_a_model_problem_until_the_next_press() -> None:
    rig = Rig(np.concatenate([tone(1.5), quiet(1.0)]), engine=FakeEngine(fail_load="model.bin is damaged"))
    rig.ptt.press()
    rig.wait_for_audio(2.0)
    utt = rig.ptt.release().result(10)
    assert utt.reason == "error" and "damaged" in (utt.error or "")
    assert rig.ptt.problem is not None and rig.ptt.problem.kind is ProblemKind.MODEL
    rig.engine.fail_load = None
    rig.ptt.press()
    assert rig.ptt.problem is None
    rig.ptt.cancel()


def test_the_status_is_listening_exactly_while_the_stream_is_open(tmp_path: Path) -> None:
    """The icon follows the stream, not the app's intention: never "transcribing" (blue)
    while our stream still runs through the release tail, never red once it closed."""
    rig = Rig(np.concatenate([tone(1.0), quiet(0.2)] * 10), speed=2.0)
    slot: Slot[Any] = Slot(rig.ptt)
    bus = EventBus()
    controller = Controller(bus, SettingsStore(tmp_path / "s.json"), Settings(), session=slot,
                            history=Slot(), assistant=Slot(), output=Slot(FakeOutput()), privacy=Slot())
    rig.ptt._on_state = controller.on_session_state
    rig.recorder._on_stream = lambda _open: controller.on_session_state("stream")
    wrong: list[tuple[State, int]] = []

    def check(event: object) -> None:
        if isinstance(event, StatusChanged):
            streams = rig.sd.open_streams  # the fake's own truth, read as the event arrives
            if (event.status.state is State.LISTENING) != (streams > 0):
                wrong.append((event.status.state, streams))

    bus.subscribe(check)
    for _ in range(5):
        controller.press()
        rig.wait_for_audio(0.6)
        controller.release().result(10)
    assert wrong == []
    assert controller.status().state is State.IDLE and not controller.status().mic_self


def test_a_stream_that_dies_while_recording_is_reported_not_called_silence() -> None:
    rig = Rig(np.concatenate([tone(1.0), quiet(3.0)]))
    problems: list[str] = []
    rig.recorder._on_problem = problems.append
    rig.ptt.press()
    rig.wait_for_audio(0.5)
    rig.sd.streams[-1].die()
    assert not rig.ptt.mic_open  # the real stream state, at once
    utt = rig.ptt.release().result(10)
    assert "stopped while recording" in (utt.error or "") and problems == [utt.error]
    assert rig.streams == [True, False]


class LateRig(Rig):
    """The fake device's clock is the user's: `until(t)` waits until the user has lived
    through `t` seconds of the signal, whatever the device delivered by then."""

    def until(self, device_s: float) -> None:
        stream = self.sd.streams[-1]
        done = threading.Event()
        while not done.wait(0.01):
            if stream.time - stream.EPOCH >= device_s:
                done.set()


def sounds(text: str) -> list[float]:
    """The fake engine's words: "sound 1.0 sound 0.5" → [1.0, 0.5]."""
    parts = text.split()
    return [float(parts[i + 1]) for i in range(0, len(parts) - 1, 2) if parts[i] == "sound"]


# A sentence, a pause, the last sentence, and the key goes up 0.3 s after it. At that
# moment each device below has delivered audio only up to the pause: what arrived is quiet.
PAUSED = np.concatenate([quiet(0.2), tone(1.0), quiet(1.5), tone(1.0), quiet(3.0)])
RELEASE_AT = 4.0


@pytest.mark.parametrize("device", [
    {"latency_s": 1.5},  # every block 1.5 s late, with PortAudio's capture times (Bluetooth)
    {"burst_s": 2.2},  # 2.2 s of audio at a time (a PulseAudio source with a large fragment)
    {"burst_s": 2.2, "times": False},  # ... and no capture times: frames are counted
], ids=["late", "bursts", "bursts-no-times"])
def test_a_late_device_delays_the_text_but_never_cuts_the_last_words(device: dict[str, Any]) -> None:
    rig = LateRig(PAUSED, speed=2.0, **device)
    rig.ptt.press()
    rig.until(RELEASE_AT)
    utt = rig.ptt.release().result(20)
    assert [round(s) for s in sounds(utt.text)] == [1, 1], utt.text
    assert utt.timings["captured_s"] >= RELEASE_AT - 0.1
    assert not rig.ptt.mic_open


def test_audio_after_the_release_is_not_the_users() -> None:
    # Delivered in bursts, the audio of the release instant comes with what followed it
    # (someone else talking): the take keeps only up to the release and its short tail.
    signal = np.concatenate([quiet(0.2), tone(1.0), quiet(0.8), tone(1.5), quiet(2.0)])
    rig = LateRig(signal, speed=2.0, burst_s=2.0)
    rig.ptt.press()
    rig.until(1.6)
    utt = rig.ptt.release().result(20)
    assert [round(s) for s in sounds(utt.text)] == [1], utt.text
    assert utt.timings["captured_s"] < 2.2


def test_a_device_that_stops_delivering_at_release_does_not_hang_the_release() -> None:
    rig = LateRig(np.concatenate([tone(1.0), quiet(1.0)]), speed=2.0, latency_s=60.0)
    rig.ptt.late_delivery_s = 0.5
    rig.ptt.press()
    rig.until(1.5)
    utt = rig.ptt.release().result(20)
    assert utt.text == "" and utt.reason == "no_speech" and not rig.ptt.mic_open


def test_a_hands_free_take_asks_to_stop_after_a_silence() -> None:
    stops: list[tuple[str, int]] = []
    rig = Rig(np.concatenate([tone(1.0), quiet(6.0)]))
    rig.ptt._on_auto_stop = lambda why, take: stops.append((why, take))
    rig.ptt.auto_stop = AutoStop(silence_s=2.0, max_s=60.0)
    rig.ptt.press(hands_free=True)
    rig.wait_for_audio(4.0)
    assert stops == [("Stopped listening after 2 s of silence.", rig.ptt.take_number)]
    assert rig.ptt.listening and rig.ptt.still_listening(stops[0][1])  # the listener releases
    utt = rig.ptt.release().result(10)
    assert [round(s) for s in sounds(utt.text)] == [1]
    assert not rig.ptt.still_listening(stops[0][1])


def test_a_hands_free_take_asks_to_stop_at_the_maximum_length_and_a_held_one_never_on_silence() -> None:
    stops: list[str] = []
    rig = Rig(np.concatenate([tone(0.5), quiet(0.1)] * 20))
    rig.ptt._on_auto_stop = lambda why, _take: stops.append(why)
    rig.ptt.auto_stop = AutoStop(silence_s=0.0, max_s=2.0)
    rig.ptt.press(hands_free=True)
    rig.wait_for_audio(3.0)
    assert stops == ["Stopped listening at the maximum length of 2 s."]
    rig.ptt.release().result(10)
    quiet_rig = Rig(np.concatenate([tone(0.5), quiet(5.0)]))
    quiet_rig.ptt._on_auto_stop = lambda why, _take: stops.append(why)
    quiet_rig.ptt.auto_stop = AutoStop(silence_s=1.0)
    quiet_rig.ptt.press()  # a held key: the user decides when it ends
    quiet_rig.wait_for_audio(3.0)
    quiet_rig.ptt.hands_free()  # ... until a hybrid tap lets go of it
    quiet_rig.wait_for_audio(4.0)
    quiet_rig.ptt.release().result(10)
    assert stops[1:] == ["Stopped listening after 1 s of silence."]


def test_live_text_shows_while_held_and_goes_at_release() -> None:
    seen: list[tuple[str, str, bool]] = []
    # 3 s of speech: decodes on the beat start after 2.5 s of it (a short command is decoded
    # once, at its end, and shows tentative text only).
    rig = Rig(np.concatenate([quiet(0.2), tone(1.5), quiet(0.6), tone(1.5), quiet(2.0)]))
    rig.ptt._on_partial = lambda text, tentative: seen.append((text, tentative, rig.ptt.listening))
    rig.ptt.press()
    rig.wait_for_audio(5.3)
    utt = rig.ptt.release().result(10)
    shown = [s for s in seen if s[0] or s[1]]
    assert shown and all(listening for _t, _p, listening in shown)
    assert any("sound 1.5" in tentative for _t, tentative, _l in shown[:1])  # heard at the first pause
    assert any("sound 1.5" in text for text, _p, _l in shown)  # committed while held
    assert seen[-1] == ("", "", False)  # gone at release, nothing after it
    assert utt.text.startswith(shown[-1][0])


class Cues:
    """The controller's Feedback: what the user would hear or see at each moment."""

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.calls: list[tuple[str, bool]] = []  # (cue, whether the device had delivered by then)

    def pressed(self) -> None:
        self.calls.append(("pressed", self.rig.recorder.frames > 0))

    def hearing(self) -> None:
        self.calls.append(("hearing", self.rig.recorder.frames > 0))

    def released(self) -> None:
        self.calls.append(("released", True))


def eventually(condition: Any, timeout: float = 10.0) -> None:
    done = threading.Event()
    waited = 0.0
    while not condition():
        assert waited < timeout, "condition never came true"
        done.wait(0.01)
        waited += 0.01


def test_a_waking_device_shows_starting_until_its_first_audio_and_the_speak_cue_waits_for_it(tmp_path: Path) -> None:
    """A headset changing profile (or a sound server waking a source) captures nothing for
    a while after the stream opens: words said then are lost. Until its first audio the
    status says so (`mic.receiving` false, the tooltip says "Starting"), and the "speak
    now" cue (the start sound) comes with that audio, not with the press."""
    rig = Rig(np.concatenate([tone(1.0), quiet(1.0)] * 3), start_delay_s=1.0, speed=2.0)
    bus = EventBus()
    cues = Cues(rig)
    controller = Controller(bus, SettingsStore(tmp_path / "s.json"), Settings(), session=Slot(rig.ptt),
                            history=Slot(), assistant=Slot(), output=Slot(FakeOutput()), privacy=Slot(),
                            feedback=cues)
    rig.ptt._on_state = controller.on_session_state
    seen: list[tuple[bool, bool]] = []
    bus.subscribe(lambda e: seen.append((e.status.mic_self, e.status.mic_receiving))
                  if isinstance(e, StatusChanged) else None)
    for take in range(2):
        controller.press()
        status = controller.status()
        assert status.mic_self and not status.mic_receiving  # open, nothing delivered: 0.5 s to go
        assert "Starting the microphone" in describe(status)
        eventually(lambda: controller.status().mic_receiving)
        assert "Listening" in describe(controller.status())
        expected = 2 + 3 * take  # pressed, hearing (and released, for each take before)
        eventually(lambda n=expected: len(cues.calls) == n)
        assert cues.calls[-2:] == [("pressed", False), ("hearing", True)]  # the cue once audio came
        rig.wait_for_audio(1.5)
        controller.release().result(10)
        assert not controller.status().mic_receiving
    assert (True, False) in seen and (True, True) in seen  # both were published
    assert [c for c, _ in cues.calls].count("hearing") == 2  # once per take


def test_the_release_tail_is_not_called_starting(tmp_path: Path) -> None:
    """After the release the stream stays open until the audio of the release instant
    arrives (1.5 s late here): still red, but not "starting" — the device delivers."""
    rig = LateRig(PAUSED, speed=2.0, latency_s=1.5)
    controller = Controller(EventBus(), SettingsStore(tmp_path / "s.json"), Settings(), session=Slot(rig.ptt),
                            history=Slot(), assistant=Slot(), output=Slot(FakeOutput()), privacy=Slot())
    controller.press()
    eventually(lambda: controller.status().mic_receiving)
    rig.until(RELEASE_AT)
    done = controller.release()
    tail = controller.status()
    assert tail.mic_self and tail.state is State.LISTENING  # the tail: 0.75 s of 1.5 s latency at speed 2
    assert tail.mic_receiving and "Starting" not in describe(tail)
    done.result(20)
    assert not controller.status().mic_receiving
