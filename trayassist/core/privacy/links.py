"""Which network talker belongs with which program on the microphone: the same process,
the same app (Chrome's audio and network processes), or the same job (`parec | curl -T -`:
a pipeline is one process group, whatever the executables)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import psutil

# A process group this large is a session's catch-all (apps started without a job of
# their own), not a pipeline or a script's children: linking through it would alarm on
# unrelated programs.
MAX_JOB_SIZE = 16


def app_root(pid: int) -> int:
    """The topmost ancestor running the same executable: Chrome's audio and network
    processes share one, two unrelated python scripts do not."""
    try:
        proc = psutil.Process(pid)
        exe = proc.exe()
        while True:
            parent = proc.parent()
            if parent is None or parent.pid <= 1 or parent.exe() != exe:
                return int(proc.pid)
            proc = parent
    except (psutil.Error, OSError):
        return pid


def job_of(pid: int) -> tuple[int, int] | None:
    """(process group, session) of a process; None when it is gone."""
    try:
        return os.getpgid(pid), os.getsid(pid)
    except OSError:
        return None


@dataclass
class ProcessLinks:
    """Answers "is talker T part of mic user U?" for one evaluation (results are cached;
    make a new one each tick)."""

    root: Callable[[int], int] = app_root
    job: Callable[[int], tuple[int, int] | None] = job_of
    all_pids: Callable[[], list[int]] = psutil.pids
    max_job_size: int = MAX_JOB_SIZE

    def __post_init__(self) -> None:
        self._roots: dict[int, int] = {}
        self._jobs: dict[int, tuple[int, int] | None] = {}
        self._sizes: dict[int, int] | None = None

    def _root(self, pid: int) -> int:
        if pid not in self._roots:
            self._roots[pid] = self.root(pid)
        return self._roots[pid]

    def _job(self, pid: int) -> tuple[int, int] | None:
        if pid not in self._jobs:
            self._jobs[pid] = self.job(pid)
        return self._jobs[pid]

    def _job_size(self, pgid: int) -> int:
        if self._sizes is None:
            sizes: dict[int, int] = {}
            for pid in self.all_pids():
                job = self._job(pid)
                if job is not None:
                    sizes[job[0]] = sizes.get(job[0], 0) + 1
            self._sizes = sizes
        return self._sizes.get(pgid, 0)

    def link(self, mic_pid: int, mic_exe: str | None, talker_pid: int, talker_exe: str | None) -> str | None:
        """Why the talker belongs with the mic user ("same process", "same app", "same
        pipeline"), or None when it does not."""
        if talker_pid == mic_pid:
            return "same process"
        if mic_exe and talker_exe == mic_exe and self._root(talker_pid) == self._root(mic_pid):
            return "same app"
        mine, theirs = self._job(mic_pid), self._job(talker_pid)
        if mine is None or mine != theirs or mine[0] <= 1:
            return None
        return "same pipeline" if self._job_size(mine[0]) <= self.max_job_size else None
