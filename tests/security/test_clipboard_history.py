"""Clipboard managers keep no copy of what TrayAssist puts on the clipboard, and a paste
gives the previous clipboard back whole.

A stand-in manager (tests/support/fake_klipper.py, its own X client) records every
CLIPBOARD owner change as Klipper sees it; a Qt program plays the previous clipboard owner
with several targets, a binary one large enough to need INCR, and a password manager's hint.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from Xlib import display as xdisplay

from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from tests.support.pulse import wait_for
from tests.support.windows import Window, focus, line_edit_windows
from trayassist.platform.output import TextOutput
from trayassist.platform.output.x11_selection import SelectionTarget, X11Selections

pytestmark = [pytest.mark.security, pytest.mark.timeout(180)]

HELPER_NAME = "TrayAssist selection owner"  # the WM_NAME of our owner window
KLIPPER = Path(__file__).parents[1] / "support" / "fake_klipper.py"
META = {"TARGETS", "TIMESTAMP", "MULTIPLE", "SAVE_TARGETS"}
PASTED = "canary Wq4 für 日本 pasted"
COPIED = "canary Wq4 ✓ copied"
HISTORY = "canary Wq4 ✓ from the history window"

QT_OWNER = r'''
import base64, json, sys
from pathlib import Path
from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication
app = QApplication([])
data = QMimeData()
for name, b64 in json.loads(Path(sys.argv[1]).read_text()).items():
    data.setData(name, base64.b64decode(b64))
app.clipboard().setMimeData(data)
Path(sys.argv[1] + ".ready").write_text("1")
app.exec()
'''


class Manager:
    def __init__(self, env: dict[str, str], log: Path, greedy: bool) -> None:
        self.log = log
        self.proc = subprocess.Popen([sys.executable, str(KLIPPER), str(log), *(["--greedy"] if greedy else [])],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: log.exists() and '"ready"' in log.read_text(), 20), "manager did not start"

    def records(self) -> list[dict[str, Any]]:
        return [r for r in map(json.loads, self.log.read_text().splitlines()) if "ready" not in r]

    def history(self) -> list[str]:
        return [r["text"] for r in self.records() if r.get("text")]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def env(desktop: Desktop) -> dict[str, str]:
    return desktop.env()


@pytest.fixture
def managers(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Manager, Manager]]:
    honouring = Manager(env, tmp_path / "klipper.jsonl", greedy=False)
    greedy = Manager(env, tmp_path / "greedy.jsonl", greedy=True)
    yield honouring, greedy
    honouring.stop()
    greedy.stop()


@pytest.fixture
def windows(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    yield from line_edit_windows(env, tmp_path)


@pytest.fixture
def qt_owner(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[dict[str, bytes]], subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    script = tmp_path / "qt_owner.py"
    script.write_text(QT_OWNER)

    def own(items: dict[str, bytes]) -> subprocess.Popen[bytes]:
        spec = tmp_path / f"owner{len(procs)}.json"
        spec.write_text(json.dumps({k: base64.b64encode(v).decode() for k, v in items.items()}))
        proc = subprocess.Popen([sys.executable, str(script), str(spec)], env=env | {"QT_QPA_PLATFORM": "xcb"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        assert wait_for(Path(f"{spec}.ready").exists, 20), "Qt clipboard owner did not start"
        return proc

    yield own
    for p in procs:
        p.terminate()
        p.wait(timeout=10)


def xclip(env: dict[str, str], target: str) -> bytes | None:
    r = subprocess.run(["xclip", "-selection", "clipboard", "-t", target, "-o"], env=env,
                       capture_output=True, timeout=10)
    return r.stdout if r.returncode == 0 else None


def clipboard_now(env: dict[str, str]) -> dict[str, bytes | None]:
    """Every target the current owner offers, read by an independent client (xclip)."""
    listed = xclip(env, "TARGETS")
    names = set(listed.decode().split()) - META if listed else set()
    return {n: xclip(env, n) for n in sorted(names)}


def owner_of_clipboard(env: dict[str, str]) -> int:
    d = xdisplay.Display(env["DISPLAY"])
    try:
        owner = d.get_selection_owner(d.intern_atom("CLIPBOARD"))
        return int(getattr(owner, "id", owner))
    finally:
        d.close()


def test_all_we_copy_carries_the_hint_before_any_text_is_readable(
        env: dict[str, str], managers: tuple[Manager, Manager], windows: Callable[[str], Window]) -> None:
    honouring, greedy = managers
    out = TextOutput.for_session(env, platform="linux")
    win = windows("ta-hint")
    focus(env, win)
    assert out.deliver(PASTED, "type").method == "paste:ctrl+v:xlib"  # the paste path
    assert wait_for(lambda: win.text() == PASTED, 10)
    assert out.deliver(COPIED, "clipboard").on_clipboard  # clipboard mode, and "copy ..."
    assert wait_for(lambda: COPIED in greedy.history(), 10)  # one copy at a time for the managers
    assert out.copy(HISTORY)  # the History window's copy
    assert xclip(env, "UTF8_STRING") == HISTORY.encode()  # still there for the user to paste

    # The manager that ignores the hint proves each text was readable; in the very
    # TARGETS list it read first, the hint was already offered.
    assert wait_for(lambda: {PASTED, COPIED, HISTORY} <= set(greedy.history()), 10), \
        json.dumps(greedy.records(), indent=1)
    ours = [r for r in greedy.records() if r.get("name") == HELPER_NAME and not r["stale"]]
    assert {r["text"] for r in ours} >= {PASTED, COPIED, HISTORY}
    for r in ours:
        if r["text"] in (PASTED, COPIED, HISTORY):
            assert r["hint"] == "secret"
            assert {"x-kde-passwordManagerHint", "application/x-copyq-hidden"} <= set(r["targets"])
    # The one that honours it (as Klipper and CopyQ do) kept none of it.
    assert wait_for(lambda: len([r for r in honouring.records() if r.get("name") == HELPER_NAME]) >= 3, 10)
    assert not {PASTED, COPIED, HISTORY} & set(honouring.history()), honouring.records()

    # Control: an ordinary copy without the hint is recorded, so the manager does record.
    subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=b"an ordinary copy", env=env,
                   check=True, timeout=10)
    assert wait_for(lambda: "an ordinary copy" in honouring.history(), 10)


def test_a_paste_gives_back_every_target_of_the_previous_clipboard(
        env: dict[str, str], managers: tuple[Manager, Manager], windows: Callable[[str], Window],
        qt_owner: Callable[[dict[str, bytes]], subprocess.Popen[bytes]]) -> None:
    binary = bytes(range(256)) * 2048  # 512 KiB: more than one request, so INCR both ways
    owner = qt_owner({"text/plain": "previous ✓ clipboard".encode(), "text/html": b"<b>previous</b>",
                      "application/x-test-binary": binary})
    before = clipboard_now(env)
    assert before["application/x-test-binary"] == binary and before["text/html"] == b"<b>previous</b>"

    out = TextOutput.for_session(env, platform="linux")
    win = windows("ta-restore-all")
    focus(env, win)
    r = out.deliver(PASTED, "type")
    assert r.inserted and r.method == "paste:ctrl+v:xlib", r
    assert wait_for(lambda: win.text() == PASTED, 10)
    assert clipboard_now(env) == before  # deliver() returns once the old clipboard is back

    owner.terminate()  # the program that copied is gone; its clipboard stays (we hold it)
    owner.wait(timeout=10)
    assert clipboard_now(env) == before
    honouring, _ = managers
    assert PASTED not in honouring.history()


def test_a_password_managers_hint_comes_back_with_its_secret(
        env: dict[str, str], managers: tuple[Manager, Manager], windows: Callable[[str], Window],
        qt_owner: Callable[[dict[str, bytes]], subprocess.Popen[bytes]]) -> None:
    honouring, _ = managers
    qt_owner({"text/plain": b"hunter2-secret", "x-kde-passwordManagerHint": b"secret"})
    assert wait_for(lambda: honouring.records() and honouring.records()[-1].get("skipped"), 10)
    out = TextOutput.for_session(env, platform="linux")
    win = windows("ta-restore-secret")
    focus(env, win)
    assert out.deliver(PASTED, "type").inserted
    assert wait_for(lambda: win.text() == PASTED, 10)
    assert xclip(env, "x-kde-passwordManagerHint") == b"secret"
    assert xclip(env, "UTF8_STRING") == b"hunter2-secret"
    restored = [r for r in honouring.records() if r.get("name") == HELPER_NAME]
    assert wait_for(lambda: len([r for r in honouring.records() if r.get("name") == HELPER_NAME]) >= 2, 10), restored
    assert "hunter2-secret" not in honouring.history() and PASTED not in honouring.history()


def test_pasted_text_does_not_stay_on_an_empty_clipboard(
        env: dict[str, str], windows: Callable[[str], Window]) -> None:
    sel = X11Selections(env)
    sel.clear("CLIPBOARD", sel.own("CLIPBOARD", [SelectionTarget("UTF8_STRING", b"x")]))
    sel.close()
    assert owner_of_clipboard(env) == 0
    out = TextOutput.for_session(env, platform="linux")
    win = windows("ta-clear")
    focus(env, win)
    assert out.deliver(PASTED, "type").inserted
    assert wait_for(lambda: win.text() == PASTED, 10)
    assert owner_of_clipboard(env) == 0 and xclip(env, "UTF8_STRING") is None


@pytest.mark.e2e
@pytest.mark.audio
@pytest.mark.model
def test_the_assistants_copy_through_the_app_stays_out_of_the_history(
        desktop: Desktop, env: dict[str, str], basedir: Path, virtual_mic: str, speech_dir: Path,
        managers: tuple[Manager, Manager]) -> None:
    honouring, greedy = managers
    app = App(basedir, app_env(desktop.display)).start()
    try:
        result = app.say(pulse.speak("Copy the purple elephant dances.", speech_dir / "copy.wav").path)
        assert (result["assistant"] or {}).get("skill") == "dictation", result
        assert result["output"]["mode"] == "clipboard" and result["output"]["on_clipboard"], result
        copied = xclip(env, "UTF8_STRING")
        assert copied and b"elephant" in copied.lower()  # there for the user to paste
        assert wait_for(lambda: copied.decode() in greedy.history(), 10), greedy.records()
        assert copied.decode() not in honouring.history()
        mine = [rec for rec in greedy.records() if rec.get("text") == copied.decode()]
        assert mine and all(rec["hint"] == "secret" for rec in mine)
    finally:
        app.stop()


def test_a_copy_made_during_the_paste_is_not_overwritten_by_the_restore(env: dict[str, str]) -> None:
    from trayassist.platform.output import X11Clipboard

    clip = X11Clipboard.for_env(env)
    assert clip.set("the old clipboard")
    previous = clip.snapshot(data=True)
    offer = clip.offer(PASTED)
    assert previous is not None and previous.text() == "the old clipboard" and offer is not None
    subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=b"copied meanwhile", env=env,
                   check=True, timeout=10)
    offer.finish(previous)
    assert xclip(env, "UTF8_STRING") == b"copied meanwhile"
    clip.close()
