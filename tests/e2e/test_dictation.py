"""The global hotkey drives a real recording in the running app; the words land in a window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.app import App
from tests.support.desktop import Desktop
from tests.support.speech import assert_heard
from tests.support.windows import Window, focus, line_edit_windows, xdotool

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]


@pytest.fixture
def windows(desktop: Desktop, tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    yield from line_edit_windows(desktop.env(), tmp_path)


def test_hold_the_chord_speak_and_the_text_lands_in_the_focused_window(
        app: App, desktop: Desktop, windows: Callable[[str], Window], speech_dir: Path) -> None:
    said = "Please buy milk and bread on the way home."
    wav = pulse.speak(said, speech_dir / "milk.wav").path
    win = windows("notes")
    assert app.wait_for_log("hotkey listening"), app.log_text()
    env = desktop.env()
    focus(env, win)
    xdotool(env, "keydown", "ctrl+alt+space")
    try:
        assert pulse.wait_for(lambda: app.status()["mic"]["self"], 10), "the chord did not open the mic"
        app.wait_heard()
        pulse.play(wav)
    finally:
        xdotool(env, "keyup", "ctrl+alt+space")
    # Typing lands character by character: wait until the window holds the whole transcript.
    def typed_in_full() -> bool:
        last = app.status()["last"] or {}
        return bool(win.text().strip()) and win.text().strip() == (last.get("text") or "").strip()

    assert pulse.wait_for(typed_in_full, 60), (win.text(), app.status())
    assert_heard(said, win.text())
    assert app.status()["mic"]["self"] is False


def test_a_wrong_chord_does_not_open_the_mic(app: App, desktop: Desktop) -> None:
    assert app.wait_for_log("hotkey listening"), app.log_text()
    env = desktop.env()
    xdotool(env, "keydown", "ctrl+shift+alt+space")
    try:
        assert not pulse.wait_for(lambda: app.status()["mic"]["self"], 1.5)
    finally:
        xdotool(env, "keyup", "ctrl+shift+alt+space")


def test_escape_while_holding_the_chord_discards_what_was_said(
        app: App, desktop: Desktop, windows: Callable[[str], Window], speech_dir: Path) -> None:
    wav = pulse.speak("This sentence must never be typed or kept.", speech_dir / "escape.wav").path
    win = windows("escape")
    assert app.wait_for_log("hotkey listening"), app.log_text()
    before = app.status()["last"]
    env = desktop.env()
    focus(env, win)
    xdotool(env, "keydown", "ctrl+alt+space")
    try:
        assert pulse.wait_for(lambda: app.status()["mic"]["self"], 10), "the chord did not open the mic"
        app.wait_heard()
        pulse.play(wav)
        xdotool(env, "key", "Escape")
        assert pulse.wait_for(lambda: not app.status()["mic"]["self"], 10), "Escape did not close the mic"
    finally:
        xdotool(env, "keyup", "ctrl+alt+space")
    assert pulse.wait_for(lambda: app.status()["state"] in ("idle", "error"), 30)
    assert app.status()["last"] == before and win.text().strip() == ""
    listed = app.cli("history", "list", "--json")
    assert "never be typed" not in listed.stdout + listed.stderr
