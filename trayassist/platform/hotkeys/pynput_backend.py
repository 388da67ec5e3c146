"""Global hotkey through pynput (X11 via XRecord, Windows hooks, macOS event taps)."""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from trayassist.platform.hotkeys.backend import Callback, HotkeyBackend, HotkeyError
from trayassist.platform.hotkeys.chord import Chord, ChordMatcher

log = logging.getLogger(__name__)

# With Shift held X11 reports the shifted symbol; map it back so "ctrl+shift+1" matches.
# (US layout; other layouts' shifted digits fall through and such chords may not fire.)
_UNSHIFT = dict(zip('!@#$%^&*()_+{}|:"<>?~', "1234567890-=[]\\;',./`", strict=True))

# X keysyms pynput reports as bare virtual keys. With Shift held, the US keymap turns
# Alt_L into Meta_L, so Ctrl+Shift+Alt pressed and released in a different order would
# otherwise leave a phantom key held and block every later chord.
_X11_KEYSYMS = {0xFFE7: "alt_l", 0xFFE8: "alt_r", 0xFE03: "alt_gr", 0xFF7E: "alt_gr"}


def key_name(key: Any) -> str | None:
    """Raw key name for the ChordMatcher from a pynput Key or KeyCode (duck-typed)."""
    name = getattr(key, "name", None)  # pynput.keyboard.Key enum members
    if isinstance(name, str):
        return name  # "ctrl_l", "alt_gr", "cmd", "space", "f9": ChordMatcher normalises
    char = getattr(key, "char", None)
    if isinstance(char, str) and char:
        if len(char) == 1 and ord(char) < 32:
            # Windows reports Ctrl+letter as a control character (Ctrl+A is \x01).
            return chr(ord(char) + 96)
        return _UNSHIFT.get(char, char.lower())
    vk = getattr(key, "vk", None)
    if vk is None:
        return None
    return _X11_KEYSYMS.get(vk, f"vk{vk}")


def _guarded(feed: Callable[[str], None], key: Any) -> None:
    # An exception escaping a pynput callback stops the listener for good: one bug in
    # the app's on_start must not leave the user without a hotkey.
    try:
        name = key_name(key)
        if name is not None:
            feed(name)
    except Exception:
        log.exception("hotkey callback failed")


class PynputBackend(HotkeyBackend):
    """Listens to every key event and matches the chord itself.

    Callbacks run on pynput's listener thread. On X11 pynput connects to the display in
    the process environment's DISPLAY (Xlib reads it), so `env` is only used to decide
    availability; the app's DISPLAY is the one pynput uses.
    """

    name = "pynput"

    def __init__(self, env: Mapping[str, str], platform: str = sys.platform) -> None:
        self._env = env
        self._platform = platform
        self._listener: Any = None
        self._lock = threading.Lock()
        self.matcher: ChordMatcher | None = None
        self.start_timeout_s = 5.0

    def available(self) -> tuple[bool, str]:
        if self._platform.startswith("linux") and not self._env.get("DISPLAY"):
            return False, "no X display (DISPLAY is not set)"
        try:
            self._check_display(self._env.get("DISPLAY", ""))
        except HotkeyError as exc:
            return False, str(exc)
        try:
            from pynput import keyboard  # noqa: F401  (connects to X at import)
        except Exception as exc:  # ImportError, or Xlib errors on a dead display
            return False, f"pynput cannot start: {str(exc).splitlines()[0]}"
        return True, "pynput keyboard listener"

    def start(self, chord: Chord, on_press: Callback, on_release: Callback,
              on_cancel: Callback | None = None) -> None:
        try:
            from pynput import keyboard
        except Exception as exc:
            raise HotkeyError(f"pynput unavailable: {exc}") from exc
        with self._lock:
            self._stop_locked()
            matcher = ChordMatcher(chord, on_press, on_release, on_cancel)
            self.matcher = matcher

            def down(key: Any) -> None:
                _guarded(matcher.key_down, key)

            def up(key: Any) -> None:
                _guarded(matcher.key_up, key)

            self._check_display(os.environ.get("DISPLAY", ""))  # what pynput's Xlib uses
            listener = keyboard.Listener(on_press=down, on_release=up)
            listener.daemon = True
            listener.start()
            # pynput's wait() never returns if the thread dies before it is ready,
            # so wait for it from a helper thread with a deadline.
            ready = threading.Event()
            def wait_ready() -> None:
                listener.wait()
                ready.set()

            threading.Thread(target=wait_ready, name="pynput-ready", daemon=True).start()
            if not ready.wait(self.start_timeout_s) or not listener.running:
                listener.stop()
                raise HotkeyError("pynput listener did not start")
            self._listener = listener
            log.info("pynput hotkey listening for %s", chord)

    def _check_display(self, display: str) -> None:
        # Xlib would leak sockets (and try TCP) on a dead display, and pynput's thread
        # would die with a traceback; a plain connect to the local socket says it first.
        match = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
        if not self._platform.startswith("linux") or match is None:
            return
        path = f"/tmp/.X11-unix/X{match.group(1)}"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(path)
            except OSError as exc:
                raise HotkeyError(f"cannot open the X display {display}: {exc.strerror}") from exc

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.stop()
        # On X11 pynput queues the RECORD disable request on the data connection its
        # thread is blocked reading, so the thread only ends at the next key event.
        # The RECORD spec wants the disable sent on another connection: do that.
        stop_display = getattr(listener, "_display_stop", None)
        context = getattr(listener, "_context", None)
        if stop_display is not None and context is not None:
            try:
                stop_display.record_disable_context(context)
                stop_display.flush()
            except Exception:  # already closed: the thread is ending anyway
                pass
        if listener is not threading.current_thread():
            listener.join(timeout=2)
            if listener.is_alive():
                log.warning("pynput listener did not stop within 2 s")
