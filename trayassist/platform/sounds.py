"""Short start/stop sounds, played without blocking through whatever player exists."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SOUNDS_DIR = Path(__file__).resolve().parents[2] / "resources" / "sounds"
START_SOUND = SOUNDS_DIR / "start.wav"
STOP_SOUND = SOUNDS_DIR / "stop.wav"

# paplay first: it goes through PulseAudio/PipeWire, like the rest of the desktop.
_PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()), ("pw-play", ()), ("aplay", ("-q",)), ("afplay", ()),
)


def player_command(path: Path, which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    for name, flags in _PLAYERS:
        exe = which(name)
        if exe:
            return [exe, *flags, str(path)]
    return None


def play_sound(
    path: Path,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
    popen: Callable[[Sequence[str]], Any] | None = None,
    winsound: Any = None,
) -> bool:
    """Start playing `path` and return at once; False (silently) when nothing can play it."""
    if not path.is_file():
        log.debug("sound %s missing", path)
        return False
    if platform == "win32":
        if winsound is None:
            import winsound as real_winsound  # Windows only

            winsound = real_winsound
        winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        return True
    command = player_command(path, which)
    if command is None:
        return False
    start = popen or (lambda args: subprocess.Popen(
        list(args), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL))
    try:
        proc = start(command)
    except OSError as exc:
        log.debug("cannot play %s: %s", path, exc)
        return False
    if hasattr(proc, "wait"):
        # Reap the player when it ends so no zombie is left behind.
        threading.Thread(target=proc.wait, name="sound-reaper", daemon=True).start()
    return True
