"""The app's live state as one frozen value: what the tray, the tooltip, the CLI and the
windows render, and what `trayassist status --json` prints (its keys are public)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class State(StrEnum):
    IDLE = "idle"
    LOADING = "loading"  # the speech model is loading
    LISTENING = "listening"  # our microphone stream is open
    TRANSCRIBING = "transcribing"
    ERROR = "error"  # a problem stops push-to-talk (no microphone, model missing…)


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class ProblemKind(StrEnum):
    """Where a problem comes from; each kind is cleared by the part that reported it."""

    CAPTURE = "capture"  # audio capture cannot work at all here (PortAudio missing)
    MICROPHONE = "microphone"
    MODEL = "model"
    HISTORY = "history"
    HOTKEY = "hotkey"
    OUTPUT = "output"
    ASSISTANT = "assistant"
    PRIVACY = "privacy"


# Problems that make a press fail: while one stands, the tray shows the error state.
BLOCKING = frozenset({ProblemKind.CAPTURE, ProblemKind.MICROPHONE, ProblemKind.MODEL})


@dataclass(frozen=True)
class Problem:
    """One thing wrong, for the user: a one-line message and how to fix it."""

    kind: ProblemKind
    message: str
    fix: str = ""

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class ModelStatus:
    name: str
    loaded: bool = False
    path: str | None = None
    state: str = "unloaded"  # unloaded | loading | loaded | error

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "loaded": self.loaded, "path": self.path, "state": self.state}


@dataclass(frozen=True)
class Alert:
    """A program that captures the microphone also sends data out."""

    name: str
    message: str
    pid: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "name": self.name, "message": self.message}


@dataclass(frozen=True)
class NetworkStatus:
    up_bps: float | None = None
    down_bps: float | None = None
    talkers: tuple[Mapping[str, Any], ...] = ()
    self_connections: int | None = None
    self_blocked: int | None = None
    alert: Alert | None = None
    alerts: tuple[Mapping[str, Any], ...] = ()
    per_process_rates: bool = False

    @classmethod
    def from_snapshot(cls, net: Mapping[str, Any]) -> NetworkStatus:
        alert = net.get("alert")
        return cls(up_bps=net.get("up_bps"), down_bps=net.get("down_bps"),
                   talkers=tuple(net.get("talkers") or ()),
                   self_connections=net.get("self_connections"), self_blocked=net.get("self_blocked"),
                   alert=Alert(str(alert.get("name") or ""), str(alert.get("message") or ""), alert.get("pid"))
                   if alert else None,
                   alerts=tuple(net.get("alerts") or ()), per_process_rates=bool(net.get("per_process_rates")))

    def to_json(self) -> dict[str, Any]:
        return {"up_bps": self.up_bps, "down_bps": self.down_bps,
                "talkers": [dict(t) for t in self.talkers],
                "self_connections": self.self_connections, "self_blocked": self.self_blocked,
                "alert": self.alert.to_json() if self.alert else None,
                "alerts": [dict(a) for a in self.alerts], "per_process_rates": self.per_process_rates}


@dataclass(frozen=True)
class LastUtterance:
    record_id: int | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.record_id, "text": self.text}


@dataclass(frozen=True)
class Status:
    state: State
    mic_self: bool = False  # our stream, from the stream itself
    # ... and its device has delivered audio (False: starting, words said now are lost)
    mic_receiving: bool = False
    mic_others: tuple[Mapping[str, Any], ...] = ()
    network: NetworkStatus = field(default_factory=NetworkStatus)
    model: ModelStatus = field(default_factory=lambda: ModelStatus(""))
    last: LastUtterance | None = None
    indicators_paused: bool = False
    problems: tuple[Problem, ...] = ()  # those that stop push-to-talk first

    @property
    def problem(self) -> Problem | None:
        """The problem that stops push-to-talk, if one does."""
        first = self.problems[0] if self.problems else None
        return first if first is not None and first.blocking else None

    @property
    def error(self) -> str | None:
        return self.problem.message if self.problem is not None else None

    def to_json(self) -> dict[str, Any]:
        """The public shape of `trayassist status --json` (tests pin these keys)."""
        return {
            "state": self.state.value,
            "mic": {"self": self.mic_self, "receiving": self.mic_receiving,
                    "others": [dict(o) for o in self.mic_others]},
            "network": self.network.to_json(),
            "model": self.model.to_json(),
            "last": self.last.to_json() if self.last else None,
            "indicators_paused": self.indicators_paused,
            "error": self.error,
            "problems": [p.to_json() for p in self.problems],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Status:
        """Read back what `to_json` wrote (the CLI renders a running app's status with it)."""
        try:
            state = State(raw.get("state", "idle"))
        except ValueError:
            state = State.ERROR
        mic = raw.get("mic") or {}
        model = raw.get("model") or {}
        last = raw.get("last")
        problems = tuple(_problem(p) for p in raw.get("problems") or () if isinstance(p, Mapping))
        if not problems and raw.get("error"):
            problems = (Problem(ProblemKind.MICROPHONE, str(raw["error"])),)
        return cls(
            state=state, mic_self=bool(mic.get("self")),
            mic_receiving=bool(mic.get("receiving", mic.get("self"))),  # an older app: no key
            mic_others=tuple(mic.get("others") or ()),
            network=NetworkStatus.from_snapshot(raw.get("network") or {}),
            model=ModelStatus(str(model.get("name") or ""), bool(model.get("loaded")), model.get("path"),
                              str(model.get("state") or "unloaded")),
            last=LastUtterance(last.get("id"), str(last.get("text") or "")) if isinstance(last, Mapping) else None,
            indicators_paused=bool(raw.get("indicators_paused")), problems=problems)


def _problem(raw: Mapping[str, Any]) -> Problem:
    try:
        kind = ProblemKind(str(raw.get("kind")))
    except ValueError:
        kind = ProblemKind.PRIVACY  # a kind this version does not know: never blocking
    return Problem(kind, str(raw.get("message") or ""), str(raw.get("fix") or ""))
