"""Optional spoken replies through espeak-ng (off by default; the caller decides)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from trayassist.core.assistant.services.apps import Which

MAX_CHARS = 400


class Running(Protocol):
    """A started program (subprocess.Popen)."""

    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...


# Starts argv in the background and writes `stdin` to it (spawn_detached in process.py).
InputSpawner = Callable[[Sequence[str], bytes], "Running | None"]


class EspeakSpeaker:
    def __init__(self, spawn: InputSpawner, which: Which, voice: str = "en-us") -> None:
        self._spawn = spawn
        self._which = which
        self._voice = voice
        self._lock = threading.Lock()
        self._speaking: Running | None = None

    @property
    def available(self) -> bool:
        return self._which("espeak-ng") is not None

    def command(self) -> list[str]:
        """The argv: replies carry notes and list contents, so they go on stdin, never in
        argv (any local user can read /proc/PID/cmdline)."""
        return ["espeak-ng", "-v", self._voice, "--stdin"]

    def say(self, text: str) -> bool:
        """Speak `text` in the background, instead of any reply still being spoken;
        False if espeak-ng is not installed."""
        if not text.strip() or not self.available:
            return False
        with self._lock:
            self._stop()
            self._speaking = self._spawn(self.command(), text[:MAX_CHARS].encode("utf-8"))
        return True

    def hush(self) -> bool:
        """Stop the reply being spoken, if any: the user pressed to talk, and a microphone
        near the speakers would take the app's own voice into what they say."""
        with self._lock:
            return self._stop()

    def _stop(self) -> bool:
        proc, self._speaking = self._speaking, None
        if proc is None or proc.poll() is not None:
            return False
        try:
            proc.terminate()
        except OSError:  # it ended meanwhile
            return False
        return True
