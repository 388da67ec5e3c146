"""Linux fallback without a sound server: ALSA capture substreams in /proc/asound that are
RUNNING, with the kernel's owner_pid. Polled at most once a second."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trayassist.core.privacy.mic_polling import PollingMicWatch
from trayassist.core.privacy.types import BackendStatus, MicUser, process_identity


def parse_status(text: str) -> tuple[str, int | None]:
    """(state, owner_pid) of one `sub*/status` file; a closed substream reads just "closed"."""
    state, owner = "closed", None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "state":
            state = value
        elif key == "owner_pid" and value.isdigit():
            owner = int(value)
    return state, owner


def card_name(card_dir: Path) -> str:
    try:
        return (card_dir / "id").read_text().strip() or card_dir.name
    except OSError:
        return card_dir.name


class AlsaMicWatch(PollingMicWatch):
    name = "alsa"

    def __init__(self, root: Path = Path("/proc/asound"), interval_s: float = 1.0,
                 own_pid: int | None = None,
                 identify: Callable[[int], tuple[str | None, str | None]] = process_identity,
                 ) -> None:
        super().__init__(interval_s, own_pid)
        self.root = root
        self._identify = identify

    def available(self) -> BackendStatus:
        if not self.root.is_dir():
            return BackendStatus(self.name, False, f"{self.root} does not exist (no ALSA sound cards)",
                                 "load your sound card's ALSA driver, or run a sound server")
        captures = list(self.root.glob("card*/pcm*c/sub*/status"))
        if not captures:
            return BackendStatus(self.name, False, "no ALSA capture devices found",
                                 "connect a microphone")
        return BackendStatus(self.name, True, f"{len(captures)} capture substream(s); polled "
                             f"every {self.interval_s:g} s (sees the sound server, not its clients)")

    def scan(self) -> list[MicUser]:
        by_pid: dict[int, MicUser] = {}
        for status in sorted(self.root.glob("card*/pcm*c/sub*/status")):
            try:
                state, owner = parse_status(status.read_text())
            except OSError:
                continue  # the substream went away while we looked
            if state != "RUNNING" or owner is None:
                continue
            pcm = status.parent.parent
            device = f"{card_name(pcm.parent)} {pcm.name}"
            prev = by_pid.get(owner)
            if prev is not None:
                by_pid[owner] = MicUser(owner, prev.name, prev.exe, prev.device, prev.streams + 1)
                continue
            name, exe = self._identify(owner)
            by_pid[owner] = MicUser(owner, name or f"pid {owner}", exe, device)
        return [by_pid[p] for p in sorted(by_pid)]
