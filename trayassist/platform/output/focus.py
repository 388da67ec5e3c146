"""Which window has keyboard focus (X11), and whether it is a terminal."""

from __future__ import annotations

import re

from trayassist.platform.output.shell import Shell

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
})
# xterm and its kin bind no Ctrl+Shift+V: Shift+Insert pastes PRIMARY there.
PRIMARY_PASTE = frozenset({"xterm", "uxterm", "urxvt", "rxvt", "eterm", "aterm"})

_WM_CLASS = re.compile(r'"((?:[^"\\]|\\.)*)"')


class FocusTracker:
    """Records the focused window at key press and tells whether it changed since.

    X11 only (xdotool, xprop): on Wayland and elsewhere current() is None, so the guard
    cannot tell and output goes to whatever has focus.
    """

    def __init__(self, shell: Shell, session: str) -> None:
        self._shell = shell
        self.session = session
        self.marked: str | None = None
        self.available = session == "x11" and shell.which("xdotool") is not None

    def current(self) -> str | None:
        if not self.available:
            return None
        # getactivewindow needs an EWMH window manager; getwindowfocus works without one.
        for args in (["xdotool", "getactivewindow"], ["xdotool", "getwindowfocus"]):
            result = self._shell.run(args, timeout=2.0)
            win = result.stdout.decode(errors="replace").strip()
            if result.ok and win.isdigit() and int(win) > 1:  # 0/1: None/PointerRoot
                return win
        return None

    def mark(self) -> str | None:
        """Call at hotkey press: remembers where the words are meant to go."""
        self.marked = self.current()
        return self.marked

    def changed(self) -> bool | None:
        """True/False when both windows are known, None when the guard cannot tell."""
        if self.marked is None:
            return None
        now = self.current()
        return None if now is None else now != self.marked

    def window_class(self, win: str | None) -> tuple[str, ...]:
        if win is None or self._shell.which("xprop") is None:
            return ()
        result = self._shell.run(["xprop", "-id", win, "WM_CLASS"], timeout=2.0)
        if not result.ok:
            return ()
        return tuple(m.lower() for m in _WM_CLASS.findall(result.stdout.decode(errors="replace")))

    def paste_combo(self, win: str | None) -> tuple[str, str]:
        """(key combo, selection) that pastes into `win`."""
        names = set(self.window_class(win))
        if names & PRIMARY_PASTE:
            return "shift+insert", "primary"
        if names & TERMINALS:
            return "ctrl+shift+v", "clipboard"
        return "ctrl+v", "clipboard"
