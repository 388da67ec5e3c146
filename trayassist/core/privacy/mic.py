"""Picks the mic watch for this machine at run time, with a logged fallback, and lists every
candidate's health for `doctor`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from trayassist.core.privacy.types import BackendStatus, MicUser, MicWatch, OwnStreamCount

log = logging.getLogger(__name__)


class NoMicWatch:
    """Used when no backend can run: says so instead of pretending nobody captures."""

    name = "none"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def available(self) -> BackendStatus:
        return BackendStatus(self.name, False, self.reason)

    def start(self, on_change: Callable[[], None]) -> None:
        pass

    def stop(self) -> None:
        pass

    def users(self) -> list[MicUser]:
        return []

    def own_streams(self) -> list[MicUser]:
        return []


def candidate_watches(platform: str | None = None, own_count: OwnStreamCount | None = None) -> list[MicWatch]:
    """Backends for this OS, best first (imports are local: each needs its OS).

    `own_count()` is how many capture streams TrayAssist has open right now, counting one
    being opened or closed (the recorder's open state): where programs name their own pid
    (PulseAudio), a stream claiming ours beyond that count is another program's."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        from trayassist.core.privacy.mic_alsa import AlsaMicWatch
        from trayassist.core.privacy.mic_pulse import PulseMicWatch

        return [PulseMicWatch(own_count=own_count), AlsaMicWatch()]
    if platform == "win32":
        from trayassist.core.privacy.mic_windows import WindowsMicWatch

        return [WindowsMicWatch()]
    if platform == "darwin":
        from trayassist.core.privacy.mic_macos import MacMicWatch

        return [MacMicWatch()]
    return []


def choose_mic_watch(candidates: list[MicWatch] | None = None,
                     own_count: OwnStreamCount | None = None) -> tuple[MicWatch, list[BackendStatus]]:
    """The first candidate that can run, plus every candidate's status (for `doctor`).
    `own_count`: see candidate_watches; the app passes its recorder's open state."""
    candidates = candidate_watches(own_count=own_count) if candidates is None else candidates
    statuses: list[BackendStatus] = []
    for watch in candidates:
        status = watch.available()
        statuses.append(status)
        if status.ok:
            if statuses[:-1]:
                log.warning("mic watch: using %s (%s unavailable: %s)", watch.name,
                            ", ".join(s.name for s in statuses[:-1]),
                            "; ".join(s.detail for s in statuses[:-1]))
            else:
                log.info("mic watch: using %s", watch.name)
            return watch, statuses
        log.info("mic watch: %s unavailable: %s", watch.name, status.detail)
    reason = "no mic watch backend can run here: " + (
        "; ".join(f"{s.name}: {s.detail}" for s in statuses) or f"unsupported OS {sys.platform}")
    log.warning("%s", reason)
    return NoMicWatch(reason), statuses
