"""The live caption: shows what is heard while listening, never takes focus, hides at release."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from trayassist.core.events import EventBus, PartialText
from trayassist.core.status_text import STARTING
from trayassist.ui.bridge import Bridge
from trayassist.ui.partial_overlay import MAX_CHARS, SLOW_START_MS, SPEAK, PartialOverlay

pytestmark = pytest.mark.ui


def test_it_never_takes_focus_or_input(qtbot) -> None:
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    flags = overlay.windowFlags()
    for flag in (Qt.WindowType.Tool, Qt.WindowType.FramelessWindowHint, Qt.WindowType.WindowDoesNotAcceptFocus,
                 Qt.WindowType.WindowTransparentForInput, Qt.WindowType.WindowStaysOnTopHint):
        assert flags & flag, flag
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus

    editor = QLineEdit()
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)
    qtbot.keyClicks(editor, "buy ")
    overlay.show_text("Please buy milk", "and bread")
    qtbot.waitUntil(overlay.isVisible)
    qtbot.keyClicks(QApplication.focusWidget(), "milk")
    assert QApplication.focusWidget() is editor and QApplication.activeWindow() is editor
    assert editor.text() == "buy milk"  # every key still went to the editor


def test_it_shows_the_committed_words_and_the_guess_then_hides(qtbot) -> None:
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    overlay.show_text("Please remind me", "to call")
    assert overlay.isVisible()
    text = overlay.label.text()
    assert "Please remind me" in text and "to call" in text and text.index("Please") < text.index("to call")
    overlay.show_text("Please remind me to call", "")
    assert "to call" in overlay.label.text() and "span" not in overlay.label.text()
    overlay.show_text("", "")
    assert not overlay.isVisible()


def test_text_is_escaped_and_a_long_dictation_shows_its_end(qtbot) -> None:
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    overlay.show_text("<b>bold</b> & co", "")
    assert "&lt;b&gt;" in overlay.label.text() and "<b>" not in overlay.label.text()
    words = " ".join(f"word{i}" for i in range(100))
    overlay.show_text(words, "last guess")
    shown = overlay.label.text()
    assert shown.startswith("…") and "word99" in shown and "word1 " not in shown and "last guess" in shown
    assert len(shown) < MAX_CHARS + 80  # the tail, plus the markup of the guess


def test_it_sits_next_to_the_tray_icon_on_screen(qtbot) -> None:
    tray = QRect(4, 2, 24, 24)  # a tray at the top left, as trayer draws it
    overlay = PartialOverlay(anchor=lambda: tray)
    qtbot.addWidget(overlay)
    overlay.show_text("Open the calculator", "")
    area = QApplication.primaryScreen().availableGeometry()
    assert overlay.y() >= tray.bottom() and overlay.y() < area.center().y()
    assert area.contains(overlay.geometry())
    bottom = QRect(area.right() - 30, area.bottom() - 24, 24, 24)
    low = PartialOverlay(anchor=lambda: bottom)
    qtbot.addWidget(low)
    low.show_text("Open the calculator", "")
    assert low.geometry().bottom() <= bottom.top() and area.contains(low.geometry())


def test_partial_text_events_reach_it_through_the_bridge(qtbot) -> None:
    bus = EventBus()
    bridge = Bridge(bus)
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    bridge.partial_text.connect(overlay.on_partial)
    bus.publish(PartialText("Set a timer", "for five"))
    qtbot.waitUntil(overlay.isVisible)
    assert "Set a timer" in overlay.label.text()
    bus.publish(PartialText(""))
    qtbot.waitUntil(lambda: not overlay.isVisible())


def test_a_slow_microphone_says_starting_then_when_to_speak_then_gives_way_to_words(qtbot) -> None:
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    overlay.on_mic(listening=True, receiving=False)
    assert not overlay.isVisible()  # not at once: a usual mic delivers within 50 ms
    qtbot.waitUntil(lambda: overlay.isVisible(), timeout=3000)
    assert overlay.notice == STARTING and "Starting the microphone" in overlay.label.text()
    overlay.on_mic(listening=True, receiving=False)  # the status comes again every second
    assert overlay.notice == STARTING
    overlay.on_mic(listening=True, receiving=True)
    assert overlay.isVisible() and overlay.notice == SPEAK and "speak now" in overlay.label.text()
    overlay.show_text("", "Hello")
    assert overlay.notice == "" and "Hello" in overlay.label.text()
    overlay.on_mic(listening=True, receiving=True)
    assert "Hello" in overlay.label.text()  # words are never replaced by a notice
    overlay.show_text("")
    assert not overlay.isVisible()


def test_a_prompt_microphone_never_shows_a_notice_and_a_release_while_starting_hides_it(qtbot) -> None:
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    overlay.on_mic(listening=True, receiving=False)
    overlay.on_mic(listening=True, receiving=True)  # delivered 30 ms after the press
    qtbot.wait(SLOW_START_MS + 200)
    assert not overlay.isVisible() and overlay.notice == ""
    overlay.on_mic(listening=False, receiving=False)  # that take ended; the next press:
    overlay.on_mic(listening=True, receiving=False)
    qtbot.waitUntil(lambda: overlay.isVisible(), timeout=3000)
    overlay.on_mic(listening=False, receiving=False)  # released before the device delivered
    assert not overlay.isVisible() and overlay.notice == ""


def test_no_starting_notice_after_the_release_while_the_tail_keeps_the_stream_open(qtbot) -> None:
    overlay = PartialOverlay()
    qtbot.addWidget(overlay)
    overlay.on_mic(listening=True, receiving=False)
    overlay.show_text("")  # released at once: the stream stays open through its tail
    overlay.on_mic(listening=True, receiving=False)
    qtbot.wait(SLOW_START_MS + 200)
    assert not overlay.isVisible()
    overlay.on_mic(listening=False, receiving=False)  # closed
    overlay.on_mic(listening=True, receiving=False)  # the next press
    qtbot.waitUntil(lambda: overlay.isVisible(), timeout=3000)
    assert overlay.notice == STARTING
