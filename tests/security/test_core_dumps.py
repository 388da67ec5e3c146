"""A native crash must leave no core dump (it would hold the decrypted history and the
key). Judged by the kernel's own "core dumped" bit in the wait status, whatever
core_pattern says (a file, systemd-coredump, apport), and by no file in the crash's cwd.
Each crash runs with the core limit raised first, so the test does not pass merely
because the machine already forbids dumps; a control without hardening must dump."""

from __future__ import annotations

import os
import resource
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.app import App, app_env
from tests.support.keyring import write_settings
from tests.support.pulse import wait_for

pytestmark = [pytest.mark.security, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux")]

CRASH = textwrap.dedent("""
    import ctypes, os, resource, sys
    os.chdir(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    if sys.argv[1] == "hardened":
        from trayassist.core.hardening import harden_process
        harden_process()
    secret = "canary key material " * 1000  # what a dump would carry
    if sys.argv[2] == "segv":
        ctypes.string_at(0)  # a native read of address 0: SIGSEGV
    os.abort()
""")


def crash(cwd: Path, mode: str, how: str) -> tuple[int, bool]:
    """(signal, core dumped) of a child that crashes in `cwd`."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env.pop("PYTHONFAULTHANDLER", None)
    pid = os.posix_spawn(sys.executable, [sys.executable, "-c", CRASH, mode, how, str(cwd)], env)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status), status
    return os.WTERMSIG(status), os.WCOREDUMP(status)


@pytest.mark.parametrize("how", ["abort", "segv"])
def test_a_real_crash_leaves_no_core_dump(tmp_path: Path, how: str) -> None:
    control = tmp_path / "control"  # core_pattern "core" writes into the crash's cwd
    control.mkdir()
    _sig, dumped = crash(control, "plain", how)
    if not dumped:
        pytest.skip("this machine writes no core dump even for an unhardened crash")
    hardened = tmp_path / "hardened"
    hardened.mkdir()
    sig, dumped = crash(hardened, "hardened", how)
    assert sig in (6, 11) and not dumped
    assert list(hardened.iterdir()) == []


@pytest.mark.e2e
def test_the_running_app_is_hardened_and_a_crash_of_it_dumps_nothing(basedir: Path) -> None:
    write_settings(basedir, history_key_backend="off")
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # the app inherits the loosest limit
    try:
        app = App(basedir, app_env(None)).start()
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
    assert app.proc is not None
    try:
        limits = Path(f"/proc/{app.proc.pid}/limits").read_text()
        core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
        assert core.split()[4:6] == ["0", "0"], core
        # The privacy monitor still reads the app's own sockets once it runs.
        assert wait_for(lambda: app.status()["network"]["self_connections"] == 0 or None, 60)
        os.kill(app.proc.pid, 11)
        _, wait_status = os.waitpid(app.proc.pid, 0)
        assert os.WIFSIGNALED(wait_status) and not os.WCOREDUMP(wait_status)
        app.proc.returncode = -11
    finally:
        if app.proc.returncode is None:
            app.stop()
