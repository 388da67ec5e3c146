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
