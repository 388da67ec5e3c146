"""In CI a skip that is not on the allow-list fails the run (tests/conftest.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import unexpected_skips

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_only_listed_skip_reasons_pass() -> None:
    skipped = [("a", "Skipped: this onnxruntime made no lookup even with telemetry on: nothing to prove"),
               ("b", "Skipped: pulseaudio/espeak-ng missing: run `make test`")]
    assert unexpected_skips(skipped) == [skipped[1]]


def test_a_run_with_an_unexpected_skip_fails_in_ci(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text("import pytest\n\n\ndef test_x() -> None:\n    pytest.skip('a missing tool')\n")

    def run(ci: str) -> int:
        env = {"CI": ci, "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
        # The project's conftest as a plugin: its hooks judge the probe's skip.
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                               "--rootdir", str(tmp_path), str(probe)],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120).returncode

    assert run("true") == 1
    assert run("") == 0
