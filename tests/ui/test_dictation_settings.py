"""The Dictation page of Settings: vocabulary list with import/export, replacements, switches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from trayassist.core.config import Settings
from trayassist.ui.dictation_settings import DictationPage
from trayassist.ui.tasks import TaskRunner
from trayassist.ui.vocabulary_editor import VocabularyEditor

pytestmark = pytest.mark.ui


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def test_add_remove_and_duplicates(qtbot, tasks: TaskRunner) -> None:
    editor = VocabularyEditor(["Siobhan"], tasks.run_task)
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor.entry, "Chinua  Okonkwo")
    qtbot.keyClick(editor.entry, Qt.Key.Key_Return)
    assert editor.words() == ["Siobhan", "Chinua Okonkwo"] and editor.entry.text() == ""
    qtbot.keyClicks(editor.entry, "Siobhan")
    editor.add_button.click()
    assert editor.words() == ["Siobhan", "Chinua Okonkwo"] and "Already" in editor.message.text()
    qtbot.keyClicks(editor.entry, "x" * 70)
    editor.add_button.click()
    assert "longer than" in editor.message.text() and len(editor.words()) == 2
    editor.list.item(0).setSelected(True)
    editor.remove_button.click()
    assert editor.words() == ["Chinua Okonkwo"]


def test_import_and_export_a_text_file_off_the_gui_thread(qtbot, tasks: TaskRunner, tmp_path: Path) -> None:
    source = tmp_path / "names.txt"
    source.write_text("# team\nSiobhan\n\nGrafana\nsiobhan\n", encoding="utf-8")
    target = tmp_path / "out" / "words.txt"
    editor = VocabularyEditor(["Kubernetes"], tasks.run_task, choose_open=lambda _w: source,
                              choose_save=lambda _w: target)
    qtbot.addWidget(editor)
    editor.import_button.click()
    qtbot.waitUntil(lambda: "Imported" in editor.message.text(), timeout=5000)
    assert editor.words() == ["Kubernetes", "siobhan", "Grafana"]
    editor.export_button.click()
    qtbot.waitUntil(lambda: "Exported" in editor.message.text(), timeout=5000)
    assert target.read_text(encoding="utf-8").splitlines()[1:] == ["Kubernetes", "siobhan", "Grafana"]


def test_a_bad_import_is_one_red_line_and_changes_nothing(qtbot, tasks: TaskRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00 not text")
    editor = VocabularyEditor(["Siobhan"], tasks.run_task, choose_open=lambda _w: bad)
    qtbot.addWidget(editor)
    editor.import_button.click()
    qtbot.waitUntil(lambda: "UTF-8" in editor.message.text(), timeout=5000)
    assert editor.words() == ["Siobhan"] and "\n" not in editor.message.text()
    editor._choose_open = lambda _w: tmp_path / "missing.txt"
    editor.import_button.click()
    qtbot.waitUntil(lambda: "missing.txt" in editor.message.text(), timeout=5000)


def test_a_long_list_says_what_the_model_can_take(qtbot, tasks: TaskRunner) -> None:
    editor = VocabularyEditor([f"Longname{i}" for i in range(120)], tasks.run_task)
    qtbot.addWidget(editor)
    assert "Only the first" in editor.message.text()


def test_page_round_trips_settings_and_previews(qtbot, tasks: TaskRunner) -> None:
    settings = Settings().replace(vocabulary=["Siobhan"], replacements=[["gonna", "going to"]])
    page = DictationPage(settings, tasks.run_task)
    qtbot.addWidget(page)
    assert page.changes() == {"spoken_punctuation": True, "drop_fillers": True,
                              "replacements": [["gonna", "going to"]], "vocabulary": ["Siobhan"]}
    qtbot.keyClicks(page.sample, "um, I'm gonna go comma now")
    assert page.preview.text() == "→ I'm going to go, now"
    page.spoken_punctuation.setChecked(False)
    assert page.preview.text() == "→ I'm going to go comma now"
    page.replacements.add_rule()
    page.replacements.table.item(1, 0).setText("tray  assist")
    page.replacements.table.item(1, 1).setText("TrayAssist")
    page.drop_fillers.setChecked(False)
    new = settings.replace(**page.changes())
    assert new.replacements == [["gonna", "going to"], ["tray assist", "TrayAssist"]]
    assert (new.spoken_punctuation, new.drop_fillers) == (False, False)
    page.replacements.add_rule()
    page.replacements.table.item(2, 1).setText("orphan")
    with pytest.raises(ValueError, match="rule 3"):
        page.changes()
    page.replacements.table.selectRow(2)
    page.replacements.remove_selected()
    assert len(page.changes()["replacements"]) == 2
