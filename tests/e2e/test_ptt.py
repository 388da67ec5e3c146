"""Push-to-talk through the real app: virtual mic, real model, driven by the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support import pulse
from tests.support.app import App
from tests.support.desktop import Desktop
from tests.support.speech import assert_heard

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]

SENTENCE = "Please buy milk and bread on the way home."
KEY_WORDS = ("buy", "milk", "bread", "home")


def _tray_pixels(desktop: Desktop, path: Path) -> bytes:
    desktop.screenshot(path)
    img = QImage(str(path))
    tray = img.copy(0, 0, 64, 32).convertToFormat(QImage.Format.Format_RGB32)  # trayer sits top-left
    return bytes(tray.constBits())  # `tray` must outlive the copy of its bits


def test_spoken_words_come_back_as_text(app: App, speech_dir: Path) -> None:
    wav = pulse.speak(SENTENCE, speech_dir / "milk.wav").path
    result = app.say(wav)
    words = result["text"].lower()
    assert sum(w in words for w in KEY_WORDS) >= 3, result["text"]
    assert result["timings"]["release_to_text"] is not None
    status = app.status()
    assert status["state"] == "idle" and status["mic"]["self"] is False
    assert status["last"]["text"] == result["text"]


def test_icon_changes_between_idle_and_listening(app: App, desktop: Desktop, tmp_path: Path) -> None:
    idle = _tray_pixels(desktop, tmp_path / "idle.png")
    assert app.cli("ptt", "press").returncode == 0
    try:
        assert app.status()["mic"]["self"] is True
        listening = _tray_pixels(desktop, tmp_path / "listening.png")
    finally:
        app.release()
    assert idle != listening
    changed = sum(a != b for a, b in zip(idle, listening, strict=True))
    assert changed > 40  # a real repaint of the glyph, not one stray pixel


def test_mic_is_closed_whenever_status_says_idle(app: App) -> None:
    pid = app.proc.pid
    ours = lambda: [o for o in pulse.source_outputs() if o.get("application.process.id") == str(pid)]  # noqa: E731
    assert app.status()["state"] in ("idle", "error") and ours() == []
    assert app.cli("ptt", "press").returncode == 0
    assert pulse.wait_for(lambda: len(ours()) == 1, 5)
    app.release()
    assert pulse.wait_for(lambda: ours() == [], 5)
    assert app.status()["mic"]["self"] is False


def test_very_short_press_gives_no_text(app: App) -> None:
    assert app.cli("ptt", "press").returncode == 0
    result = app.release()
    assert result["text"] == "" and result["reason"] in ("too_short", "no_speech")


def test_silence_gives_no_hallucinated_text(app: App, speech_dir: Path) -> None:
    wav = pulse.silence(speech_dir / "silence.wav", 2.5)
    result = app.say(wav)
    assert result["text"] == "", result


def test_missing_microphone_is_a_clear_error_and_the_next_press_works(app: App, speech_dir: Path) -> None:
    pulse.remove_virtual_mic()
    try:
        # PulseAudio falls back to another source (virt.monitor) when vmic goes: the press
        # still works. What must hold: no crash, and status stays truthful.
        r = app.cli("ptt", "press", timeout=60)
        if r.returncode != 0:
            assert r.stderr.count("\n") == 1 and "trayassist: error:" in r.stderr
            assert app.status()["state"] == "error"
        else:
            app.release()
    finally:
        pulse.add_virtual_mic()
    wav = pulse.speak(SENTENCE, speech_dir / "milk.wav").path
    assert_heard(SENTENCE, app.say(wav)["text"])


def test_transcribe_cli_on_files(tmp_path: Path, speech_dir: Path) -> None:
    good = pulse.speak(SENTENCE, speech_dir / "milk.wav").path
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    from tests.support.app import cli

    r = cli(tmp_path / "base", "transcribe", str(good), str(bad), "--json", timeout=300)
    assert r.returncode == 1
    results = json.loads(r.stdout)
    assert results[0]["error"] is None
    assert_heard(SENTENCE, results[0]["text"])
    assert results[1]["error"] and r.stderr.count("\n") == 1


def test_status_reports_another_program_on_the_mic(app: App) -> None:
    parec = subprocess.Popen(["parec", "-d", pulse.SOURCE], stdout=subprocess.DEVNULL)
    try:
        assert pulse.wait_for(lambda: any(o["pid"] == parec.pid for o in app.status()["mic"]["others"]), 2)
        entry = next(o for o in app.status()["mic"]["others"] if o["pid"] == parec.pid)
        assert entry["exe"].endswith("parec") or entry["exe"].endswith("pacat")
    finally:
        parec.terminate()
        parec.wait(5)
    assert pulse.wait_for(lambda: all(o["pid"] != parec.pid for o in app.status()["mic"]["others"]), 2)


def test_pressing_to_talk_stops_a_spoken_reply(desktop: Desktop, basedir: Path, virtual_mic: str,
                                                speech_dir: Path) -> None:
    """With spoken replies on, a press while the app is still speaking stops it: next to a
    real microphone, the app's own voice would otherwise be part of what the user says."""
    import psutil

    from tests.support.app import app_env
    from tests.support.keyring import write_settings

    write_settings(basedir, spoken_replies=True)
    app = App(basedir, app_env(desktop.display)).start()
    try:
        said = pulse.speak("Take a note that the quarterly report needs three more charts "
                           "before the meeting on Thursday.", speech_dir / "hush-note.wav")
        noted = app.say(said.path)
        assert (noted["assistant"] or {}).get("skill") == "notes", app.explain(noted)
        assert app.proc is not None
        me = psutil.Process(app.proc.pid)

        def speaking() -> list[psutil.Process]:
            return [c for c in me.children() if c.name() == "espeak-ng"]

        assert pulse.wait_for(lambda: bool(speaking()), 20), app.log_tail()
        app.press()
        assert app.wait_for_log("spoken reply stopped: push-to-talk pressed", 10), app.log_tail()
        assert pulse.wait_for(lambda: not speaking(), 10), app.log_tail()
        app.release()
    finally:
        app.stop()
