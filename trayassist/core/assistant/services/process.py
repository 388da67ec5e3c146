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


def spawn_detached(argv: Sequence[str], stdin: bytes | None = None) -> subprocess.Popen[bytes]:
    """Start a program that outlives us; raises OSError if it cannot start.

    `stdin` is written to the program's standard input (user text travels there, never
    in argv); without it the program reads /dev/null.
    """
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kwargs["start_new_session"] = True
    proc: subprocess.Popen[bytes] = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
        **kwargs)  # type: ignore[call-overload]
    # Feed stdin and reap the program off the caller's thread: a child slow to read must
    # not block the app, and launched apps never linger as zombies of the tray process.
    threading.Thread(target=_feed_and_reap, args=(proc, stdin), name=f"reap-{proc.pid}",
                     daemon=True).start()
    return proc


def _feed_and_reap(proc: subprocess.Popen[bytes], data: bytes | None) -> None:
    if data is not None and proc.stdin is not None:
        try:
            proc.stdin.write(data)
        except OSError as exc:  # the program exited without reading (BrokenPipe)
            log.info("%s did not read its input: %s", proc.args[0], type(exc).__name__)  # type: ignore[index]
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass
    proc.wait()
