"""Delivers a transcript to the focused window (type or paste), the clipboard, or both."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from trayassist.platform.output.clipboard import Clipboard
from trayassist.platform.output.focus import FocusTracker
from trayassist.platform.output.keyboard import Keyboard, pynput_controller
from trayassist.platform.output.shell import Shell, SubprocessShell

log = logging.getLogger(__name__)

MODES = ("type", "clipboard", "both", "none")
METHODS = ("auto", "type", "paste")
# On Xvfb 600 typed ASCII chars took 0.77 s to land in a Qt field (xdotool itself 0.39 s);
# a paste lands in ~0.05 s at any length. Typing is kept for short text only.
TYPE_MAX_CHARS = 100


@dataclass(frozen=True)
class OutputResult:
    """What happened to one transcript; `notice` is the text for a desktop notification."""

    mode: str
    inserted: bool = False  # landed in the focused window
    method: str = "none"  # "type:xdotool", "paste:ctrl+v:xclip", "clipboard:xclip", ...
    on_clipboard: bool = False  # left on the clipboard for the user to paste
    focus_changed: bool = False
    focus_checked: bool = False
    error: str | None = None
    seconds: float = 0.0

    @property
    def notice(self) -> str | None:
        if self.focus_changed:
            return ("The focused window changed while you spoke, so the text was not typed"
                    + (": it is on the clipboard." if self.on_clipboard else "."))
        if self.error:
            return self.error
        return None


class TextOutput:
    """One call per transcript: deliver(text, mode). Blocking (≤ ~1 s); run it off the GUI thread.

    `focus.mark()` must be called when the hotkey is pressed; if another window has focus
    at delivery, nothing is typed and the text goes to the clipboard instead.
    """

    def __init__(
        self,
        shell: Shell,
        session: str,
        keyboard: Keyboard | None = None,
        clipboard: Clipboard | None = None,
        focus: FocusTracker | None = None,
        method: str = "auto",
        type_max_chars: int = TYPE_MAX_CHARS,
        paste_wait_s: float = 1.0,
        restore_grace_s: float = 0.15,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"output method must be one of {', '.join(METHODS)}")
        self.session = session
        self.keyboard = keyboard or Keyboard(shell, session)
        self.clipboard = clipboard or Clipboard(shell, session)
        self.focus = focus or FocusTracker(shell, session)
        self.method = method
        self.type_max_chars = type_max_chars
        self.paste_wait_s = paste_wait_s
        self.restore_grace_s = restore_grace_s
        self._clock = clock
        self._sleep = sleep

    @classmethod
    def for_session(cls, env: Mapping[str, str], platform: str = sys.platform,
                    **kwargs: object) -> TextOutput:
        """The real tools for the session described by `env` (DISPLAY, WAYLAND_DISPLAY...)."""
        from trayassist.platform.hotkeys.backend import session_kind

        session = session_kind(env, platform)
        shell = SubprocessShell(env)
        # pynput types on X11/Windows/macOS; under Wayland it would only reach XWayland.
        factory = pynput_controller if session in ("x11", "windows", "macos") else None
        keyboard = Keyboard(shell, session, pynput_controller=factory)
        return cls(shell, session, keyboard=keyboard, **kwargs)  # type: ignore[arg-type]

    def describe(self) -> str:
        """One line for `doctor`."""
        return (f"typing: {self.keyboard.tool or 'none'}; clipboard: {self.clipboard.tool or 'none'}; "
                f"focus guard: {'on' if self.focus.available else 'unavailable'}")

    def deliver(self, text: str, mode: str = "type") -> OutputResult:
        if mode not in MODES:
            raise ValueError(f"output mode must be one of {', '.join(MODES)}")
        start = self._clock()
        if mode == "none" or not text:
            return OutputResult(mode)
        if mode == "clipboard":
            ok = self.clipboard.set(text)
            return OutputResult(mode, method=f"clipboard:{self.clipboard.tool}", on_clipboard=ok,
                                error=None if ok else "no clipboard tool (install xclip or wl-clipboard)",
                                seconds=self._clock() - start)
        changed = self.focus.changed()
        if changed:
            ok = self.clipboard.set(text)
            log.info("focus changed since the hotkey press; not typing")
            return OutputResult(mode, method=f"clipboard:{self.clipboard.tool}", on_clipboard=ok,
                                focus_changed=True, focus_checked=True,
                                error=None if ok else "focus changed and no clipboard tool",
                                seconds=self._clock() - start)
        inserted, method, error = self._insert(text, restore=(mode == "type"))
        on_clipboard = False
        if mode == "both" or not inserted:
            on_clipboard = self.clipboard.set(text)
            if not inserted and on_clipboard:
                error = f"{error}; the text is on the clipboard"
        return OutputResult(mode, inserted=inserted, method=method, on_clipboard=on_clipboard,
                            focus_checked=changed is not None, error=error,
                            seconds=self._clock() - start)

    def _insert(self, text: str, restore: bool) -> tuple[bool, str, str | None]:
        kb = self.keyboard
        can_paste = self.clipboard.tool is not None and kb.tool is not None
        want_type = self.method == "type" or (
            self.method == "auto" and len(text) <= self.type_max_chars)
        if kb.can_type(text) and (want_type or not can_paste):
            if kb.type_text(text):
                return True, f"type:{kb.tool}", None
            log.warning("typing with %s failed; trying paste", kb.tool)
        if can_paste:
            return self._paste(text, restore)
        if kb.tool is None:
            return False, "none", "no typing tool (install xdotool, or wtype on Wayland)"
        return False, "none", f"{kb.tool} cannot type this text and no clipboard tool is installed"

    def _paste(self, text: str, restore: bool) -> tuple[bool, str, str | None]:
        win = self.focus.current()
        combo, selection = self.focus.paste_combo(win)
        if selection == "primary" and not self.clipboard.supports_primary:
            combo, selection = "ctrl+shift+v", "clipboard"
        previous = self.clipboard.get(selection) if restore else None
        server = self.clipboard.serve_once(text, selection)
        if server is None and not self.clipboard.set(text, selection):
            return False, "none", f"{self.clipboard.tool} could not set the clipboard"
        sent_at = self._clock()
        if not self.keyboard.send_combo(combo):
            if server is not None:
                server.kill()
            return False, "none", f"{self.keyboard.tool} could not send {combo}"
        if server is not None:
            # The one-shot owner exits once the window has fetched the text: only then
            # may the old content come back, or the window might paste that instead.
            if not server.wait_done(self.paste_wait_s):
                server.kill()
                log.warning("no window fetched the pasted text within %.1f s", self.paste_wait_s)
            # A clipboard manager may have fetched first and then re-serve the text to
            # the window itself; a short grace keeps the old content from racing it.
            grace = self.restore_grace_s - (self._clock() - sent_at)
        else:
            # xsel/pbcopy cannot say when the paste happened; give the window a moment.
            grace = max(self.restore_grace_s, 0.3)
        if restore and grace > 0:
            self._sleep(grace)
        if restore and previous is not None:
            self.clipboard.set(previous, selection)
        return True, f"paste:{combo}:{self.clipboard.tool}", None
