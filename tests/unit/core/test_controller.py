"""The controller's pipeline after a transcript: assistant, history, output, status."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller, UserError
from trayassist.core.events import EventBus, Notice, PartialText, StatusChanged, UtteranceDone
from trayassist.core.ports import Slot
from trayassist.core.status import ModelStatus, Problem, ProblemKind, State

pytestmark = pytest.mark.unit


@dataclass
class Utt:
    text: str
    timings: dict[str, float] = field(default_factory=lambda: {"release_to_text": 0.1})
    reason: str = ""
    error: str | None = None


class FakeSession:
    def __init__(self, utterance: Utt | None = None, fail_press: str | None = None) -> None:
        self.state = "idle"
        self.utterance = utterance
        self.fail_press = fail_press
        self.problem: Problem | None = None
        self.cancelled = 0
        self.hands_free_calls = 0
        self.take = 0
        self.device_delivers = True  # False: a device still waking up

    @property
    def mic_open(self) -> bool:
        return self.state == "listening"

    @property
    def receiving(self) -> bool:
        return self.mic_open and self.device_delivers

    def press(self) -> None:
        if self.fail_press:
            self.problem = Problem(ProblemKind.MICROPHONE, self.fail_press)
            raise RuntimeError(self.fail_press)
        self.state = "listening"
        self.take += 1

    def hands_free(self) -> None:
        self.hands_free_calls += 1

    def still_listening(self, take: int) -> bool:
        return self.state == "listening" and take == self.take

    def cancel(self) -> bool:
        self.cancelled += 1
        self.state = "idle"
        return True

    def release(self) -> Future[Any]:
        self.state = "idle"
        f: Future[Any] = Future()
        f.set_result(self.utterance)
        return f

    def model_status(self) -> ModelStatus:
        return ModelStatus("tiny.en", True, "/m", "loaded")

    def shutdown(self) -> None:
        pass


@dataclass
class Result:
    skill: str | None
    output_override: str | None = None
    output_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"skill": self.skill, "reply": "done" if self.skill else "no command recognised"}


class FakeAssistant:
    def __init__(self, result: Result) -> None:
        self.result = result
        self.seen: list[str] = []

    def handle(self, text: str, dry_run: bool = False) -> Result:
        self.seen.append(text)
        return self.result


class FakeHistory:
    def __init__(self) -> None:
        self.saved: list[str] = []

    def save_utterance(self, text: str, utterance: Any, result: Any) -> int:
        self.saved.append(text)
        return len(self.saved)


@dataclass(frozen=True)
class Delivered:
    mode: str
    inserted: bool = True
    method: str = "type:fake"
    on_clipboard: bool = False
    focus_changed: bool = False
    error: str | None = None
    notice: str | None = None


class FakeOutput:
    def __init__(self) -> None:
        self.delivered: list[tuple[str, str]] = []

    def deliver(self, text: str, mode: str) -> Delivered:
        self.delivered.append((text, mode))
        return Delivered(mode)


def controller(tmp_path: Path, session: Any = None, history: Any = None, assistant: Any = None,
               output: Any = None, **settings: Any) -> Controller:
    return Controller(EventBus(), SettingsStore(tmp_path / "s.json"), Settings(**settings),
                      session=Slot(session), history=Slot(history), assistant=Slot(assistant),
                      output=Slot(output), privacy=Slot())


def make(tmp_path: Path, session: FakeSession, result: Result | None = None, **settings: Any):
    out = FakeOutput()
    c = controller(tmp_path, session, FakeHistory(), FakeAssistant(result or Result(None)), out, **settings)
    events: list[Any] = []
    c.bus.subscribe(events.append)
    return c, events, out.delivered


def test_dictation_is_saved_and_typed(tmp_path: Path) -> None:
    c, events, delivered = make(tmp_path, FakeSession(Utt("hello there")))
    c.press()
    assert c.status().mic_self is True and c.status().state is State.LISTENING
    out = c.release().result(5)
    assert out["text"] == "hello there" and out["id"] == 1 and out["output"]["inserted"] is True
    assert delivered == [("hello there", "type")]
    assert c.status().to_json()["last"] == {"id": 1, "text": "hello there"}
    assert any(isinstance(e, UtteranceDone) for e in events)


def test_a_command_is_not_typed(tmp_path: Path) -> None:
    c, _events, delivered = make(tmp_path, FakeSession(Utt("set a timer for five minutes")), Result("timers"))
    c.press()
    out = c.release().result(5)
    assert out["assistant"]["skill"] == "timers" and delivered == []


def test_type_command_overrides_the_output(tmp_path: Path) -> None:
    result = Result("dictation", output_override="clipboard", output_text="the address")
    c, _e, delivered = make(tmp_path, FakeSession(Utt("copy the address")), result)
    c.press()
    c.release().result(5)
    assert delivered == [("the address", "clipboard")]


def test_nothing_heard_saves_nothing_and_says_so(tmp_path: Path) -> None:
    c, events, delivered = make(tmp_path, FakeSession(Utt("", reason="too_short")))
    c.press()
    out = c.release().result(5)
    assert out["text"] == "" and out["reason"] == "too_short" and out["id"] is None
    assert delivered == [] and c.history.get().saved == []
    assert any(isinstance(e, Notice) and e.title == "Nothing heard" for e in events)


def test_press_failure_is_one_line_and_shows_in_status(tmp_path: Path) -> None:
    c, events, _d = make(tmp_path, FakeSession(fail_press="No microphone found: 'USB' is not connected"))
    with pytest.raises(UserError, match="No microphone found"):
        c.press()
    s = c.status().to_json()
    assert s["state"] == "error" and s["error"].startswith("No microphone found")
    assert any(isinstance(e, StatusChanged) and e.status.state is State.ERROR for e in events)


def test_status_without_capture_keeps_every_key(tmp_path: Path) -> None:
    c = controller(tmp_path)
    s = c.status().to_json()
    assert {"state", "mic", "network", "model", "last", "indicators_paused", "error"} <= set(s)
    assert s["network"]["self_connections"] is None and s["mic"] == {"self": False, "receiving": False, "others": []}
    with pytest.raises(UserError, match="doctor"):
        c.press()


def test_history_failure_does_not_lose_the_text(tmp_path: Path) -> None:
    c, events, delivered = make(tmp_path, FakeSession(Utt("keep me")))

    def broken(*_a: Any) -> int:
        raise OSError("disk full")

    c.history.get().save_utterance = broken
    c.press()
    out = c.release().result(5)
    assert out["text"] == "keep me" and out["id"] is None and delivered == [("keep me", "type")]
    assert any(isinstance(e, Notice) and e.title == "History not saved" for e in events)


def test_toggle_listens_hands_free_and_an_auto_stop_releases_only_the_take_it_names(tmp_path: Path) -> None:
    session = FakeSession(Utt("note this down"))
    c, events, delivered = make(tmp_path, session)
    assert c.toggle() == "pressed" and session.hands_free_calls == 1
    assert c.auto_stop("Stopped listening after 3 s of silence.", take=session.take + 1) is None  # not this take
    assert session.state == "listening"
    done = c.auto_stop("Stopped listening after 3 s of silence.", take=session.take)
    assert done is not None and done.result(5)["text"] == "note this down"
    assert session.state == "idle" and delivered == [("note this down", "type")]
    notices = [e for e in events if isinstance(e, Notice)]
    assert [(n.title, n.message) for n in notices] == [("Listening stopped", "Stopped listening after 3 s of silence.")]
    assert c.auto_stop("again", take=session.take) is None  # already released: nothing twice


def test_live_text_is_published_only_when_the_user_wants_it_and_its_end_always(tmp_path: Path) -> None:
    c, events, _ = make(tmp_path, FakeSession())
    c.on_partial("please buy", "milk")
    off, off_events, _ = make(tmp_path, FakeSession(), partial_text=False)
    off.on_partial("please buy", "milk")
    off.on_partial("", "")
    assert [e for e in events if isinstance(e, PartialText)] == [PartialText("please buy", "milk")]
    assert [e for e in off_events if isinstance(e, PartialText)] == [PartialText("", "")]
