"""Process hardening at start: a crash must not write a core dump holding the decrypted
history or its key, and other programs of the same user must not read our memory."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from dataclasses import dataclass, field

_PR_GET_DUMPABLE, _PR_SET_DUMPABLE = 3, 4
# Windows SetErrorMode flags: no crash dialog box, no "insert disk" prompts.
_SEM_FAILCRITICALERRORS, _SEM_NOGPFAULTERRORBOX, _SEM_NOOPENFILEERRORBOX = 0x0001, 0x0002, 0x8000


@dataclass
class Hardening:
    """What harden_process() managed; `missing` says what could not be done, in words."""

    core_limit_zero: bool = False
    not_dumpable: bool = False
    windows_error_reporting_off: bool = False
    missing: list[str] = field(default_factory=list)


def harden_process(platform: str = sys.platform) -> Hardening:
    """Call first thing at start (idempotent). Linux: RLIMIT_CORE 0 and PR_SET_DUMPABLE 0
    (no core file, whatever core_pattern says; /proc/PID/{fd,environ,mem} closed to other
    processes of the user, ptrace attach refused). macOS/BSD: RLIMIT_CORE 0. Windows: no
    crash dialog and no Windows Error Reporting dump for this executable."""
    done = Hardening()
    if platform == "win32":  # pragma: no cover - not verified here
        _windows(done)
        return done
    _no_core_files(done)
    if platform.startswith("linux"):
        _not_dumpable(done)
    return done


def _no_core_files(done: Hardening) -> None:
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        done.core_limit_zero = resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
    except (ValueError, OSError) as exc:
        done.missing.append(f"core dump limit not set ({type(exc).__name__})")


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _not_dumpable(done: Hardening) -> None:
    try:
        prctl = _libc().prctl
        if prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")
        done.not_dumpable = prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError) as exc:
        done.missing.append(f"process still dumpable ({type(exc).__name__})")


def is_dumpable() -> bool | None:
    """Linux: the kernel's PR_GET_DUMPABLE for this process; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    return bool(_libc().prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0))


def _windows(done: Hardening) -> None:  # pragma: no cover - not verified here
    try:
        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
        kernel32.SetErrorMode(_SEM_FAILCRITICALERRORS | _SEM_NOGPFAULTERRORBOX | _SEM_NOOPENFILEERRORBOX)
        wer = ctypes.WinDLL("wer")  # type: ignore[attr-defined]
        # Excluded applications get no WER report, so no dump is collected for them (per user).
        exe = os.path.basename(sys.executable)
        done.windows_error_reporting_off = wer.WerAddExcludedApplication(ctypes.c_wchar_p(exe), False) == 0
    except (OSError, AttributeError) as exc:
        done.missing.append(f"Windows Error Reporting not turned off ({type(exc).__name__})")
