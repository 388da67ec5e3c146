"""Delivers a transcript to the focused window (type or paste), the clipboard, or both."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from trayassist.platform.output.clipboard import Clipboard, NoClipboard, Snapshot, X11Clipboard
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
    method: str = "none"  # "type:xdotool", "paste:ctrl+v:xlib", "clipboard:xlib", ...
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


def make_clipboard(shell: Shell, session: str, env: Mapping[str, str] | None = None,
                   platform: str = sys.platform) -> Clipboard:
    """The clipboard backend for a session ("x11", "wayland", "macos", "windows")."""
    if session == "x11":
        return X11Clipboard.for_env(env if env is not None else getattr(shell, "env", {}))
    if session == "wayland":
        from trayassist.platform.output.clipboard_wayland import WlClipboard

        return WlClipboard(shell)
    if session == "macos":
        from trayassist.platform.output.clipboard_macos import MacClipboard

        return MacClipboard(shell)
    if session == "windows" and platform == "win32":  # pragma: no cover - Windows only
        from trayassist.platform.output.clipboard_windows import WinClipboard

        return WinClipboard()
    return NoClipboard()


class TextOutput:
    """One call per transcript: deliver(text, mode). Blocking (≤ ~1 s); run it off the GUI thread.

    `focus.mark()` must be called when the hotkey is pressed; if another window has focus
    at delivery, nothing is typed and the text goes to the clipboard instead. All we put on
    the clipboard carries the clipboard-history hints; a paste gives the previous clipboard
    back whole (every target), or empties it when there was none.
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
        unconfirmed_wait_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"output method must be one of {', '.join(METHODS)}")
        self.session = session
        self.keyboard = keyboard or Keyboard(shell, session)
        self.clipboard = clipboard or make_clipboard(shell, session)
        self.focus = focus or FocusTracker(shell, session, on_mark=self.clipboard.warm)
        self.method = method
        self.type_max_chars = type_max_chars
        self.paste_wait_s = paste_wait_s
        self.restore_grace_s = restore_grace_s
        self.unconfirmed_wait_s = unconfirmed_wait_s
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
        clipboard = make_clipboard(shell, session, env, platform)
        focus = FocusTracker(shell, session, env, on_mark=clipboard.warm)
        return cls(shell, session, keyboard=keyboard, clipboard=clipboard, focus=focus,
                   **kwargs)  # type: ignore[arg-type]

    def describe(self) -> str:
        """One line for `doctor`."""
        clip = self.clipboard.tool or "none"
        if self.clipboard.tool and not self.clipboard.hints:
            clip += " (no clipboard-history hint: managers may keep copied text)"
        guard = "on" if self.focus.available else f"unavailable ({self.focus.why_unavailable})"
        return f"typing: {self.keyboard.tool or 'none'}; clipboard: {clip}; focus guard: {guard}"

    def copy(self, text: str) -> bool:
        """Put `text` on the clipboard for the user (History window, "copy ..."), with the
        clipboard-history hints. Blocking for a few ms; call it off the GUI thread."""
        return bool(text) and self.clipboard.set(text)

    def deliver(self, text: str, mode: str = "type") -> OutputResult:
        if mode not in MODES:
            raise ValueError(f"output mode must be one of {', '.join(MODES)}")
        start = self._clock()
        if mode == "none" or not text:
            return OutputResult(mode)
        tool = self.clipboard.tool
        if mode == "clipboard":
            ok = self.clipboard.set(text)
            return OutputResult(mode, method=f"clipboard:{tool}", on_clipboard=ok,
                                error=None if ok else _no_clipboard(self.session),
                                seconds=self._clock() - start)
        changed = self.focus.changed()
        if changed:
            ok = self.clipboard.set(text)
            log.info("focus changed since the hotkey press; not typing")
            return OutputResult(mode, method=f"clipboard:{tool}", on_clipboard=ok,
                                focus_changed=True, focus_checked=True,
                                error=None if ok else "focus changed and no clipboard tool",
                                seconds=self._clock() - start)
        inserted, method, error, left = self._insert(text, keep=(mode == "both"))
        on_clipboard = left
        if (mode == "both" and not left) or not inserted:
            on_clipboard = self.clipboard.set(text)
            if not inserted and on_clipboard:
                error = f"{error}; the text is on the clipboard"
        return OutputResult(mode, inserted=inserted, method=method, on_clipboard=on_clipboard,
                            focus_checked=changed is not None, error=error,
                            seconds=self._clock() - start)

    def _insert(self, text: str, keep: bool) -> tuple[bool, str, str | None, bool]:
        """(inserted, method, error, text left on the clipboard)."""
        kb = self.keyboard
        can_paste = self.clipboard.tool is not None and kb.tool is not None
        want_type = self.method == "type" or (
            self.method == "auto" and (len(text) <= self.type_max_chars
                                       # Where terminals cannot be told apart (GNOME/KDE
                                       # Wayland) the paste keys may be wrong: typing is safe.
                                       or not self.focus.knows_class()))
        if kb.can_type(text) and (want_type or not can_paste):
            if kb.type_text(text):
                return True, f"type:{kb.tool}", None, False
            log.warning("typing with %s failed; trying paste", kb.tool)
        if can_paste:
            return self._paste(text, keep)
        if kb.tool is None:
            return False, "none", "no typing tool (install xdotool, or wtype on Wayland)", False
        return False, "none", f"{kb.tool} cannot type this text and {_no_clipboard(self.session)}", False

    def _paste(self, text: str, keep: bool) -> tuple[bool, str, str | None, bool]:
        got = self.focus.focused()
        combo, selection = self.focus.paste_combo_for(got[1] if got else ())
        if selection == "primary" and not self.clipboard.supports_primary:
            combo, selection = "ctrl+shift+v", "clipboard"
        # The whole previous clipboard, read before we take it over (its owner may let go).
        previous: Snapshot | None = None if keep else self.clipboard.snapshot(selection)
        offer = self.clipboard.offer(text, selection)
        if offer is None:
            return False, "none", f"{self.clipboard.tool} could not set the clipboard", False
        offer.arm()
        if not self.keyboard.send_combo(combo):
            offer.finish(previous)
            return False, "none", f"{self.keyboard.tool} could not send {combo}", False
        sent_at = self._clock()
        done = offer.wait_done(self.paste_wait_s)
        if done is False:
            log.warning("no window fetched the pasted text within %.1f s", self.paste_wait_s)
        # Unconfirmed (done is None): this clipboard cannot say when the window read it, so
        # give the window a moment before the old content comes back. Confirmed: a manager
        # may have fetched first and re-serve the text to the window; a short grace.
        grace = self.unconfirmed_wait_s if done is None else \
            self.restore_grace_s - (self._clock() - sent_at)
        if not keep and grace > 0:
            self._sleep(grace)
        offer.finish(previous, keep=keep)
        return True, f"paste:{combo}:{self.clipboard.tool}", None, keep


def _no_clipboard(session: str) -> str:
    hint = {"x11": "python-xlib", "wayland": "wl-clipboard"}.get(session)
    return f"no clipboard tool (install {hint})" if hint else "no clipboard on this desktop"
