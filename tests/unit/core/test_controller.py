"""The controller's pipeline after a transcript: assistant, history, output, status."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller, UserError
from trayassist.core.events import EventBus, Notice, StateChanged, UtteranceDone

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
        self.error: str | None = None

    @property
    def mic_open(self) -> bool:
        return self.state == "listening"

    def press(self) -> None:
        if self.fail_press:
            raise RuntimeError(self.fail_press)
        self.state = "listening"

    def release(self) -> Future[Any]:
        self.state = "idle"
        f: Future[Any] = Future()
        f.set_result(self.utterance)
        return f

    def model_info(self) -> dict[str, Any]:
        return {"name": "tiny.en", "loaded": True, "path": "/m"}

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


def make(tmp_path: Path, session: FakeSession, result: Result | None = None, **settings: Any):
    bus = EventBus()
    events: list[Any] = []
    bus.subscribe(events.append)
    delivered: list[tuple[str, str]] = []
    c = Controller(bus, SettingsStore(tmp_path / "s.json"), Settings(**settings), session=session,
                   history=FakeHistory(), assistant=FakeAssistant(result or Result(None)),
                   output=lambda text, mode: delivered.append((text, mode)) or "ok")
    return c, events, delivered


def test_dictation_is_saved_and_typed(tmp_path: Path) -> None:
    c, events, delivered = make(tmp_path, FakeSession(Utt("hello there")))
    c.press()
    assert c.status()["mic"]["self"] is True
    out = c.release().result(5)
    assert out["text"] == "hello there" and out["id"] == 1 and out["output"] == "ok"
    assert delivered == [("hello there", "type")]
    assert c.status()["last"] == {"id": 1, "text": "hello there"}
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
    assert delivered == [] and c.history.saved == []
    assert any(isinstance(e, Notice) and e.title == "Nothing heard" for e in events)


def test_press_failure_is_one_line_and_shows_in_status(tmp_path: Path) -> None:
    c, events, _d = make(tmp_path, FakeSession(fail_press="No microphone found: 'USB' is not connected"))
    with pytest.raises(UserError, match="No microphone found"):
        c.press()
    s = c.status()
    assert s["state"] == "error" and s["error"].startswith("No microphone found")
    assert any(isinstance(e, StateChanged) and e.state == "error" for e in events)


def test_status_without_capture_keeps_every_key(tmp_path: Path) -> None:
    c = Controller(EventBus(), SettingsStore(tmp_path / "s.json"), Settings())
    s = c.status()
    assert {"state", "mic", "network", "model", "last", "indicators_paused", "error"} <= set(s)
    assert s["network"]["self_connections"] is None and s["mic"] == {"self": False, "others": []}
    with pytest.raises(UserError, match="doctor"):
        c.press()


def test_history_failure_does_not_lose_the_text(tmp_path: Path) -> None:
    c, events, delivered = make(tmp_path, FakeSession(Utt("keep me")))

    def broken(*_a: Any) -> int:
        raise OSError("disk full")

    c.history.save_utterance = broken
    c.press()
    out = c.release().result(5)
    assert out["text"] == "keep me" and out["id"] is None and delivered == [("keep me", "type")]
    assert any(isinstance(e, Notice) and e.title == "History not saved" for e in events)
