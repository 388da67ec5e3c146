"""A 600-character transcript landing in a focused Qt QLineEdit on Xvfb (TextOutput)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.report import Budget, Figure
from tests.support.desktop import Desktop
from tests.support.windows import focus, line_edit_windows
from trayassist.platform.output import OutputResult, TextOutput

TEXTS = {
    "ascii": ("The quick brown fox jumps over it. " * 20)[:600],
    "unicode": ("Grüße aus 日本 ✓ " * 60)[:600],
}


@contextlib.contextmanager
def _display(display: str) -> Any:
    # pynput's controller reads DISPLAY from the process environment.
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old


def run(desk: Desktop, runs: int, out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    env = desk.env()
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    with _display(desk.display), tempfile.TemporaryDirectory(prefix="ta-bench-out-") as tmp:
        factory = line_edit_windows(env, Path(tmp))
        open_window = next(factory)
        try:
            output = TextOutput.for_session(env, platform="linux")
            for kind, text in TEXTS.items():
                landed: list[float] = []
                methods: set[str] = set()
                for i in range(runs):
                    win = open_window(f"ta-bench-{kind}-{i}")
                    focus(env, win)
                    output.focus.mark()
                    results: list[OutputResult] = []
                    # deliver() returns after restoring the clipboard, after the text landed:
                    # it runs beside the poll, so the landing time is what is measured.
                    worker = threading.Thread(target=_deliver, args=(output, text, results))
                    start = time.monotonic()
                    worker.start()
                    ok = _wait(lambda w=win, t=text: w.text() == t, 10)
                    took = time.monotonic() - start
                    worker.join(10)
                    if ok:
                        landed.append(took)
                    methods.update(r.method or "?" for r in results)
                    win.proc.terminate()
                out(f"  600 {kind} chars via {sorted(methods)}: landed {[round(v, 3) for v in landed]} s")
                details[kind] = {"landed": landed, "methods": sorted(methods)}
                figures.append(Figure("text output", f"600 {kind} chars land in a QLineEdit", "s", landed,
                                      Budget(0.3, "p50"), note=f"via {', '.join(sorted(methods))}"
                                      + (f"; {runs - len(landed)} of {runs} did not land" if len(landed) < runs
                                         else "")))
        finally:
            factory.close()
    return figures, details


def _deliver(output: TextOutput, text: str, results: list[OutputResult]) -> None:
    results.append(output.deliver(text, "type"))


def _wait(pred: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.002)  # sleep-ok: polling interval of a bounded wait
    return pred()
