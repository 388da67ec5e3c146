"""Services the skills use, as protocols; the composition root hands in real ones, tests fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in the user's local zone."""
        ...


@runtime_checkable
class ItemStore(Protocol):
    """Small records by kind; the encrypted history store implements this."""

    def put_item(self, kind: str, item_id: str, data: dict[str, Any]) -> None: ...

    def get_items(self, kind: str) -> list[dict[str, Any]]:
        """Oldest first; entries as HistoryStore returns them (see `item_data`)."""
        ...

    def delete_item(self, kind: str, item_id: str) -> bool: ...


def item_data(raw: dict[str, Any]) -> dict[str, Any]:
    """The data of one `get_items` entry. HistoryStore returns envelopes
    {"id", "kind", "time", "data"}; plain data dicts are accepted too."""
    data = raw.get("data")
    if isinstance(data, dict) and "kind" in raw:
        out = dict(data)
        out.setdefault("id", raw.get("id"))
        return out
    return dict(raw)


@dataclass(frozen=True)
class Timer:
    id: str
    kind: str  # "timer" or "alarm"
    due: float  # epoch seconds
    label: str = ""
    created: float = 0.0
    seconds: float = 0.0  # the requested duration, for timers

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "due": self.due, "label": self.label,
                "created": self.created, "seconds": self.seconds}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Timer:
        return cls(id=str(d["id"]), kind=str(d.get("kind", "timer")), due=float(d["due"]),
                   label=str(d.get("label", "")), created=float(d.get("created", 0.0)),
                   seconds=float(d.get("seconds", 0.0)))


class TimerService(Protocol):
    def schedule(self, kind: str, due: float, label: str = "", seconds: float = 0.0) -> Timer: ...

    def cancel(self, timer_id: str) -> bool: ...

    def list(self) -> list[Timer]: ...


@dataclass(frozen=True)
class AppEntry:
    """A launchable application as found on this system."""

    name: str
    target: str  # .desktop path, .lnk path or .app bundle path
    generic_name: str = ""
    keywords: tuple[str, ...] = ()
    exec_argv: tuple[str, ...] = ()  # Linux: Exec line with field codes removed


class AppLauncher(Protocol):
    def apps(self) -> list[AppEntry]: ...

    def launch(self, app: AppEntry) -> None: ...

    def folders(self) -> dict[str, Path]:
        """Known folders by spoken name: home, documents, downloads, music, pictures..."""
        ...

    def open_folder(self, path: Path) -> None: ...


class VolumeControl(Protocol):
    def change(self, percent: int) -> None:
        """Raise (positive) or lower (negative) the output volume by `percent` points."""
        ...

    def set(self, percent: int) -> None: ...

    def mute(self, on: bool | None) -> None:
        """Mute (True), unmute (False) or toggle (None)."""
        ...


class HistoryActions(Protocol):
    def delete_last(self) -> bool:
        """Delete the latest utterance before this command; False if there is none."""
        ...

    def forget_since(self, since: datetime) -> int:
        """Delete what was recorded from `since` on (HistoryStore.forget_since); how many."""
        ...


class UndoLog:
    """What the assistant destroyed this session, newest last, with how to put it back.

    Kept in memory only (the undo data is as private as the list it restores) and bounded."""

    LIMIT = 20

    def __init__(self) -> None:
        self._entries: list[tuple[str, Callable[[], str]]] = []

    def push(self, what: str, restore: Callable[[], str]) -> None:
        """`what` names the action ("removing your shopping list"); `restore` undoes it and
        returns the reply."""
        self._entries.append((what, restore))
        del self._entries[:-self.LIMIT]

    def peek(self) -> str | None:
        return self._entries[-1][0] if self._entries else None

    def pop(self) -> Callable[[], str] | None:
        return self._entries.pop()[1] if self._entries else None


Notifier = Callable[[str, str], None]  # (title, message)
StatusSource = Callable[[], dict[str, Any]]  # returns the status JSON dict
Runner = Callable[[Sequence[str]], int]  # runs argv without a shell, returns the exit code


@dataclass
class Context:
    """Everything a skill may touch. Missing services make a skill say so, not crash."""

    clock: Clock
    store: ItemStore
    timers: TimerService | None = None
    launcher: AppLauncher | None = None
    volume: VolumeControl | None = None
    privacy_status: StatusSource | None = None
    history: HistoryActions | None = None
    notify: Notifier | None = None
    undo: UndoLog = field(default_factory=UndoLog)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> tzinfo | None:
        return self.clock.now().tzinfo
