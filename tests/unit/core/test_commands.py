"""The command table, without Qt: every command answers through its done-callback, and
waiting (a release with --wait, `ask` during start-up) holds no thread."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.core.test_controller import FakeAssistant, FakeHistory, FakeOutput, FakeSession, Result, Utt
from trayassist.core.commands import COMMANDS, NAMES, AppActions, CommandTable, app_commands
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller
from trayassist.core.errors import UserError
from trayassist.core.events import EventBus
from trayassist.core.ipc_protocol import COMMANDS as PROTOCOL_COMMANDS
from trayassist.core.lanes import Gate, Lane
from trayassist.core.ports import Slot

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


class Answer:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.calls = 0

    def __call__(self, result: Any, error: BaseException | None) -> None:
        self.calls += 1
        self.result, self.error = result, error
        self.event.set()

    def wait(self) -> Answer:
        assert self.event.wait(5), "no answer"
        return self


class Store(FakeHistory):
    def __init__(self) -> None:
        super().__init__()
        self.forgot: list[datetime] = []
        self.wiped = False

    def forget_since(self, since: datetime) -> int:
        self.forgot.append(since)
        return 2

    def delete(self, record_id: int) -> bool:
        return record_id == 1

    def wipe(self) -> None:
        self.wiped = True


class Rig:
    def __init__(self, tmp_path: Path, session: Any, store: Store | None = None) -> None:
        self.gate = Gate()
        self.quits = 0
        self.activations = 0
        self.store = store
        self.ptt_lane, self.history_lane = Lane("ptt-test"), Lane("history-test")
        self.controller = Controller(EventBus(), SettingsStore(tmp_path / "s.json"), Settings(),
                                     session=Slot(session), history=Slot(store),
                                     assistant=Slot(FakeAssistant(Result("time"))), output=Slot(FakeOutput()),
                                     privacy=Slot())
        self.table = app_commands(self.controller, AppActions(
            ptt=lambda fn, done: self.ptt_lane.submit(fn, done), history_lane=self.history_lane,
            history=lambda: self.store, assistant_ready=self.gate, activate=self.activate, quit=self.quit,
            now=lambda: NOW))

    def activate(self) -> None:
        self.activations += 1

    def quit(self) -> None:
        self.quits += 1

    def run(self, name: str, **args: Any) -> Answer:
        answer = Answer()
        self.table.dispatch(name, args, answer)
        return answer


def test_one_table_lists_what_the_app_can_be_asked_and_the_protocol_accepts_exactly_that() -> None:
    assert PROTOCOL_COMMANDS == NAMES == {name for name, _ in COMMANDS}
    assert {"status", "ptt.press", "ptt.release", "ptt.toggle", "ptt.cancel", "ask", "quit"} <= NAMES
    assert all(summary for _, summary in COMMANDS)
    with pytest.raises(ValueError, match="missing"):
        CommandTable({"status": lambda a, d: None})


def test_press_release_with_wait_answers_when_the_text_is_ready(tmp_path: Path) -> None:
    pending: Future[Any] = Future()

    class SlowSession(FakeSession):
        def release(self) -> Future[Any]:
            self.state = "transcribing"
            return pending

    rig = Rig(tmp_path, SlowSession(Utt("hello")))
    assert rig.run("ptt.press").wait().result == {"self": True, "receiving": True, "others": []}
    answer = rig.run("ptt.release", wait=True)
    rig.ptt_lane.submit(lambda: None).result(5)  # the lane is free while the text is pending
    assert not answer.event.is_set()
    pending.set_result(Utt("hello"))
    assert answer.wait().result["text"] == "hello" and answer.calls == 1


def test_release_without_wait_answers_at_once(tmp_path: Path) -> None:
    rig = Rig(tmp_path, FakeSession(Utt("hi")))
    rig.run("ptt.press").wait()
    assert rig.run("ptt.release").wait().result == {"released": True}


def test_cancel_discards_the_utterance_and_keeps_last(tmp_path: Path) -> None:
    session = FakeSession(Utt("secret"))
    rig = Rig(tmp_path, session)
    rig.run("ptt.press").wait()
    assert rig.run("ptt.cancel").wait().result == {"cancelled": True}
    assert session.cancelled == 1 and rig.controller.status().last is None
    assert rig.run("ptt.cancel").wait().result == {"cancelled": False}  # nothing left to cancel


def test_cancel_while_transcribing_drops_the_result(tmp_path: Path) -> None:
    pending: Future[Any] = Future()

    class SlowSession(FakeSession):
        def release(self) -> Future[Any]:
            self.state = "transcribing"
            return pending

    store = Store()
    rig = Rig(tmp_path, SlowSession(Utt("x")), store)
    rig.run("ptt.press").wait()
    answer = rig.run("ptt.release", wait=True)
    rig.ptt_lane.submit(lambda: None).result(5)
    assert rig.run("ptt.cancel").wait().result == {"cancelled": True}
    pending.set_result(Utt("do not keep me"))
    assert answer.wait().result["reason"] == "cancelled"
    assert store.saved == [] and rig.controller.status().last is None


def test_ask_waits_for_the_assistant_without_holding_a_thread(tmp_path: Path) -> None:
    rig = Rig(tmp_path, FakeSession())
    answer = rig.run("ask", text="what time is it", dry_run=True)
    assert not answer.event.is_set()
    rig.gate.open()
    assert answer.wait().result["skill"] == "time"
    empty = rig.run("ask", text="  ").wait()
    assert isinstance(empty.error, UserError)


def test_history_commands_act_on_the_app_store_and_status_forgets(tmp_path: Path) -> None:
    store = Store()
    rig = Rig(tmp_path, FakeSession(Utt("remember this")), store)
    rig.run("ptt.press").wait()
    rig.run("ptt.release", wait=True).wait()
    assert rig.controller.status().last is not None
    assert rig.run("history.forget", span="5m").wait().result == {"forgotten": 2}
    assert store.forgot == [NOW - timedelta(minutes=5)]
    bad = rig.run("history.forget", span="soon").wait()
    assert isinstance(bad.error, UserError) and "bad span" in str(bad.error)
    assert rig.run("history.delete", ids=[1, 9]).wait().result == {"deleted": [1], "missing": [9]}
    assert rig.run("history.wipe").wait().result == {"wiped": True} and store.wiped
    assert rig.controller.status().last is None  # wipe: status forgets, whoever erases the files


def test_history_commands_without_a_history_say_so(tmp_path: Path) -> None:
    rig = Rig(tmp_path, FakeSession(), store=None)
    answer = rig.run("history.forget", span="5m").wait()
    assert isinstance(answer.error, UserError) and "no history open" in str(answer.error)
    assert rig.run("history.wipe").wait().result == {"wiped": False}


def test_status_activate_quit_and_unknown(tmp_path: Path) -> None:
    rig = Rig(tmp_path, FakeSession())
    assert rig.run("status").wait().result["state"] == "idle"
    assert "pid" in rig.run("activate").wait().result and rig.activations == 1
    assert rig.run("quit").wait().result == {"quitting": True} and rig.quits == 1
    unknown = rig.run("reboot").wait()
    assert isinstance(unknown.error, UserError)
