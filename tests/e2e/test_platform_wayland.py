"""Text output on a real Wayland compositor: sway, headless (wlroots' headless backend and
pixman renderer), with Qt windows on the wayland platform plugin.

sway refuses to run as root, so as root it runs as `nobody`; clients connect to its socket.
Verifies wtype reading the text from stdin, wl-clipboard, the focus guard through swaymsg,
and the GNOME/KDE case (no focus source) by hiding sway's IPC socket.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.pulse import wait_for
from tests.support.spies import Spies
from trayassist.platform.output import TextOutput
from trayassist.platform.output.clipboard_wayland import WlClipboard
from trayassist.platform.output.shell import SubprocessShell

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

NOBODY = 65534
LINE_EDIT = r'''
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication, QLineEdit
out = Path(sys.argv[1])
app = QApplication([])
app.setDesktopFileName(sys.argv[2])  # the app_id sway reports
w = QLineEdit()
w.setWindowTitle(sys.argv[2])
w.resize(500, 40)
def save(text):
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
w.textChanged.connect(save)
w.show()
Path(str(out) + ".ready").write_text("1")
app.exec()
'''


@pytest.fixture(scope="module")
def sway() -> Iterator[dict[str, str]]:
    for tool in ("sway", "swaymsg", "wtype", "wl-copy", "wl-paste"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} missing: run `make test` (installs it as root)")
    # Not under pytest's tmp dir: its parents are private to root, and sway runs as nobody.
    runtime = Path(tempfile.mkdtemp(prefix="ta-sway-"))
    conf = runtime / "sway.conf"
    conf.write_text("output HEADLESS-1 resolution 1024x768\n")
    run_as: list[str] = []
    if os.geteuid() == 0:
        os.chown(runtime, NOBODY, NOBODY)
        conf.chmod(0o644)
        run_as = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    runtime.chmod(0o700)
    env = {"PATH": os.environ["PATH"], "HOME": str(runtime), "XDG_RUNTIME_DIR": str(runtime),
           "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1"}
    proc = subprocess.Popen([*run_as, "sway", "-c", str(conf)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        def sockets() -> tuple[list[Path], list[Path]]:
            return (sorted(p for p in runtime.glob("wayland-*") if not p.name.endswith(".lock")),
                    sorted(runtime.glob("sway-ipc.*.sock")))
        if not wait_for(lambda: all(sockets()), 20):
            pytest.skip("sway did not start headless here")
        wl, ipc = sockets()
        yield {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")} | {
            "XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": wl[0].name, "SWAYSOCK": str(ipc[0]),
            "XDG_SESSION_TYPE": "wayland"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(runtime, ignore_errors=True)


class Window:
    def __init__(self, proc: subprocess.Popen[bytes], out: Path, app_id: str) -> None:
        self.proc, self.out, self.app_id = proc, out, app_id

    def text(self) -> str:
        return self.out.read_text(encoding="utf-8") if self.out.exists() else ""


@pytest.fixture
def windows(sway: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    script = tmp_path / "line_edit.py"
    script.write_text(LINE_EDIT)
    opened: list[subprocess.Popen[bytes]] = []

    def open_window(app_id: str) -> Window:
        out = tmp_path / f"{app_id}.txt"
        proc = subprocess.Popen([sys.executable, str(script), str(out), app_id],
                                env=sway | {"QT_QPA_PLATFORM": "wayland"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        opened.append(proc)
        assert wait_for(Path(f"{out}.ready").exists, 20), "Qt Wayland window did not appear"
        win = Window(proc, out, app_id)
        assert wait_for(lambda: _focused_app(sway) == app_id, 10)  # sway focuses new windows
        return win

    yield open_window
    for proc in opened:
        proc.terminate()
        proc.wait(timeout=10)


def _focused_app(env: dict[str, str]) -> str | None:
    got = TextOutput.for_session(env, platform="linux").focus.focused()
    return got[1][0] if got and got[1] else None


def _focus(env: dict[str, str], win: Window) -> None:
    subprocess.run(["swaymsg", f"[app_id={win.app_id}] focus"], env=env, check=True,
                   capture_output=True, timeout=10)
    assert wait_for(lambda: _focused_app(env) == win.app_id, 10)


def test_wtype_types_unicode_from_stdin_into_a_wayland_window(
        sway: dict[str, str], windows: Callable[[str], Window], tmp_path: Path) -> None:
    spies = Spies(tmp_path, path=sway["PATH"])
    env = sway | {"PATH": spies.path}
    out = TextOutput.for_session(env, platform="linux")
    assert out.session == "wayland" and out.focus.tool == "swaymsg"
    win = windows("ta-wl-type")
    out.focus.mark()
    text = "Grüße aus 日本 ✓ typed on Wayland"
    r = out.deliver(text, "type")
    assert r.method == "type:wtype" and r.inserted and r.focus_checked and not r.focus_changed
    assert wait_for(lambda: win.text() == text, 10), repr(win.text())
    (call,) = spies.assert_only_on_stdin(text, "wtype")
    assert call.argv[1:] == ["-s", "30", "-"]


def test_focus_guard_on_sway_copies_instead_of_typing(
        sway: dict[str, str], windows: Callable[[str], Window]) -> None:
    out = TextOutput.for_session(sway, platform="linux")
    first, second = windows("ta-wl-first"), windows("ta-wl-second")
    _focus(sway, first)
    out.focus.mark()
    _focus(sway, second)
    r = out.deliver("meant for the first window", "type")
    assert r.focus_changed and not r.inserted and r.on_clipboard
    assert WlClipboard(SubprocessShell(sway)).get() == "meant for the first window"
    assert first.text() == "" and second.text() == ""


def test_terminals_are_recognised_by_app_id(sway: dict[str, str], windows: Callable[[str], Window]) -> None:
    win = windows("foot")  # a window that says it is the foot terminal
    focus = TextOutput.for_session(sway, platform="linux").focus
    got = focus.focused()
    assert got is not None and got[1] == (win.app_id,)
    assert focus.paste_combo_for(got[1]) == ("ctrl+shift+v", "clipboard")


def test_paste_through_wl_copy_restores_the_text_clipboard(
        sway: dict[str, str], windows: Callable[[str], Window]) -> None:
    clip = WlClipboard(SubprocessShell(sway))
    assert clip.set("previous wayland clipboard")
    out = TextOutput.for_session(sway, platform="linux", method="paste")
    win = windows("ta-wl-paste")
    r = out.deliver("pasted über Wayland", "type")
    assert r.method == "paste:ctrl+v:wl-copy" and r.inserted, r
    assert wait_for(lambda: win.text() == "pasted über Wayland", 10), repr(win.text())
    assert clip.get() == "previous wayland clipboard"
    assert not clip.hints and "no clipboard-history hint" in out.describe()


def test_without_a_focus_source_long_text_is_typed_not_pasted(
        sway: dict[str, str], windows: Callable[[str], Window]) -> None:
    # GNOME and KDE tell no other program which window has focus: sway without its IPC
    # socket stands in for them. Terminals cannot be told apart, so paste keys are a guess.
    env = {k: v for k, v in sway.items() if k != "SWAYSOCK"}
    out = TextOutput.for_session(env, platform="linux")
    assert not out.focus.available and "does not tell" in out.describe()
    win = windows("ta-wl-gnome")
    text = ("Long dictation on a desktop without a focus source. " * 6)[:300]
    r = out.deliver(text, "type")
    assert r.method == "type:wtype" and r.inserted and not r.focus_checked
    assert wait_for(lambda: win.text() == text, 15), repr(win.text())
