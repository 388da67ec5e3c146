"""Small real windows for dictation tests: Qt line edits that mirror their text to a file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.support.pulse import wait_for

UNICODE = "héllo wörld ✓ 日本"

LINE_EDIT = r'''
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication, QLineEdit
out = Path(sys.argv[1])
app = QApplication([])
w = QLineEdit()
w.setWindowTitle(sys.argv[2])
w.resize(500, 40)
def save(text):
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
w.textChanged.connect(save)
w.show()
Path(str(out) + ".ready").write_text(str(int(w.winId())))
app.exec()
'''




def xdotool(env: dict[str, str], *args: str) -> str:
    return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                          timeout=10, check=True).stdout.strip()


class Window:
    def __init__(self, proc: subprocess.Popen[bytes], wid: str, out: Path) -> None:
        self.proc, self.wid, self.out = proc, wid, out

    def text(self) -> str:
        return self.out.read_text(encoding="utf-8") if self.out.exists() else ""



def line_edit_windows(xenv: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    """Factory for small Qt line-edit windows that mirror their text into a file."""
    script = tmp_path / "line_edit.py"
    script.write_text(LINE_EDIT)
    opened: list[subprocess.Popen[bytes]] = []

    def open_window(name: str) -> Window:
        out = tmp_path / f"{name}.txt"
        ready = Path(f"{out}.ready")
        env = xenv | {"QT_QPA_PLATFORM": "xcb"}
        proc = subprocess.Popen([sys.executable, str(script), str(out), name], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        opened.append(proc)
        assert wait_for(ready.exists, 20), "Qt helper window did not appear"
        wid = xdotool(xenv, "search", "--sync", "--name", f"^{name}$").splitlines()[0]
        return Window(proc, wid, out)

    yield open_window
    for proc in opened:
        proc.terminate()
        proc.wait(timeout=10)




def focus(env: dict[str, str], win: Window) -> None:
    xdotool(env, "windowfocus", "--sync", win.wid)
