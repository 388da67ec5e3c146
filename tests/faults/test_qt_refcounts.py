"""PySide6 6.12.0's SignalInstance.emit() returns True without taking a reference, so each
emit steals one from True (and the app's IPC path drains None the same way): after a few
thousand signals the app aborts with "Fatal Python error: bool_dealloc"/"none_dealloc".
Found by the soak (the app died at cycle 221); 6.11.3 is clean. Pin: != 6.12.0."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import PySide6
import pytest

pytestmark = [pytest.mark.faults, pytest.mark.ui]

PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, Signal
    app = QCoreApplication([])
    class O(QObject):
        changed = Signal(object)
    o = O()
    o.changed.connect(lambda event: None)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(500):
        o.changed.emit({"state": "idle"})
    after = sys.getrefcount(True), sys.getrefcount(None)
    print(after[0] - before[0], after[1] - before[1])
""")


@pytest.mark.xfail(PySide6.__version__ == "6.12.0", strict=True,
                   reason="PySide6 6.12.0 Signal.emit steals a reference to True; pin PySide6-Essentials!=6.12.0")
def test_emitting_signals_keeps_refcounts_of_true_and_none() -> None:
    # A child process: the probe damages the refcounts of the interpreter it runs in.
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr[-2000:]
    true_delta, none_delta = map(int, r.stdout.split())
    assert abs(true_delta) < 10 and abs(none_delta) < 10, (true_delta, none_delta)
