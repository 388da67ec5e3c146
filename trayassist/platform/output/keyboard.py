"""Synthetic typing and key combos: xdotool (X11), wtype/ydotool (Wayland), pynput fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from trayassist.platform.output.shell import Shell

log = logging.getLogger(__name__)

# wtype's own sleep before the first key, so the window has our keymap (see type_args).
WTYPE_SETTLE = ("-s", "30")
# Linux input event codes for ydotool's raw `key CODE:1 CODE:0` syntax.
_EVDEV = {"ctrl": 29, "shift": 42, "alt": 56, "v": 47, "insert": 110}


def is_plain_ascii(text: str) -> bool:
    """Text every US-layout keymap can type without remapping keycodes."""
    return all(32 <= ord(c) < 127 or c in "\n\t" for c in text)


class Keyboard:
    """Types text and sends combos ("ctrl+v", "ctrl+shift+v", "shift+insert")."""

    def __init__(
        self,
        shell: Shell,
        session: str,
        pynput_controller: Callable[[], Any] | None = None,
    ) -> None:
        self._shell = shell
        self.session = session
        self._pynput_factory = pynput_controller
        self.tool = self._find_tool()

    def _find_tool(self) -> str | None:
        order = {"x11": ("xdotool",), "wayland": ("wtype", "ydotool")}.get(self.session, ())
        for name in order:
            if self._shell.which(name):
                return name
        return "pynput" if self._pynput_factory is not None else None

    def can_type(self, text: str) -> bool:
        """Whether typing `text` is reliable with this tool.

        xdotool and pynput on X11 remap a spare keycode for each non-keymap character
        and the target app races that remap: measured on Xvfb, xdotool dropped or
        mangled é, ö and 本 even at its default 12 ms delay, so such text is pasted.
        ydotool types scancodes, i.e. only what the keymap has.
        """
        if self.tool is None:
            return False
        if self.tool == "wtype":
            return True  # wtype uploads its own keymap with every character it needs
        if self.tool == "pynput" and self.session in ("windows", "macos"):
            return True  # unicode injection (SendInput / CGEvent) needs no keymap
        return is_plain_ascii(text)

    def type_args(self) -> list[str] | None:
        """The typing command; the text goes to its stdin, never into argv (/proc is world-readable)."""
        if self.tool == "xdotool":
            # --clearmodifiers: the user may still hold Ctrl/Alt of the hotkey.
            return ["xdotool", "type", "--clearmodifiers", "--delay", "0", "--file", "-"]
        if self.tool == "wtype":
            # wtype >= 0.4 reads the text from stdin after a lone "-". It uploads a fresh
            # keymap each run and a window may get the first keys before that keymap: on
            # sway + Qt the first letter was lost in 9 of 25 runs, in none after 30 ms.
            return ["wtype", *WTYPE_SETTLE, "-"]
        if self.tool == "ydotool":
            # ydotool 1.0.0-1.0.1 open() the --file path as given ("-" would be a file named
            # "-"); /dev/stdin works with every version. Escapes are off for files.
            return ["ydotool", "type", "--key-delay", "0", "--file", "/dev/stdin"]
        return None

    def type_text(self, text: str) -> bool:
        if self.tool == "pynput":
            return self._pynput(lambda kb: kb.type(text))
        args = self.type_args()
        if args is None:
            return False
        return self._shell.run(args, input=text.encode("utf-8"), timeout=10.0).ok

    def send_combo(self, combo: str) -> bool:
        keys = combo.lower().split("+")
        if self.tool == "xdotool":
            xkeys = "+".join("Insert" if k == "insert" else k for k in keys)
            return self._shell.run(["xdotool", "key", "--clearmodifiers", xkeys]).ok
        if self.tool == "wtype":
            mods, key = keys[:-1], keys[-1]
            args = ["wtype", *WTYPE_SETTLE]
            for m in mods:
                args += ["-M", m]
            args += ["-k", "Insert" if key == "insert" else key]
            for m in reversed(mods):
                args += ["-m", m]
            return self._shell.run(args).ok
        if self.tool == "ydotool":
            codes = [_EVDEV[k] for k in keys]
            seq = [f"{c}:1" for c in codes] + [f"{c}:0" for c in reversed(codes)]
            return self._shell.run(["ydotool", "key", *seq]).ok
        if self.tool == "pynput":
            return self._pynput(lambda kb: _pynput_combo(kb, keys))
        return False

    def _pynput(self, action: Callable[[Any], None]) -> bool:
        assert self._pynput_factory is not None
        try:
            action(self._pynput_factory())
            return True
        except Exception as exc:  # pynput raises plain Exceptions for unmappable keys
            log.warning("pynput typing failed: %s", exc)
            return False


def _pynput_combo(controller: Any, keys: list[str]) -> None:
    from pynput.keyboard import Key

    mapped = [getattr(Key, k) if len(k) > 1 else k for k in keys]
    for k in mapped:
        controller.press(k)
    for k in reversed(mapped):
        controller.release(k)


def pynput_controller() -> Any:
    """Factory for the real pynput Controller (imported late: it connects to X at import)."""
    from pynput.keyboard import Controller

    return Controller()
