"""onnxruntime (loaded for the Silero VAD) carries Microsoft 1DS telemetry that looks up
mobile.events.data.microsoft.com every few seconds. StreamingVad must load it with the
telemetry off. strace sees the DNS connect(2) of native code the audit-hook guard cannot."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.security, pytest.mark.model]

REPO = Path(__file__).resolve().parents[2]
RUN_S = 16  # the first lookup came ~8 s after the session was made (measured)

SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np
    if sys.argv[1] == "unguarded":
        import onnxruntime  # noqa: F401 - imported before the switch: telemetry stays on
    from trayassist.core.transcribe.chunker import StreamingVad
    vad = StreamingVad()
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        vad.feed(np.zeros(1600, dtype=np.float32))
        time.sleep(0.1)  # sleep-ok: paces the VAD feed like a live mic
    print("ok")
""")


def inet_connects(tmp_path: Path, mode: str) -> subprocess.Popen[str]:
    trace = tmp_path / f"{mode}.trace"
    return subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace),
                             sys.executable, "-c", SCRIPT, mode, str(RUN_S)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(not shutil.which("strace"), reason="strace not installed")
def test_vad_loads_onnxruntime_without_telemetry(tmp_path: Path) -> None:
    procs = {mode: inet_connects(tmp_path, mode) for mode in ("guarded", "unguarded")}
    results = {}
    for mode, p in procs.items():
        out, err = p.communicate(timeout=RUN_S + 90)
        assert p.returncode == 0 and "ok" in out, err[-2000:]
        lines = (tmp_path / f"{mode}.trace").read_text().splitlines()
        results[mode] = [line for line in lines if "AF_INET" in line]
    assert results["guarded"] == []
    if not results["unguarded"]:
        pytest.skip("this onnxruntime made no lookup even with telemetry on: nothing to prove")
    assert any("htons(53)" in line for line in results["unguarded"])  # the control saw DNS
