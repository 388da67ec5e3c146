"""Linking a network talker to a program on the microphone: same process, same app, same
pipeline (process group), and the alert that follows even at a compressed-audio rate."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trayassist.core.privacy.alerts import find_alerts
from trayassist.core.privacy.links import ProcessLinks, job_of
from trayassist.core.privacy.net import Talker
from trayassist.core.privacy.types import MicUser

pytestmark = pytest.mark.unit

# pid -> (process group, session): 10|11 a pipeline; 20 alone; 30..49 a session's catch-all.
JOBS = {10: (10, 5), 11: (10, 5), 20: (20, 5), 12: (10, 6), 1: (1, 1), 2: (1, 1)}
JOBS |= {p: (30, 30) for p in range(30, 50)}


def links(roots: dict[int, int] | None = None) -> ProcessLinks:
    return ProcessLinks(root=lambda p: (roots or {}).get(p, p), job=JOBS.get, all_pids=lambda: list(JOBS))


@pytest.mark.parametrize(("mic", "talker", "why"), [
    ((10, "/usr/bin/pacat"), (10, "/usr/bin/pacat"), "same process"),
    ((10, "/usr/bin/pacat"), (11, "/usr/bin/curl"), "same pipeline"),
    ((10, "/usr/bin/pacat"), (20, "/usr/bin/curl"), None),  # another job
    ((10, "/usr/bin/pacat"), (12, "/usr/bin/curl"), None),  # same group number, other session
    ((1, "/sbin/init"), (2, "/usr/bin/curl"), None),  # init's group is everyone's
    ((30, "/usr/bin/pacat"), (31, "/usr/bin/curl"), None),  # 20 processes: not a pipeline
])
def test_link(mic: tuple[int, str], talker: tuple[int, str], why: str | None) -> None:
    assert links().link(mic[0], mic[1], talker[0], talker[1]) == why


def test_same_app_by_executable_and_root() -> None:
    chrome = "/opt/google/chrome/chrome"
    assert links({40: 30, 41: 30}).link(40, chrome, 41, chrome) == "same app"
    assert links().link(40, chrome, 41, chrome) is None  # two unrelated copies


def test_a_pipeline_uploading_compressed_audio_alerts() -> None:
    """`parec | curl -T -` at 3 kB/s, far below the tray's 20 kB/s arrow."""
    parec = MicUser(10, "parec", "/usr/bin/pacat", "vmic")
    curl = Talker(11, "curl", "/usr/bin/curl", 1, 3000.0)
    alerts = find_alerts([parec], [curl], set(), links())
    a = alerts["/usr/bin/pacat"]
    assert a["message"] == "parec is recording and curl (same pipeline) is uploading"
    assert a["up_bps"] == 3000.0 and a["linked"] == [
        {"pid": 11, "name": "curl", "exe": "/usr/bin/curl", "why": "same pipeline"}]
    assert find_alerts([parec], [curl], {"/usr/bin/pacat"}, links()) == {}  # "I expect this"
    idle = Talker(11, "curl", "/usr/bin/curl", 2, 0.0)
    assert find_alerts([parec], [idle], set(), links())["/usr/bin/pacat"]["message"] == (
        "parec is recording and curl (same pipeline) has 2 outbound connections")


def test_job_of_real_processes() -> None:
    import psutil

    from tests.support.pulse import wait_for

    sh = subprocess.Popen(["sh", "-c", "sleep 30 | sleep 30"], start_new_session=True)  # a job, as in a terminal
    try:
        assert wait_for(lambda: len(psutil.Process(sh.pid).children()) == 2, 5)
        a, b = psutil.Process(sh.pid).children()
        assert job_of(a.pid) == job_of(b.pid) == (sh.pid, sh.pid)
        real = ProcessLinks()
        assert real.link(a.pid, "/bin/sleep", b.pid, "/bin/other") == "same pipeline"
        assert real.link(a.pid, "/bin/sleep", os.getpid(), sys.executable) is None
    finally:
        os.killpg(sh.pid, 9)
        sh.wait()
