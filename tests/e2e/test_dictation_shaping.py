"""Dictation the user shaped: spoken marks, fillers and replacements land in a real text field;
`trayassist vocabulary add` reaches the running app's next utterance."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from tests.support.speech import assert_heard
from tests.support.windows import Window, focus, line_edit_windows

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]


@pytest.fixture
def shaped_app(desktop: Desktop, basedir: Path, virtual_mic: str) -> Iterator[App]:
    config = basedir / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({
        "replacements": [["tickets", "passes"]], "history_key_backend": "session"}))
    app = App(basedir, app_env(desktop.display)).start()
    yield app
    app.stop()


@pytest.fixture
def windows(desktop: Desktop, tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    yield from line_edit_windows(desktop.env(), tmp_path)


def test_spoken_punctuation_and_a_replacement_land_in_the_window(
        shaped_app: App, desktop: Desktop, windows: Callable[[str], Window], speech_dir: Path) -> None:
    # Pauses around the spoken marks, as people dictate (tiny.en then writes "noon, period, bring").
    wav = pulse.speak("Meet me at noon, period. Bring the tickets, exclamation point.",
                      speech_dir / "marks.wav").path
    win = windows("dictation")
    focus(desktop.env(), win)
    # Through the CLI rather than the chord: this test is about the text, not the hotkey.
    shaped_app.press()
    pulse.play(wav)
    assert shaped_app.cli("ptt", "release", timeout=60).returncode == 0

    def typed_in_full() -> bool:
        last = shaped_app.status()["last"] or {}
        return bool(win.text().strip()) and win.text().strip() == (last.get("text") or "").strip()

    assert pulse.wait_for(typed_in_full, 60), (win.text(), shaped_app.status())
    typed = win.text()
    assert_heard("Meet me at noon. Bring the passes!", typed)
    assert "period" not in typed.lower() and "exclamation" not in typed.lower(), typed
    assert "passes" in typed and "tickets" not in typed, typed
    assert typed.rstrip().endswith("!") and ". B" in typed, typed


def test_fillers_left_out_but_meaningful_you_know_kept(shaped_app: App, speech_dir: Path) -> None:
    said = "Um, do you know the way to the station?"
    text = shaped_app.say(pulse.speak(said, speech_dir / "fillers.wav").path)["text"]
    assert_heard("Do you know the way to the station?", text)
    assert not text.lower().startswith("um"), text


def test_vocabulary_added_from_the_cli_is_used_for_the_next_utterance(shaped_app: App, speech_dir: Path) -> None:
    wav = pulse.speak("I added a new panel to Grafana.", speech_dir / "grafana.wav").path
    r = shaped_app.cli("vocabulary", "add", "Grafana", "Kubernetes")
    assert r.returncode == 0 and "added: Grafana, Kubernetes" in r.stdout, r.stderr
    assert shaped_app.cli("vocabulary", "list").stdout.splitlines() == ["Grafana", "Kubernetes"]
    result = shaped_app.say(wav)
    assert "Grafana" in result["text"], shaped_app.explain(result)
    # The running app saved it: a restart keeps it.
    settings = json.loads((shaped_app.basedir / "config" / "settings.json").read_text())
    assert settings["vocabulary"] == ["Grafana", "Kubernetes"] and settings["replacements"] == [["tickets", "passes"]]
