"""The real CLI against a runtime dir that another user owns: every command that would use
the IPC socket or the instance lock refuses with one line, and nothing is changed there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.support.app import cli

pytestmark = [pytest.mark.security, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a dir of another uid")]
OTHER = 65534


@pytest.mark.parametrize("command", [["run"], ["status", "--json"], ["ptt", "press"], ["quit"],
                                     ["history", "wipe", "--yes"]])
def test_a_runtime_dir_of_another_uid_is_refused(basedir: Path, command: list[str]) -> None:
    runtime = basedir / "runtime"
    runtime.mkdir(mode=0o700)
    os.chown(runtime, OTHER, OTHER)
    r = cli(basedir, *command, timeout=60)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"belongs to uid {OTHER}" in r.stderr and str(runtime) in r.stderr, r.stderr
    st = os.lstat(runtime)
    assert st.st_uid == OTHER and stat.S_IMODE(st.st_mode) == 0o700 and list(runtime.iterdir()) == []
