"""The tree stays clean: ruff everywhere, mypy over the whole package, strict on core (STYLE.md)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> None:
    if subprocess.run([sys.executable, "-m", name, "--version"], capture_output=True).returncode != 0:
        pytest.skip(f"{name} is not installed (it comes with `make test`)")


def test_ruff() -> None:
    _tool("ruff")
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "trayassist", "tests"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:]


def test_mypy_on_the_package_strict_on_core() -> None:
    _tool("mypy")
    r = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:]
