"""Optional spoken replies through espeak-ng (off by default; the caller decides)."""

from __future__ import annotations

from trayassist.core.assistant.services.apps import Spawner, Which

MAX_CHARS = 400


class EspeakSpeaker:
    def __init__(self, spawn: Spawner, which: Which, voice: str = "en-us") -> None:
        self._spawn = spawn
        self._which = which
        self._voice = voice

    @property
    def available(self) -> bool:
        return self._which("espeak-ng") is not None

    def say(self, text: str) -> bool:
        """Speak `text` in the background; False if espeak-ng is not installed."""
        if not text.strip() or not self.available:
            return False
        # "--" so a reply starting with "-" is never read as an option.
        self._spawn(["espeak-ng", "-v", self._voice, "--", text[:MAX_CHARS]])
        return True
