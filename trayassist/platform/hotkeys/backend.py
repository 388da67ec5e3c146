"""The hotkey backend interface and the run-time choice between backends."""

from __future__ import annotations

import logging
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from trayassist.platform.hotkeys.chord import Chord

log = logging.getLogger(__name__)

Callback = Callable[[], None]

CLI_HINT = (
    "no global hotkey works in this session; bind the command `trayassist ptt toggle` "
    "(or `ptt press`/`ptt release`) in your desktop's keyboard shortcut settings"
)


class HotkeyBackend(ABC):
    """Watches for one global chord; calls on_press/on_release on its own thread."""

    name: str = "?"

    @abstractmethod
    def available(self) -> tuple[bool, str]:
        """(usable, reason): the reason is shown by `doctor` either way."""

    @abstractmethod
    def start(self, chord: Chord, on_press: Callback, on_release: Callback,
              on_cancel: Callback | None = None) -> None:
        """Begin delivering the chord (and Escape to `on_cancel`, where the backend sees
        other keys); raises HotkeyError when it cannot."""

    @abstractmethod
    def stop(self) -> None:
        """Stop delivering; safe to call twice or before start()."""

    @property
    def is_global(self) -> bool:
        return True


class HotkeyError(RuntimeError):
    """A backend could not start."""


class CliOnlyBackend(HotkeyBackend):
    """No global hotkey: the desktop's own shortcut settings run `trayassist ptt ...`."""

    name = "cli-only"

    def available(self) -> tuple[bool, str]:
        return True, CLI_HINT

    def start(self, chord: Chord, on_press: Callback, on_release: Callback,
              on_cancel: Callback | None = None) -> None:
        log.info("hotkey backend cli-only: %s", CLI_HINT)

    def stop(self) -> None:
        pass

    @property
    def is_global(self) -> bool:
        return False


@dataclass
class BackendChoice:
    """The chosen backend and why each candidate was or was not taken (for `doctor`)."""

    backend: HotkeyBackend
    session: str  # "x11", "wayland", "windows", "macos" or "none"
    tried: list[tuple[str, bool, str]] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"hotkey backend: {self.backend.name} (session {self.session})"]
        lines += [f"  {name}: {'ok' if ok else 'unavailable'} - {why}" for name, ok, why in self.tried]
        return "\n".join(lines)


def session_kind(env: Mapping[str, str], platform: str) -> str:
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "macos"
    if env.get("XDG_SESSION_TYPE") == "wayland" or env.get("WAYLAND_DISPLAY"):
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


def candidate_names(session: str) -> list[str]:
    # pynput under XWayland only sees keys typed into X clients, so it is not offered
    # on Wayland: it would look like it works and then miss most presses.
    return {
        "windows": ["pynput", "cli-only"],
        "macos": ["pynput", "cli-only"],
        "x11": ["pynput", "cli-only"],
        "wayland": ["portal", "cli-only"],
        "none": ["cli-only"],
    }[session]


def default_factories(
    env: Mapping[str, str], app_id: str | None = None
) -> dict[str, Callable[[], HotkeyBackend]]:
    from trayassist.platform.hotkeys.portal import PortalBackend
    from trayassist.platform.hotkeys.pynput_backend import PynputBackend

    return {
        "pynput": lambda: PynputBackend(env),
        "portal": lambda: PortalBackend(env, app_id=app_id),
        "cli-only": CliOnlyBackend,
    }


def select_backend(
    env: Mapping[str, str],
    platform: str = sys.platform,
    prefer: str | None = None,
    factories: Mapping[str, Callable[[], HotkeyBackend]] | None = None,
    app_id: str | None = None,
) -> BackendChoice:
    """Pick the first available backend for this session; `prefer` is tried first.

    Probing may take up to ~3 s (a D-Bus round trip to the portal on Wayland): call it
    off the GUI thread. `app_id` is the installed .desktop file's name without
    ".desktop", which newer portals want registered for unsandboxed apps.
    """
    session = session_kind(env, platform)
    made = factories if factories is not None else default_factories(env, app_id)
    names: Sequence[str] = candidate_names(session)
    if prefer and prefer != "auto":
        names = [prefer, *[n for n in names if n != prefer]]
    tried: list[tuple[str, bool, str]] = []
    for name in names:
        if name not in made:
            tried.append((name, False, "unknown backend"))
            continue
        backend = made[name]()
        try:
            ok, why = backend.available()
        except Exception as exc:  # a probe must never take the app down
            ok, why = False, f"probe failed: {exc}"
        tried.append((name, ok, why))
        if ok:
            choice = BackendChoice(backend, session, tried)
            if len(tried) > 1:
                log.warning("hotkey: fell back to %s; %s", name,
                            "; ".join(f"{n}: {w}" for n, o, w in tried if not o))
            else:
                log.info("hotkey backend %s (%s)", name, why)
            return choice
    return BackendChoice(CliOnlyBackend(), session, tried)  # pragma: no cover - cli-only is last
