"""Which window has keyboard focus, whether it is a terminal, and which keys paste into it."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from trayassist.platform.output.shell import Shell

# X11: xdotool and xprop. Wayland: only compositors that tell other programs (sway via
# swaymsg, Hyprland via hyprctl); GNOME and KDE do not, so there the guard says it cannot
# check. Windows: GetForegroundWindow. macOS: no check (it needs accessibility rights).

# WM_CLASS instance/class names (lower case) of terminal emulators, which paste with
# Ctrl+Shift+V because Ctrl+V is a control character to the program inside.
TERMINALS = frozenset({
    "xterm", "uxterm", "gnome-terminal", "gnome-terminal-server", "konsole", "alacritty",
    "kitty", "foot", "footclient", "terminator", "tilix", "org.wezfurlong.wezterm",
    "wezterm", "wezterm-gui", "xfce4-terminal", "mate-terminal", "lxterminal", "qterminal",
    "urxvt", "rxvt", "st", "st-256color", "sakura", "terminology", "guake", "tilda",
    "yakuake", "cool-retro-term", "kgx", "org.gnome.console", "org.gnome.ptyxis", "ptyxis",
    "blackbox", "com.raggesilver.blackbox", "contour", "ghostty", "com.mitchellh.ghostty",
    "rio", "hyper", "tabby", "deepin-terminal", "eterm", "aterm", "x-terminal-emulator",
    "org.kde.konsole", "org.gnome.terminal",
})
# xterm and its kin bind no Ctrl+Shift+V: Shift+Insert pastes PRIMARY there.
PRIMARY_PASTE = frozenset({"xterm", "uxterm", "urxvt", "rxvt", "eterm", "aterm"})

_WM_CLASS = re.compile(r'"((?:[^"\\]|\\.)*)"')


def wayland_focus_tool(shell: Shell, env: Mapping[str, str]) -> str | None:
    """The compositor CLI that reports the focused window, if this compositor has one."""
    if env.get("SWAYSOCK") and shell.which("swaymsg"):
        return "swaymsg"
    if env.get("HYPRLAND_INSTANCE_SIGNATURE") and shell.which("hyprctl"):
        return "hyprctl"
    return None


class FocusTracker:
    """Records the focused window at key press and tells whether it changed since.

    `current()` is None when the focus cannot be known; `changed()` is then None too, and
    `why_unavailable` says why (for doctor and the README).
    """

    def __init__(self, shell: Shell, session: str, env: Mapping[str, str] | None = None,
                 on_mark: Callable[[], None] | None = None,
                 foreground: Callable[[], tuple[str, str] | None] | None = None) -> None:
        self._shell = shell
        self.session = session
        self.marked: str | None = None
        self._on_mark = on_mark
        self._foreground = foreground
        self.tool: str | None = None
        self.why_unavailable = ""
        if session == "x11":
            self.tool = "xdotool" if shell.which("xdotool") else None
            self.why_unavailable = "" if self.tool else "install xdotool"
        elif session == "wayland":
            self.tool = wayland_focus_tool(shell, env or {})
            self.why_unavailable = "" if self.tool else (
                "this Wayland desktop does not tell other programs which window has focus")
        elif session == "windows":
            self.tool = "win32"
            if self._foreground is None and sys.platform == "win32":  # pragma: no cover
                self._foreground = win32_foreground
            if self._foreground is None:
                self.tool, self.why_unavailable = None, "not on Windows"
        else:
            self.why_unavailable = ("macOS lets only apps with accessibility rights see the focused "
                                    "window" if session == "macos" else "no desktop session")
        self.available = self.tool is not None

    def _window(self) -> tuple[str, tuple[str, ...]] | None:
        """(window id, class names) of the focused window."""
        if self.tool == "xdotool":
            win = self._x11_window()
            return (win, self._x11_class(win)) if win else None
        if self.tool == "swaymsg":
            r = self._shell.run(["swaymsg", "-t", "get_tree", "-r"], timeout=2.0)
            node = _sway_focused(json.loads(r.stdout)) if r.ok and r.stdout else None
            if node is None:
                return None
            props = node.get("window_properties") or {}
            names = (node.get("app_id"), props.get("class"), props.get("instance"))
            return str(node.get("id")), tuple(n.lower() for n in names if n)
        if self.tool == "hyprctl":
            r = self._shell.run(["hyprctl", "-j", "activewindow"], timeout=2.0)
            try:
                active: dict[str, Any] = json.loads(r.stdout) if r.ok else {}
            except ValueError:
                active = {}
            if not isinstance(active, dict) or not active.get("address"):
                return None
            classes = (active.get("class"), active.get("initialClass"))
            return str(active["address"]), tuple(str(n).lower() for n in classes if n)
        if self.tool == "win32" and self._foreground is not None:
            got = self._foreground()
            return (got[0], (got[1].lower(),)) if got else None
        return None

    def _x11_window(self) -> str | None:
        # getactivewindow needs an EWMH window manager; getwindowfocus works without one.
        for args in (["xdotool", "getactivewindow"], ["xdotool", "getwindowfocus"]):
            result = self._shell.run(args, timeout=2.0)
            win = result.stdout.decode(errors="replace").strip()
            if result.ok and win.isdigit() and int(win) > 1:  # 0/1: None/PointerRoot
                return win
        return None

    def _x11_class(self, win: str) -> tuple[str, ...]:
        if self._shell.which("xprop") is None:
            return ()
        result = self._shell.run(["xprop", "-id", win, "WM_CLASS"], timeout=2.0)
        if not result.ok:
            return ()
        return tuple(m.lower() for m in _WM_CLASS.findall(result.stdout.decode(errors="replace")))

    def focused(self) -> tuple[str, tuple[str, ...]] | None:
        """(window id, lower-case class names) of the focused window, or None."""
        return self._window()

    def current(self) -> str | None:
        got = self._window()
        return got[0] if got else None

    def mark(self) -> str | None:
        """Call at hotkey press: remembers where the words are meant to go."""
        if self._on_mark is not None:
            self._on_mark()  # e.g. start the clipboard helper while the user speaks
        self.marked = self.current()
        return self.marked

    def changed(self) -> bool | None:
        """True/False when both windows are known, None when the guard cannot tell."""
        if self.marked is None:
            return None
        now = self.current()
        return None if now is None else now != self.marked

    def window_class(self, win: str | None) -> tuple[str, ...]:
        """Class names of the focused window (which must be `win`); () when unknown."""
        got = self._window() if win is not None else None
        return got[1] if got and got[0] == win else ()

    def knows_class(self) -> bool:
        """Whether terminals can be told apart here (else type rather than paste)."""
        return self.session in ("macos", "windows") or self.available

    def paste_combo(self, win: str | None) -> tuple[str, str]:
        """(key combo, selection) that pastes into `win`."""
        return self.paste_combo_for(self.window_class(win))

    def paste_combo_for(self, classes: tuple[str, ...]) -> tuple[str, str]:
        """(key combo, selection) that pastes into a window of these class names."""
        if self.session == "macos":
            return "cmd+v", "clipboard"  # Terminal and iTerm2 paste with Cmd+V as well
        if self.session == "windows":
            return "ctrl+v", "clipboard"  # Windows Terminal and conhost bind Ctrl+V too
        names = set(classes)
        if names & PRIMARY_PASTE:
            return "shift+insert", "primary"
        if names & TERMINALS:
            return "ctrl+shift+v", "clipboard"
        return "ctrl+v", "clipboard"


def _sway_focused(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for n in _walk(node):
        if n.get("focused") and n.get("type") in ("con", "floating_con") and n.get("pid"):
            return n
    return None


def _walk(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield node
    for child in [*node.get("nodes", []), *node.get("floating_nodes", [])]:
        yield from _walk(child)


def win32_foreground() -> tuple[str, str] | None:  # pragma: no cover - Windows only
    """(HWND, window class) of the foreground window."""
    import ctypes

    user32 = ctypes.WinDLL("user32")  # type: ignore[attr-defined]
    hwnd = user32.GetForegroundWindow()
    if not hwnd:
        return None
    buf = ctypes.create_unicode_buffer(256)
    user32.GetClassNameW(hwnd, buf, 256)
    return str(hwnd), buf.value
