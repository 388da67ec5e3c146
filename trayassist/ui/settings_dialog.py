"""The Settings dialog: edits every field of the one settings schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trayassist.core import config
from trayassist.core.config import Settings
from trayassist.ui.dictation_settings import DictationPage
from trayassist.ui.vocabulary_editor import RunTask

RETENTION_LABELS = {
    "off": "Don't save", "24h": "24 hours", "3m": "3 months", "18m": "18 months", "forever": "Forever",
}
KEY_LABELS = {
    "auto": "OS keyring when available", "keyring": "OS keyring", "passphrase": "Passphrase",
    "session": "This session only (history lost at quit)", "off": "History off",
}
MODE_LABELS = {"hold": "Hold to talk", "toggle": "Press to start, press to stop",
               "hybrid": "Hold, or tap to toggle"}
OUTPUT_LABELS = {"type": "Type into the focused window", "clipboard": "Copy to clipboard",
                 "both": "Type and copy", "none": "Only keep in history"}
LANGUAGES = ["en", "auto", "de", "es", "fr", "it", "nl", "pt", "pl", "sv", "ja", "zh", "ru", "uk"]


def _run_now(func: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
    """Without a task runner (tests, previews): run at once."""
    try:
        result = func()
    except Exception as exc:
        done(None, exc)
        return
    done(result, None)


def chord_from_sequence(seq: QKeySequence) -> str:
    """QKeySequence 'Ctrl+Alt+Space' -> our chord text 'ctrl+alt+space'."""
    if seq.isEmpty():
        return ""
    text = seq.toString(QKeySequence.SequenceFormat.PortableText).split(",")[0].strip()
    return text.lower().replace("meta+", "super+")


def _model_label(name: str) -> str:
    from trayassist.core.transcribe.models import SIZES, human_size

    size = human_size(SIZES[name]) if name in SIZES else "?"
    return f"{name} (bundled)" if name == "tiny.en" else f"{name} (download, {size})"


def _combo(labels: dict[str, str], current: str) -> QComboBox:
    box = QComboBox()
    for key, label in labels.items():
        box.addItem(label, key)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, input_devices: Callable[[], list[str]] | None = None,
                 parent: QWidget | None = None, run_task: RunTask | None = None,
                 on_models: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("TrayAssist Settings")
        self._original = settings
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs)
        general = QWidget()
        layout = QVBoxLayout(general)
        self.tabs.addTab(general, "&General")

        speech = QGroupBox("Speech")
        form = QFormLayout(speech)
        self.model = _combo({m: _model_label(m) for m in config.MODEL_CHOICES}, settings.model)
        form.addRow("&Model:", self.model)
        self.model_path = QLineEdit(settings.model_path)
        self.model_path.setPlaceholderText("optional: a local model folder (wins over Model)")
        form.addRow("Model &folder:", self.model_path)
        # Sizes, languages, checksums, downloads and the device live in the model manager.
        self.models_button = QPushButton("Speech m&odels…")
        self.models_button.setAutoDefault(False)
        self.models_button.setVisible(on_models is not None)
        if on_models is not None:
            self.models_button.clicked.connect(on_models)
        form.addRow("", self.models_button)
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(settings.language)
        form.addRow("&Language:", self.language)
        self.input_device = QComboBox()
        self.input_device.addItem("System default", "")
        for name in (input_devices() if input_devices else []):
            self.input_device.addItem(name, name)
        if settings.input_device and self.input_device.findData(settings.input_device) < 0:
            self.input_device.addItem(f"{settings.input_device} (not connected)", settings.input_device)
        self.input_device.setCurrentIndex(max(0, self.input_device.findData(settings.input_device)))
        form.addRow("&Microphone:", self.input_device)
        self.dictation_context = QCheckBox("Long dictation: also listen to the sentence &before each one")
        self.dictation_context.setToolTip("Fewer mistakes where sentences start; after you let go the "
                                          "text can come up to about 0.6 s later.")
        self.dictation_context.setChecked(settings.dictation_context)
        form.addRow(self.dictation_context)
        self.unload = QSpinBox()
        self.unload.setRange(10, 86400)
        self.unload.setSuffix(" s")
        self.unload.setValue(settings.model_idle_unload_s)
        form.addRow("Unload model after &idle:", self.unload)
        layout.addWidget(speech)

        keys = QGroupBox("Hotkey and output")
        form = QFormLayout(keys)
        self.hotkey = QKeySequenceEdit(QKeySequence(settings.hotkey.replace("super+", "meta+")))
        self.hotkey.setMaximumSequenceLength(1)
        form.addRow("&Hotkey (press it):", self.hotkey)
        self.hotkey_mode = _combo(MODE_LABELS, settings.hotkey_mode)
        form.addRow("Hotkey &mode:", self.hotkey_mode)
        # Hands-free (toggle, a hybrid tap, the tray): listening ends by itself.
        self.silence_stop = QSpinBox()
        self.silence_stop.setRange(0, 600)
        self.silence_stop.setSuffix(" s of silence")
        self.silence_stop.setSpecialValueText("never")
        self.silence_stop.setValue(settings.toggle_silence_stop_s)
        form.addRow("Hands-free stops &after:", self.silence_stop)
        self.max_length = QSpinBox()
        self.max_length.setRange(10, 3600)
        self.max_length.setSuffix(" s")
        self.max_length.setValue(settings.toggle_max_s)
        form.addRow("Hands-free stops &at most after:", self.max_length)
        self.partial_text = QCheckBox("Show the words near the tray while I speak")
        self.partial_text.setChecked(settings.partial_text)
        form.addRow(self.partial_text)
        self.output_mode = _combo(OUTPUT_LABELS, settings.output_mode)
        form.addRow("&Put text:", self.output_mode)
        self.sounds = QCheckBox("Play a short sound when the microphone opens and closes")
        self.sounds.setChecked(settings.sounds)
        form.addRow(self.sounds)
        self.notifications = QCheckBox("Show desktop notifications")
        self.notifications.setChecked(settings.notifications)
        form.addRow(self.notifications)
        self.notification_text = QCheckBox("Show what I said (and notes, list items) in notifications")
        self.notification_text.setToolTip("Notification daemons keep what they show and lock screens display it; "
                                          "off, a notification says only what happened.")
        self.notification_text.setChecked(settings.notification_text)
        form.addRow(self.notification_text)
        layout.addWidget(keys)
        layout.addStretch(1)

        # Dictation: vocabulary, spoken punctuation, replacements, fillers (its own page).
        self.dictation = DictationPage(settings, run_task or _run_now)
        self.tabs.addTab(self.dictation, "&Dictation")

        more = QWidget()
        layout = QVBoxLayout(more)
        self.tabs.addTab(more, "&Privacy and assistant")

        privacy = QGroupBox("Privacy and history")
        form = QFormLayout(privacy)
        self.indicators = QCheckBox("Watch which programs use the microphone and the network")
        self.indicators.setChecked(settings.indicators_enabled)
        form.addRow(self.indicators)
        self.retention = _combo(RETENTION_LABELS, settings.history_retention)
        form.addRow("Keep &history:", self.retention)
        self.key_backend = _combo(KEY_LABELS, settings.history_key_backend)
        form.addRow("History &key:", self.key_backend)
        layout.addWidget(privacy)

        assistant = QGroupBox("Assistant and desktop")
        form = QFormLayout(assistant)
        self.assistant = QCheckBox("Act on spoken commands (timers, notes, calculations…)")
        self.assistant.setChecked(settings.assistant_enabled)
        form.addRow(self.assistant)
        self.spoken = QCheckBox("Speak replies aloud (espeak-ng)")
        self.spoken.setChecked(settings.spoken_replies)
        form.addRow(self.spoken)
        self.llm = QCheckBox("Ask a local language model for other questions (loopback only)")
        self.llm.setChecked(settings.llm_enabled)
        form.addRow(self.llm)
        self.llm_url = QLineEdit(settings.llm_url)
        form.addRow("Local model &URL:", self.llm_url)
        self.llm_trusted_user = QLineEdit(settings.llm_trusted_user)
        self.llm_trusted_user.setPlaceholderText("only if its server runs as another user, e.g. ollama")
        form.addRow("Server runs as &user:", self.llm_trusted_user)
        self.start_at_login = QCheckBox("Start TrayAssist when I log in")
        self.start_at_login.setChecked(settings.start_at_login)
        form.addRow(self.start_at_login)
        layout.addWidget(assistant)
        layout.addStretch(1)

        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        outer.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def value(self) -> Settings:
        """The edited settings; raises ValueError with a readable message if invalid."""
        return self._original.replace(
            model=self.model.currentData(),
            model_path=self.model_path.text().strip(),
            language=self.language.currentText().strip() or "en",
            input_device=self.input_device.currentData(),
            dictation_context=self.dictation_context.isChecked(),
            model_idle_unload_s=self.unload.value(),
            hotkey=chord_from_sequence(self.hotkey.keySequence()) or self._original.hotkey,
            hotkey_mode=self.hotkey_mode.currentData(),
            toggle_silence_stop_s=self.silence_stop.value(),
            toggle_max_s=self.max_length.value(),
            partial_text=self.partial_text.isChecked(),
            output_mode=self.output_mode.currentData(),
            sounds=self.sounds.isChecked(),
            notifications=self.notifications.isChecked(),
            notification_text=self.notification_text.isChecked(),
            indicators_enabled=self.indicators.isChecked(),
            history_retention=self.retention.currentData(),
            history_key_backend=self.key_backend.currentData(),
            assistant_enabled=self.assistant.isChecked(),
            spoken_replies=self.spoken.isChecked(),
            llm_enabled=self.llm.isChecked(),
            llm_url=self.llm_url.text().strip(),
            llm_trusted_user=self.llm_trusted_user.text().strip(),
            start_at_login=self.start_at_login.isChecked(),
            **self.dictation.changes(),
        )

    def adopt(self, settings: Settings) -> None:
        """Settings saved elsewhere while this dialog is open (the model manager): take its
        model choice and every field not shown here; what the user edits here stays."""
        self._original = settings
        self.model.setCurrentIndex(max(0, self.model.findData(settings.model)))
        self.model_path.setText(settings.model_path)

    def accept(self) -> None:
        try:
            self.value()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
