"""Running helper programs without a shell: wait for short ones, detach launched apps."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)


def run_quiet(argv: Sequence[str], timeout: float = 5.0) -> int:
    """Run argv and return its exit code; 127 if missing, 124 on timeout."""
    try:
        done = subprocess.run(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout, check=False)
    except FileNotFoundError:
        return 127
    except subprocess.TimeoutExpired:
        return 124
    if done.returncode:
        log.info("%s exited %s: %s", argv[0], done.returncode,
                 done.stderr.decode(errors="replace").strip()[:200])
    return done.returncode


def spawn_detached(argv: Sequence[str]) -> None:
    """Start a program that outlives us; raises OSError if it cannot start."""
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kwargs["start_new_session"] = True
    proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, close_fds=True,
                            **kwargs)  # type: ignore[call-overload]
    # Reap it when it exits, so launched apps never linger as zombies of the tray process.
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
