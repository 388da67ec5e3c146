"""Dictation shaping in the controller: only dictation is shaped; history and `last` keep what was typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.core.test_controller import FakeSession, Result, Utt, make

pytestmark = pytest.mark.unit


def test_dictation_is_shaped_before_history_output_and_status(tmp_path: Path) -> None:
    c, _events, delivered = make(tmp_path, FakeSession(Utt("Um, hello, comma, world, period. I'm gonna go")),
                                 replacements=[["gonna", "going to"]])
    c.press()
    out = c.release().result(5)
    assert out["text"] == "Hello, world. I'm going to go"
    assert delivered == [("Hello, world. I'm going to go", "type")]
    assert c.history.get().saved == ["Hello, world. I'm going to go"]
    assert c.status().to_json()["last"]["text"] == "Hello, world. I'm going to go"


def test_the_assistant_sees_the_words_as_heard(tmp_path: Path) -> None:
    c, _e, delivered = make(tmp_path, FakeSession(Utt("set a timer, comma, for five minutes")), Result("timers"))
    c.press()
    out = c.release().result(5)
    assert c.assistant.get().seen == ["set a timer, comma, for five minutes"]
    assert out["text"] == "set a timer, comma, for five minutes" and delivered == []


def test_switched_off_nothing_changes(tmp_path: Path) -> None:
    c, _e, delivered = make(tmp_path, FakeSession(Utt("um, hello comma world")), spoken_punctuation=False,
                            drop_fillers=False)
    c.press()
    c.release().result(5)
    assert delivered == [("um, hello comma world", "type")]


def test_only_fillers_is_nothing_heard(tmp_path: Path) -> None:
    c, _e, delivered = make(tmp_path, FakeSession(Utt("Um.")))
    c.press()
    out = c.release().result(5)
    assert out["text"] == "" and out["reason"] == "filtered" and delivered == []
    assert c.history.get().saved == []


def test_the_vocabulary_command_saves_and_announces_the_change(tmp_path: Path) -> None:
    from tests.unit.core.test_commands import Rig
    from trayassist.core.config import SettingsStore
    from trayassist.core.errors import UserError
    from trayassist.core.events import SettingsChanged

    rig = Rig(tmp_path, FakeSession())
    changes: list[SettingsChanged] = []
    rig.controller.bus.subscribe(lambda e: changes.append(e) if isinstance(e, SettingsChanged) else None)
    answer = rig.run("vocabulary", action="add", words=["Siobhan", "Grafana"]).wait()
    assert answer.error is None and answer.result["added"] == ["Siobhan", "Grafana"]
    assert SettingsStore(tmp_path / "s.json").load().vocabulary == ["Siobhan", "Grafana"]
    assert [c.settings.vocabulary for c in changes] == [["Siobhan", "Grafana"]]
    assert rig.run("vocabulary", action="list").wait().result["words"] == ["Siobhan", "Grafana"]
    assert len(changes) == 1  # listing changes nothing
    bad = rig.run("vocabulary", action="add", words=[""]).wait()
    assert isinstance(bad.error, UserError) and "empty" in str(bad.error)
