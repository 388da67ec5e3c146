"""User text never appears in another program's argv (/proc/PID/cmdline is world-readable).

Spy executables first on PATH log argv and stdin and run the real tool; the real TextOutput,
the real speaker and once the real app (dictation through the virtual mic) run against them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from tests.support.keyring import write_settings
from tests.support.pulse import wait_for
from tests.support.spies import Spies
from tests.support.windows import Window, focus, line_edit_windows
from trayassist.core.assistant.services.process import spawn_detached
from trayassist.core.assistant.services.speech import EspeakSpeaker
from trayassist.platform.output import TextOutput

pytestmark = [pytest.mark.security, pytest.mark.timeout(180)]

TYPED = "canary Zq7 typed words"  # short ASCII: typed by xdotool
PASTED = "canary Zq7 über 日本 pasted"  # non-ASCII: pasted through our clipboard owner


def _cmdlines_with(secret: str) -> list[str]:
    """Every process whose command line holds `secret` (what any local user could read)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if secret.encode() in raw:
            found.append(raw.replace(b"\0", b" ").decode(errors="replace"))
    return found


@pytest.fixture
def spies(tmp_path: Path) -> Spies:
    return Spies(tmp_path)


@pytest.fixture
def windows(desktop: Desktop, tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    if not shutil.which("xdotool"):
        pytest.skip("xdotool missing: run `make test` (installs it as root)")
    yield from line_edit_windows(desktop.env(), tmp_path)


def test_typed_and_pasted_text_never_in_argv(desktop: Desktop, spies: Spies,
                                             windows: Callable[[str], Window]) -> None:
    env = desktop.env() | {"PATH": spies.path}
    out = TextOutput.for_session(env, platform="linux")
    win = windows("ta-argv")
    focus(desktop.env(), win)
    out.focus.mark()
    r = out.deliver(TYPED, "type")
    assert r.method == "type:xdotool", r
    assert wait_for(lambda: win.text() == TYPED, 10), repr(win.text())
    (call,) = spies.assert_only_on_stdin(TYPED, "xdotool")
    assert call.stdin == TYPED.encode()

    r = out.deliver(PASTED, "type")
    assert r.method == "paste:ctrl+v:xlib", r
    assert wait_for(lambda: win.text() == TYPED + PASTED, 10), repr(win.text())
    r = out.deliver(PASTED, "clipboard")  # the helper now holds it: still in no command line
    assert r.on_clipboard
    assert _cmdlines_with(PASTED) == []
    assert all(PASTED not in w for c in spies.calls() for w in c.argv)


def test_spoken_replies_reach_espeak_on_stdin_only(spies: Spies, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", spies.path)  # spawn_detached and which() resolve through PATH
    reply = "Your notes: canary Zq7 buy purple bananas"
    assert EspeakSpeaker(spawn_detached, shutil.which).say(reply)
    assert wait_for(lambda: any(c.tool == "espeak-ng" for c in spies.calls()), 20)
    (call,) = spies.assert_only_on_stdin(reply, "espeak-ng")
    assert "--stdin" in call.argv


def test_real_espeak_speaks_the_whole_reply_from_stdin(tmp_path: Path) -> None:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng missing: run `make test` (installs it as root)")
    speaker = EspeakSpeaker(spawn_detached, shutil.which)
    text = "First sentence of the reply. And a second, longer sentence that follows it."
    lengths = []
    for name, data in (("stdin", text.encode()), ("argv", None)):
        wav = tmp_path / f"{name}.wav"
        args = [*speaker.command(), "-w", str(wav)] if data is not None else \
            ["espeak-ng", "-v", "en-us", "-w", str(wav), "--", text]  # the old way, for scale
        kw = {"input": data} if data is not None else {"stdin": subprocess.DEVNULL}
        subprocess.run(args, check=True, timeout=60, **kw)  # type: ignore[call-overload]
        with wave.open(str(wav)) as w:
            lengths.append(w.getnframes() / w.getframerate())
    assert lengths[0] > 3.0  # both sentences, not just the first line
    assert lengths[0] == pytest.approx(lengths[1], rel=0.05)


@pytest.mark.e2e
@pytest.mark.audio
@pytest.mark.model
def test_dictation_through_the_app_types_and_speaks_via_stdin(
        desktop: Desktop, basedir: Path, virtual_mic: str, speech_dir: Path, spies: Spies,
        windows: Callable[[str], Window]) -> None:
    write_settings(basedir, spoken_replies=True)
    env = app_env(desktop.display) | {"PATH": spies.path}
    app = App(basedir, env).start()
    try:
        win = windows("ta-app-argv")
        focus(desktop.env(), win)
        dictated = app.say(pulse.speak("The purple elephant dances slowly.", speech_dir / "argv-elephant.wav").path)
        text = dictated["text"]  # whatever the model heard is the secret to look for
        assert len(text.split()) >= 3, app.explain(dictated)
        assert dictated["output"]["inserted"], dictated["output"]
        assert wait_for(lambda: win.text() == text, 15), (repr(win.text()), text)
        spies.assert_only_on_stdin(text, "xdotool")

        noted = app.say(pulse.speak("Take a note that the purple bananas are ripe.", speech_dir / "argv-note.wav").path)
        reply = (noted["assistant"] or {}).get("reply")
        assert noted["assistant"]["skill"] == "notes" and reply, app.explain(noted)
        assert wait_for(lambda: any(c.tool == "espeak-ng" for c in spies.calls()), 20)
        spies.assert_only_on_stdin(reply, "espeak-ng")
        assert "banana" in reply.lower()  # the reply carries note text: the case at stake
    finally:
        app.stop()
