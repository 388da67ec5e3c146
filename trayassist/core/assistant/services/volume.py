"""System output volume through `pactl` (PulseAudio and PipeWire-Pulse)."""

from __future__ import annotations

from trayassist.core.assistant.context import Runner


class VolumeError(RuntimeError):
    pass


class PactlVolume:
    """VolumeControl on a PulseAudio sink; `runner(argv) -> exit code` is injected."""

    def __init__(self, runner: Runner, sink: str = "@DEFAULT_SINK@") -> None:
        self._run = runner
        self._sink = sink

    def _pactl(self, *args: str) -> None:
        code = self._run(["pactl", *args])
        if code != 0:
            raise VolumeError("pactl is missing" if code == 127
                              else f"pactl failed (exit {code})")

    def change(self, percent: int) -> None:
        self._pactl("set-sink-volume", self._sink, f"{percent:+d}%")

    def set(self, percent: int) -> None:
        self._pactl("set-sink-volume", self._sink, f"{max(0, min(150, percent))}%")

    def mute(self, on: bool | None) -> None:
        self._pactl("set-sink-mute", self._sink, "toggle" if on is None else ("1" if on else "0"))
