"""The global hotkey as a service: pick a backend, start it, keep its idea of
"listening" in step with the session, and stop it. Qt-free; runs on the tasks lane."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trayassist.core.config import Settings
from trayassist.core.status import Level, Problem, ProblemKind

if TYPE_CHECKING:
    from trayassist.builder import ServiceBuilder
    from trayassist.core.controller import Controller

log = logging.getLogger(__name__)

NO_HOTKEY = ("No global hotkey works in this session. Bind `trayassist ptt toggle` to a key in your "
             "desktop's shortcut settings.")

Ptt = Callable[[Callable[[], Any]], None]  # runs a push-to-talk action on its lane
Notify = Callable[[str, str, Level], None]


class HotkeyService:
    def __init__(self, builder: ServiceBuilder, controller: Controller, ptt: Ptt, notify: Notify) -> None:
        self._builder = builder
        self._controller = controller
        self._ptt = ptt
        self._notify = notify
        self._hotkey: Any = None  # the HotkeyController (hold / toggle / hybrid logic)
        self._backend: Any = None
        self._listening = False  # what the hotkey was last told

    def start(self, settings: Settings) -> None:
        """Pick and start the backend (the portal may wait on a dialog: call it on a lane)."""
        from trayassist.platform.hotkeys import HotkeyController, parse_chord

        self.stop()
        try:
            chord = parse_chord(settings.hotkey)
        except ValueError as exc:
            self._notify("Hotkey", f"{exc}; use the tray or `trayassist ptt toggle`", Level.WARNING)
            return
        c = self._controller
        hotkey = HotkeyController(settings.hotkey_mode, on_start=lambda: self._ptt(c.press),
                                  on_stop=lambda: self._ptt(c.release), on_cancel=lambda: self._ptt(c.cancel),
                                  on_latch=lambda: self._ptt(c.hands_free))
        self._hotkey = hotkey
        try:
            choice = self._builder.hotkey_backend()
            choice.backend.start(chord, hotkey.press, hotkey.release, hotkey.cancel)
        except Exception as exc:
            log.warning("hotkey backend failed: %s", exc)
            c.report(Problem(ProblemKind.HOTKEY, "no global hotkey works here",
                             "bind `trayassist ptt toggle` to a key in your desktop's settings"))
            self._notify("Hotkey", NO_HOTKEY, Level.WARNING)
            return
        self._backend = choice.backend
        c.clear(ProblemKind.HOTKEY)
        if not choice.backend.is_global:
            self._notify("Hotkey", NO_HOTKEY, Level.INFO)

    def session_listening(self, listening: bool) -> None:
        """Only a change of the session's own listening (a tray click, the CLI) is news
        for the hotkey: between a key press and the press reaching the session, other
        status updates must not make it forget the key is down."""
        if self._hotkey is not None and listening != self._listening:
            self._listening = listening
            self._hotkey.sync(listening)

    def stop(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            backend.stop()
