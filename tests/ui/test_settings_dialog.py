import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from trayassist.core.config import Settings
from trayassist.ui.settings_dialog import SettingsDialog, chord_from_sequence

pytestmark = pytest.mark.ui


def test_chord_text_from_a_recorded_key_sequence() -> None:
    assert chord_from_sequence(QKeySequence("Ctrl+Alt+Space")) == "ctrl+alt+space"
    assert chord_from_sequence(QKeySequence("Ctrl+Shift+X")) == "ctrl+shift+x"
    assert chord_from_sequence(QKeySequence()) == ""


def test_dialog_edits_and_returns_settings(qtbot) -> None:
    dialog = SettingsDialog(Settings(), input_devices=lambda: ["USB Mic"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.model.setCurrentIndex(dialog.model.findData("base.en"))
    dialog.retention.setCurrentIndex(dialog.retention.findData("24h"))
    dialog.input_device.setCurrentIndex(dialog.input_device.findData("USB Mic"))
    dialog.hotkey.setKeySequence(QKeySequence("Ctrl+Shift+H"))
    dialog.start_at_login.setFocus()
    qtbot.keyClick(dialog.start_at_login, Qt.Key.Key_Space)
    value = dialog.value()
    assert (value.model, value.history_retention, value.input_device, value.hotkey, value.start_at_login) == (
        "base.en", "24h", "USB Mic", "ctrl+shift+h", True)


def test_unknown_saved_device_is_kept_and_named(qtbot) -> None:
    dialog = SettingsDialog(Settings(input_device="Old Mic"), input_devices=lambda: [])
    qtbot.addWidget(dialog)
    assert "not connected" in dialog.input_device.currentText()
    assert dialog.value().input_device == "Old Mic"


def test_hands_free_limits_and_live_text_are_edited(qtbot) -> None:
    dialog = SettingsDialog(Settings(), input_devices=lambda: [])
    qtbot.addWidget(dialog)
    assert (dialog.silence_stop.value(), dialog.max_length.value(), dialog.partial_text.isChecked()) == (3, 300, True)
    dialog.silence_stop.setValue(0)
    assert dialog.silence_stop.text() == "never"
    dialog.max_length.setValue(120)
    dialog.partial_text.setChecked(False)
    value = dialog.value()
    assert (value.toggle_silence_stop_s, value.toggle_max_s, value.partial_text) == (0, 120, False)


def test_long_dictation_context_is_offered_off_and_edited(qtbot) -> None:
    dialog = SettingsDialog(Settings(), input_devices=lambda: [])
    qtbot.addWidget(dialog)
    assert not dialog.dictation_context.isChecked() and "later" in dialog.dictation_context.toolTip()
    dialog.dictation_context.setChecked(True)
    assert dialog.value().dictation_context is True
    again = SettingsDialog(dialog.value(), input_devices=lambda: [])
    qtbot.addWidget(again)
    assert again.dictation_context.isChecked()


def test_models_button_opens_the_model_manager_and_its_choice_is_kept(qtbot) -> None:
    opened = []
    dialog = SettingsDialog(Settings(), input_devices=lambda: [], on_models=lambda: opened.append(True))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.models_button.isVisible() and "&" in dialog.models_button.text()
    qtbot.mouseClick(dialog.models_button, Qt.MouseButton.LeftButton)
    assert opened == [True] and dialog.isVisible()
    dialog.retention.setCurrentIndex(dialog.retention.findData("24h"))  # an edit in progress here
    # The model manager saved a model and a device meanwhile: Save here must not undo them.
    dialog.adopt(Settings(model="small", device="cpu", compute_type="float32"))
    value = dialog.value()
    assert (value.model, value.device, value.compute_type, value.history_retention) == (
        "small", "cpu", "float32", "24h")


def test_without_a_model_manager_there_is_no_models_button(qtbot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.models_button.isVisibleTo(dialog)
