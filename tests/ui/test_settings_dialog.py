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
