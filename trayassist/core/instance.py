"""Single-instance lock: the first process to lock the file is the tray app.

A lock (not the socket) decides who runs, so many launches at once cannot
both start an app, and a stale socket file left by a crash never blocks us.
The OS drops the lock when the process dies, even on kill -9.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        f = open(self.path, "a+b")  # noqa: SIM115 - held for the life of the app
        os.chmod(self.path, 0o600)
        try:
            if os.name == "nt":  # pragma: no cover
                import msvcrt

                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        self._file = f
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
