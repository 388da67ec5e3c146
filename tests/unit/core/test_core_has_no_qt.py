"""core/ must run without Qt: importing every core module pulls in no PySide6."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

SCRIPT = r"""
import importlib, pkgutil, sys
import trayassist.core as core
names = [m.name for m in pkgutil.walk_packages(core.__path__, "trayassist.core.")]
for name in names:
    importlib.import_module(name)
leaks = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6") or m.startswith("trayassist.ui"))
print(len(names), leaks)
sys.exit(1 if leaks else 0)
"""


def test_importing_all_of_core_loads_no_qt() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    count = int(proc.stdout.split()[0])
    assert count >= 8  # the walk really found the modules
