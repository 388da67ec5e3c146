"""Optional spoken replies through espeak-ng (off by default; the caller decides)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trayassist.core.assistant.services.apps import Which

MAX_CHARS = 400

# Starts argv in the background and writes `stdin` to it (spawn_detached in process.py).
InputSpawner = Callable[[Sequence[str], bytes], None]


class EspeakSpeaker:
    def __init__(self, spawn: InputSpawner, which: Which, voice: str = "en-us") -> None:
        self._spawn = spawn
        self._which = which
        self._voice = voice

    @property
    def available(self) -> bool:
        return self._which("espeak-ng") is not None

    def command(self) -> list[str]:
        """The argv: replies carry notes and list contents, so they go on stdin, never in
        argv (any local user can read /proc/PID/cmdline)."""
        return ["espeak-ng", "-v", self._voice, "--stdin"]

    def say(self, text: str) -> bool:
        """Speak `text` in the background; False if espeak-ng is not installed."""
        if not text.strip() or not self.available:
            return False
        self._spawn(self.command(), text[:MAX_CHARS].encode("utf-8"))
        return True
