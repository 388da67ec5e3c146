"""harden_process() in a child process: it reads back its own core limit and the
kernel's dumpable flag, and what the app reads of itself in /proc still works."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.unit, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux")]

CHILD = textwrap.dedent("""
    import json, os, resource, socket
    # Start from the loosest setting, whatever the test runner inherited.
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    from trayassist.core.hardening import harden_process, is_dumpable
    before = is_dumpable()
    done = harden_process()
    done_twice = harden_process()  # idempotent
    s = socket.socket()  # what the privacy monitor looks for: our own socket inodes
    pid = os.getpid()
    links = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:
            pass
    import psutil
    me = psutil.Process(pid)
    print(json.dumps({
        "before": before, "after": is_dumpable(), "limit": list(resource.getrlimit(resource.RLIMIT_CORE)),
        "done": [done.core_limit_zero, done.not_dumpable, done.missing],
        "twice": [done_twice.core_limit_zero, done_twice.not_dumpable, done_twice.missing],
        "own_sockets": sum(link.startswith("socket:") for link in links),
        "rss": me.memory_info().rss > 0, "fds": me.num_fds() > 0,
        "status": "VmRSS" in open(f"/proc/{pid}/status").read(),
    }))
""")


def test_the_child_reads_back_no_core_limit_and_not_dumpable() -> None:
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["before"] is True and got["after"] is False
    assert got["limit"] == [0, 0]
    assert got["done"] == [True, True, []] and got["twice"] == [True, True, []]
    # PR_SET_DUMPABLE 0 makes /proc/PID/* root-owned, but a process still reads its own.
    assert got["own_sockets"] >= 1 and got["rss"] and got["fds"] and got["status"]
