"""The icon and the status tell the truth: red exactly while our stream exists (checked
against PulseAudio's own list across many releases), and what was erased is not shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.desktop import Desktop

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]


def red_pixels(desktop: Desktop, path: Path) -> int:
    """How much of our icon (trayer's first slot) is the listening red. Counted, not
    compared byte for byte: a notification balloon may cover a corner of the tray."""
    desktop.screenshot(path)
    img = QImage(str(path)).copy(0, 0, 32, 32).convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(img.constBits())  # `img` must outlive the copy of its bits
    return sum(1 for i in range(0, len(data), 4)  # BGRA
               if data[i + 2] > 170 and data[i + 1] < 100 and data[i] < 100)


def test_never_anything_but_red_while_our_source_output_exists(app: App, desktop: Desktop, tmp_path: Path,
                                                                speech_dir: Path) -> None:
    """Released in the middle of speech, the app keeps its stream for the tail: the icon
    must stay red until PulseAudio no longer lists our stream (it used to turn blue at
    the release, while the microphone was still open)."""
    pid = str(app.proc.pid if app.proc else 0)

    def ours() -> bool:
        return any(o.get("application.process.id") == pid for o in pulse.source_outputs())

    long_wav = pulse.speak("The library closes at six o'clock on Saturday and opens again on Monday morning.",
                           speech_dir / "long-library.wav").path
    assert app.cli("ptt", "press").returncode == 0
    assert pulse.wait_for(lambda: app.status()["state"] == "listening", 5)
    # The panel may still be embedding the icon right after start: wait for the red.
    assert pulse.wait_for(lambda: red_pixels(desktop, tmp_path / "red.png") > 40, 15), "no red icon"
    red = red_pixels(desktop, tmp_path / "red.png")
    assert app.cli("ptt", "release", "--wait").returncode == 0
    samples, while_ours = 0, 0
    for i in range(8):
        assert app.cli("ptt", "press").returncode == 0
        player = pulse.play(long_wav, wait=False)
        pulse.wait_for(lambda: False, 1.0)  # speaking…
        release = app.cli_async("ptt", "release")  # …and the key goes up mid-sentence
        while True:
            pixels = red_pixels(desktop, tmp_path / f"s{i}.png")
            still_ours = ours()  # asked after the picture: the stream existed while it was taken
            samples += 1
            if not still_ours:
                break
            while_ours += 1
            assert pixels > red // 2, f"release {i}: our stream still exists but the icon is not red"
        assert release.wait(60) == 0
        player.wait(30)
        assert pulse.wait_for(lambda: app.status()["state"] == "idle", 60)
    print(f"\n{samples} pictures, {while_ours} of them while our stream still existed")
    assert while_ours >= 8  # the window around each release was really looked at
    assert not ours() and app.status()["mic"]["self"] is False


@pytest.fixture
def history_app(desktop: Desktop, tmp_path: Path, virtual_mic: str) -> Iterator[App]:
    base = tmp_path / "base"
    (base / "config").mkdir(parents=True)
    (base / "config" / "settings.json").write_text(json.dumps({"history_key_backend": "session"}))
    a = App(base, app_env(desktop.display)).start()
    yield a
    a.stop()


def test_status_forgets_what_history_forget_and_wipe_erase(history_app: App, speech_dir: Path) -> None:
    app = history_app
    wav = pulse.speak("Please buy milk and bread on the way home.", speech_dir / "erase-milk.wav").path
    first = app.say(wav)
    assert first["text"] and first["id"] is not None
    assert app.status()["last"] == {"id": first["id"], "text": first["text"]}
    done = app.cli("history", "forget", "--last", "5m")
    assert done.returncode == 0 and "forgot 1 record" in done.stdout, done.stdout + done.stderr
    assert app.status()["last"] is None
    second = app.say(wav)
    assert app.status()["last"]["id"] == second["id"]
    done = app.cli("history", "wipe", "--yes")
    assert done.returncode == 0 and "history wiped" in done.stdout, done.stdout + done.stderr
    assert app.status()["last"] is None
    third = app.say(wav)
    done = app.cli("history", "delete", str(third["id"]))
    assert done.returncode == 0 and "deleted 1 record" in done.stdout, done.stdout + done.stderr
    assert app.status()["last"] is None
