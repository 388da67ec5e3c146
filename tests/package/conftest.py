"""The packaged app: one .deb build per session, unpacked into a temp root, run from there."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INPUTS = ("trayassist", "packaging", "resources", "pyproject.toml")
METRICS: dict[str, float | str] = {}
METRICS_FILE = REPO / "build" / "package-metrics.json"


def _version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _newest_input() -> float:
    newest = 0.0
    for name in INPUTS:
        p = REPO / name
        files = [p] if p.is_file() else (f for f in p.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    stamp = REPO / ".venv" / ".installed-test"  # a reinstalled venv can change what gets bundled
    return max(newest, stamp.stat().st_mtime if stamp.exists() else 0.0)


@pytest.fixture(scope="session")
def deb_path() -> Path:
    """dist/trayassist_<version>_<arch>.deb, rebuilt unless newer than every input (minutes)."""
    for tool in ("dpkg-deb", "dpkg"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} missing: the .deb is built and unpacked with dpkg tools (Debian/Ubuntu)")
    deb = REPO / "dist" / f"trayassist_{_version()}_{_arch()}.deb"
    (REPO / "build").mkdir(exist_ok=True)
    # Two sessions must not build into the same build/ and dist/ at once.
    with open(REPO / "build" / "package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if deb.exists() and deb.stat().st_mtime > _newest_input():
            METRICS["build_s"] = "reused fresh dist/"
        else:
            started = time.monotonic()
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
            done = subprocess.run(["sh", "packaging/linux/build.sh", sys.executable], cwd=REPO,
                                  env={**env, "PACKAGES": "deb"}, capture_output=True, text=True, timeout=1200)
            assert done.returncode == 0, f"build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            METRICS["build_s"] = round(time.monotonic() - started, 1)
    assert deb.is_file()
    METRICS["deb_mb"] = round(deb.stat().st_size / 1e6, 1)
    return deb


@dataclass
class Installed:
    """The package unpacked into `root`; commands run its /usr/bin/trayassist, not the source tree."""

    root: Path
    home: Path
    pulse_server: str | None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def launcher(self) -> Path:
        return self.root / "usr" / "bin" / "trayassist"

    def env(self, **extra: str) -> dict[str, str]:
        # A clean environment: no PYTHONPATH, no venv, no DISPLAY unless asked.
        env = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "QT_QPA_PLATFORM": "offscreen"}
        if self.pulse_server:
            env["PULSE_SERVER"] = self.pulse_server
        env.update(self.extra_env)
        env.update(extra)
        return env

    def run(self, *args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.launcher), *args], cwd=self.home, env=self.env(**extra),
                              capture_output=True, text=True, timeout=timeout)


def _pulse_server() -> str | None:
    """The running PulseAudio's socket, so the clean environment still reaches it."""
    if not shutil.which("pactl"):
        return None
    out = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=10).stdout
    for line in out.splitlines():
        if line.startswith("Server String:"):
            server = line.split(":", 1)[1].strip()
            return server if server.startswith(("unix:", "tcp:")) else f"unix:{server}"
    return None


@pytest.fixture(scope="session")
def installed(deb_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Unpacked with `dpkg-deb -x` rather than `dpkg -i`: the test needs no root, leaves the
    system's package database alone and runs beside other sessions. Maintainer scripts are
    not exercised, and the package has none (icon and menu caches are dpkg triggers)."""
    root = tmp_path_factory.mktemp("pkgroot")
    subprocess.run(["dpkg-deb", "-x", str(deb_path), str(root)], check=True, timeout=300)
    home = tmp_path_factory.mktemp("pkghome")
    du = subprocess.run(["du", "-sk", str(root)], capture_output=True, text=True, check=True).stdout
    METRICS["installed_mb"] = round(int(du.split()[0]) / 1024, 1)
    return Installed(root, home, None)


@pytest.fixture(scope="session")
def installed_with_mic(installed: Installed, virtual_mic: str) -> Iterator[Installed]:
    installed.pulse_server = _pulse_server()
    yield installed


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not METRICS:
        return
    terminalreporter.section("packaged app measurements")
    for key, value in METRICS.items():
        terminalreporter.write_line(f"{key}: {value}")
    try:
        METRICS_FILE.write_text(json.dumps(METRICS, indent=2) + "\n", encoding="utf-8")
        terminalreporter.write_line(f"(also written to {METRICS_FILE.relative_to(REPO)})")
    except OSError:
        pass
