"""The runtime without Qt and without real services: what it starts, what a settings
change rebuilds (and only that), how the history opening asks the UI, the hotkey sync."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.unit.core.test_controller import FakeAssistant, FakeOutput, FakeSession, Result
from trayassist.builder import DEPENDS_ON, HistoryOpening, Remedy, affected
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller
from trayassist.core.events import EventBus, HistoryChanged, StatusChanged
from trayassist.core.status import ProblemKind, State, Status
from trayassist.core.transcribe.live import LiveOptions, live_options
from trayassist.runtime import Lanes, Runtime, Slots

pytestmark = pytest.mark.unit


class Recorder:
    def prepare(self) -> None:
        pass


class Engine:
    def __init__(self) -> None:
        self.vocabulary: tuple[str, ...] = ()

    def set_vocabulary(self, words: Any) -> None:
        self.vocabulary = tuple(words)


class Session(FakeSession):
    def __init__(self) -> None:
        super().__init__()
        self.recorder = Recorder()
        self.engine = Engine()  # built from the settings the builder was given: none here
        self.shut = False

    def shutdown(self) -> None:
        self.shut = True


class Monitor:
    def start(self) -> None:
        pass

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def stop(self) -> None:
        pass


class Timers:
    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class Backend:
    is_global = True

    def start(self, chord: Any, press: Any, release: Any, cancel: Any = None) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class Choice:
    backend: Backend = field(default_factory=Backend)


class Autostart:
    def is_enabled(self) -> bool:
        return False

    def set_enabled(self, on: bool) -> None:
        pass


class Builder:
    """Counts what was built; history openings come from a script."""

    guard = None

    def __init__(self, openings: list[HistoryOpening]) -> None:
        self.built: list[str] = []
        self.openings = openings
        self.passphrases: list[str | None] = []

    def session(self, settings: Settings, **_callbacks: Any) -> Session:
        self.built.append("session")
        return Session()

    def output(self) -> FakeOutput:
        return FakeOutput()

    def privacy(self, settings: Settings, on_change: Any, on_event: Any) -> Monitor:
        return Monitor()

    def hotkey_backend(self) -> Choice:
        self.built.append("hotkey")
        return Choice()

    def autostart(self) -> Autostart:
        return Autostart()

    def open_history(self, settings: Settings, passphrase: str | None = None, on_erased: Any = None) -> HistoryOpening:
        self.passphrases.append(passphrase)
        return self.openings.pop(0)

    def assistant(self, settings: Settings, store: Any, **_kw: Any) -> tuple[FakeAssistant, Timers]:
        self.built.append("assistant")
        return FakeAssistant(Result("time")), Timers()


class Prompt:
    def __init__(self) -> None:
        self.asked: list[HistoryOpening] = []

    def ask(self, opening: HistoryOpening, show: bool) -> None:
        self.asked.append(opening)


class Rig:
    def __init__(self, tmp_path: Path, openings: list[HistoryOpening]) -> None:
        self.bus = EventBus()
        self.events: list[Any] = []
        self.bus.subscribe(self.events.append)
        self.slots = Slots()
        self.controller = Controller(self.bus, SettingsStore(tmp_path / "s.json"), Settings(),
                                     session=self.slots.session, history=self.slots.history,
                                     assistant=self.slots.assistant, output=self.slots.output,
                                     privacy=self.slots.privacy)
        self.builder = Builder(openings)
        self.prompt = Prompt()
        self.runtime = Runtime(self.builder, self.controller, self.bus, self.slots, Lanes(),  # type: ignore[arg-type]
                               prompt=self.prompt)

    def settle(self) -> None:
        """Let every lane finish what was queued so far (thrice: work queues more work).
        A barrier as wide as the lane occupies all its workers: everything before is done."""
        lanes = self.runtime.lanes
        for _ in range(3):
            for lane, workers in ((lanes.tasks, 2), (lanes.history, 1), (lanes.ptt, 1)):
                barrier = threading.Barrier(workers)
                for f in [lane.submit(lambda b=barrier: b.wait(10)) for _ in range(workers)]:
                    f.result(10)


def opened() -> HistoryOpening:
    return HistoryOpening(store=object())


def test_start_builds_the_services_then_opens_the_history_and_the_assistant(tmp_path: Path) -> None:
    rig = Rig(tmp_path, [opened()])
    rig.runtime.start()
    rig.settle()
    assert rig.runtime.started.is_open and rig.runtime.assistant_ready.is_open
    assert isinstance(rig.slots.session.get(), Session) and rig.slots.assistant.get() is not None
    assert rig.builder.built[:2] == ["hotkey", "session"] and rig.builder.built.count("assistant") == 1
    assert any(isinstance(e, HistoryChanged) and e.available for e in rig.events)


def test_a_settings_change_rebuilds_only_what_it_touches(tmp_path: Path) -> None:
    rig = Rig(tmp_path, [opened()])
    rig.runtime.start()
    rig.settle()
    first = rig.slots.session.get()
    built = list(rig.builder.built)
    rig.controller.update_settings(rig.controller.settings.replace(sounds=True))
    rig.settle()
    assert rig.builder.built == built  # sounds: nothing to rebuild
    rig.controller.update_settings(rig.controller.settings.replace(model="base.en"))
    rig.settle()
    assert rig.builder.built == [*built, "session"]
    assert rig.slots.session.get() is not first and first is not None and first.shut  # type: ignore[attr-defined]
    rig.controller.update_settings(rig.controller.settings.replace(hotkey="ctrl+alt+h"))
    rig.settle()
    assert rig.builder.built == [*built, "session", "hotkey"]


def test_a_word_added_while_the_session_is_built_or_after_reaches_its_engine(tmp_path: Path) -> None:
    rig = Rig(tmp_path, [opened()])
    # the CLI adds a word the moment `status` answers: before the session exists
    rig.controller.update_settings(rig.controller.settings.replace(vocabulary=["Grafana"]))
    rig.runtime.start()
    rig.settle()
    session = rig.slots.session.get()
    assert session.engine.vocabulary == ("Grafana",)  # type: ignore[union-attr]
    built = list(rig.builder.built)
    rig.controller.update_settings(rig.controller.settings.replace(vocabulary=["Grafana", "Kubernetes"]))
    # at once, not behind the tasks lane, and with no rebuild
    assert session.engine.vocabulary == ("Grafana", "Kubernetes")  # type: ignore[union-attr]
    rig.settle()
    assert rig.builder.built == built and rig.slots.session.get() is session


def test_long_dictation_context_reaches_the_running_session_without_a_rebuild(tmp_path: Path) -> None:
    rig = Rig(tmp_path, [opened()])
    rig.runtime.start()
    rig.settle()
    session = rig.slots.session.get()
    built = list(rig.builder.built)
    rig.controller.update_settings(rig.controller.settings.replace(dictation_context=True))
    rig.settle()
    assert rig.builder.built == built and rig.slots.session.get() is session
    assert session.live_options == live_options(True) and live_options(True).context_s > 0  # type: ignore[union-attr]
    rig.controller.update_settings(rig.controller.settings.replace(dictation_context=False))
    rig.settle()
    assert session.live_options == LiveOptions()  # type: ignore[union-attr]


def test_every_setting_a_service_depends_on_exists() -> None:
    names = set(Settings().to_dict())
    assert {f for fields in DEPENDS_ON.values() for f in fields} <= names
    assert affected(Settings(), Settings(model="base.en", hotkey_mode="toggle")) == {"session", "hotkey"}


def test_a_locked_history_asks_the_ui_and_an_answer_opens_it(tmp_path: Path) -> None:
    locked = HistoryOpening(None, "the history is locked with a passphrase", Remedy.PASSPHRASE)
    rig = Rig(tmp_path, [locked, opened()])
    rig.runtime.start()
    rig.settle()
    assert rig.prompt.asked == [locked] and not rig.runtime.assistant_ready.is_open
    rig.runtime.open_history("correct horse")
    rig.settle()
    assert rig.builder.passphrases == [None, "correct horse"] and rig.runtime.assistant_ready.is_open
    assert rig.runtime.history_store is not None


def test_declining_goes_on_without_history_and_says_so(tmp_path: Path) -> None:
    damaged = HistoryOpening(None, "history.sqlite3 is damaged", Remedy.FRESH_START)
    rig = Rig(tmp_path, [damaged])
    rig.runtime.start()
    rig.settle()
    rig.runtime.use_history(damaged)  # what the UI does on "Not now"
    rig.settle()
    assert rig.runtime.assistant_ready.is_open and rig.runtime.history_store is None
    assert [p.kind for p in rig.controller.problems()] == [ProblemKind.HISTORY]


def test_the_hotkey_hears_only_real_changes_of_listening(tmp_path: Path) -> None:
    """A key press is on its way to the session: other status updates in between must
    not make the hotkey forget the key is down (else its release never stops listening)."""
    rig = Rig(tmp_path, [opened()])
    rig.runtime.start()
    rig.settle()
    synced: list[bool] = []

    class Hotkey:
        def sync(self, listening: bool) -> None:
            synced.append(listening)

    rig.runtime.hotkey._hotkey = Hotkey()
    for _ in range(3):  # privacy ticks while the press is queued
        rig.bus.publish(StatusChanged(Status(State.IDLE)))
    assert synced == []
    session = rig.slots.session.get()
    assert session is not None
    done = threading.Event()
    rig.runtime.ptt(lambda: (rig.controller.press(), done.set()))
    assert done.wait(5)
    rig.bus.publish(StatusChanged(rig.controller.status()))
    rig.controller.cancel()
    rig.bus.publish(StatusChanged(rig.controller.status()))
    assert synced == [True, False]


def test_the_llm_may_trust_one_named_user_and_a_wrong_name_turns_only_the_llm_off() -> None:
    import os

    from trayassist.builder import trusted_uids

    assert trusted_uids("") is None  # the client's default: you and root
    assert trusted_uids("root") == {os.geteuid(), 0}
    with pytest.raises(ValueError, match="no user named 'nobody-here'"):
        trusted_uids("nobody-here")


def test_the_start_sound_is_the_devices_first_audio_not_the_press() -> None:
    """The start sound means "speak now": a headset waking up captures nothing at the press."""
    from trayassist.core.ports import Slot
    from trayassist.runtime import Feedback

    marked: list[str] = []
    played: list[str] = []

    class Focus:
        def mark(self) -> None:
            marked.append("focus")

    output = FakeOutput()
    output.focus = Focus()  # type: ignore[attr-defined]
    feedback = Feedback(Slot(output), played.append, lambda: marked.append("hush"))
    feedback.pressed()
    # A spoken reply stops at once (the mic would hear it), where the text goes is remembered.
    assert marked == ["hush", "focus"] and played == []
    feedback.hearing()
    feedback.released()
    assert played == ["start", "stop"]
