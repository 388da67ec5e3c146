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
