"""The clipboard: what we copy carries the clipboard-history hints; a paste gives the old one back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from trayassist.platform.output.x11_selection import HelperError, SelectionTarget, X11Selections

# Backends: X11 (our selection-owner helper, x11_selection.py), Wayland (wl-clipboard),
# macOS (NSPasteboard through osascript), Windows (the Win32 clipboard through ctypes).

log = logging.getLogger(__name__)

# Clipboard managers that keep a plaintext history skip content carrying these. KDE's
# convention (KeePassXC sets it for Klipper); CopyQ documents it as "secret" content it
# neither stores nor shows; wl-clipboard 2.3's `wl-paste --watch` reports it to history
# tools such as cliphist as CLIPBOARD_STATE=sensitive. CopyQ's own marker hides the
# content in CopyQ versions that predate its support for the KDE one.
HINT_TARGETS = (
    SelectionTarget("x-kde-passwordManagerHint", b"secret"),
    SelectionTarget("application/x-copyq-hidden", b"1"),
)
# What a window asks for when it pastes text (ICCCM names and MIME types).
TEXT_TARGETS = frozenset({"UTF8_STRING", "text/plain;charset=utf-8", "text/plain", "TEXT", "STRING"})


def text_targets(text: str) -> list[SelectionTarget]:
    """The hints first, then the text in every form X11 and Qt/GTK/browser windows request."""
    raw = text.encode("utf-8")
    targets = [*HINT_TARGETS,
               SelectionTarget("UTF8_STRING", raw),
               SelectionTarget("text/plain;charset=utf-8", raw),
               SelectionTarget("text/plain", raw),
               SelectionTarget("TEXT", raw, type="UTF8_STRING")]
    try:  # STRING is Latin-1 by definition: offer it only when that is lossless
        targets.append(SelectionTarget("STRING", text.encode("latin-1")))
    except UnicodeEncodeError:
        pass
    return targets


@dataclass(frozen=True)
class Snapshot:
    """Everything the clipboard held: each target with its data, binary ones included."""

    targets: list[SelectionTarget] = field(default_factory=list)
    complete: bool = True  # False: the owner did not answer for some target in time
    ref: int | None = None  # X11: the data stays in the helper under this id (targets name it)

    @property
    def empty(self) -> bool:
        return not self.targets

    def text(self) -> str | None:
        for name in ("UTF8_STRING", "text/plain;charset=utf-8", "public.utf8-plain-text",
                     "CF_UNICODETEXT", "text/plain", "STRING"):
            for t in self.targets:
                if t.name == name:
                    codec = "utf-16-le" if name == "CF_UNICODETEXT" else \
                        "latin-1" if name == "STRING" else "utf-8"
                    return t.data.decode(codec, errors="replace").rstrip("\0")
        return None


class Offer(Protocol):
    """Our text on the clipboard for one paste."""

    def arm(self) -> None:
        """Call right before sending the paste keys: fetches before it are not the paste
        (a clipboard manager that ignores the hints reads as soon as we own the clipboard)."""

    def wait_done(self, timeout: float) -> bool | None:
        """True once a window fetched the text; None when this backend cannot tell."""

    def finish(self, previous: Snapshot | None, keep: bool = False) -> None:
        """Put `previous` back, or with `keep` leave our text; else empty the clipboard."""


class Clipboard(Protocol):
    """A clipboard backend. `tool` names it ("xlib", "wl-copy", "osascript", "win32") or is None."""

    tool: str | None
    supports_primary: bool
    hints: bool  # what we copy tells clipboard managers to keep it out of their history

    def warm(self) -> None: ...

    def get(self, selection: str = "clipboard") -> str | None: ...

    def set(self, text: str, selection: str = "clipboard") -> bool: ...

    def snapshot(self, selection: str = "clipboard") -> Snapshot | None: ...

    def offer(self, text: str, selection: str = "clipboard") -> Offer | None: ...


class X11Offer:
    def __init__(self, sel: X11Selections, selection: str, serial: int) -> None:
        self._sel, self._selection, self.serial = sel, selection, serial
        self._since = 0

    def arm(self) -> None:
        self._since = self._sel.fetch_count(self.serial)

    def wait_done(self, timeout: float) -> bool | None:
        return self._sel.wait_fetched(self.serial, TEXT_TARGETS, self._since, timeout)

    def finish(self, previous: Snapshot | None, keep: bool = False) -> None:
        try:
            if keep:
                return
            if previous is not None and not previous.empty:
                # Only over our own paste: if the user copied meanwhile, theirs stays.
                self._sel.replace(self._selection, previous.ref if previous.ref is not None
                                  else previous.targets, if_own=self.serial)
            else:
                self._sel.clear(self._selection, self.serial)
        except HelperError as exc:
            log.warning("the clipboard could not be put back: %s", exc)
        finally:
            self._sel.forget(self.serial)


class X11Clipboard:
    """CLIPBOARD and PRIMARY through our selection-owner helper (several targets at once)."""

    tool: str | None = "xlib"
    supports_primary = True
    hints = True

    def __init__(self, selections: X11Selections) -> None:
        self._sel = selections

    @classmethod
    def for_env(cls, env: Mapping[str, str]) -> X11Clipboard:
        return cls(X11Selections(env))

    def warm(self) -> None:
        """At key press: start the helper and read the clipboard while the user speaks, so a
        paste later costs only a check that it did not change (a copied image can take the
        owning app a second to convert to all its formats)."""
        try:
            self._sel.start()
        except HelperError as exc:
            log.warning("%s", exc)
            return
        threading.Thread(target=self.snapshot, name="clipboard-prefetch", daemon=True).start()

    def get(self, selection: str = "clipboard") -> str | None:
        snap = self.snapshot(selection, data=True)
        return snap.text() if snap is not None else None

    def set(self, text: str, selection: str = "clipboard") -> bool:
        try:
            self._sel.forget(self._sel.own(selection.upper(), text_targets(text)))
            return True
        except HelperError as exc:
            log.warning("could not set the %s selection: %s", selection, exc)
            return False

    def snapshot(self, selection: str = "clipboard", data: bool = False) -> Snapshot | None:
        """The whole selection; its data stays in the helper unless `data` asks for it."""
        try:
            complete, targets, ref = self._sel.snapshot(selection.upper(), data=data)
        except HelperError as exc:
            log.warning("could not read the %s selection: %s", selection, exc)
            return None
        if not complete:
            log.info("the %s owner did not answer for every target; restoring what it gave",
                     selection)
        return Snapshot(targets, complete, ref)

    def offer(self, text: str, selection: str = "clipboard") -> X11Offer | None:
        try:
            return X11Offer(self._sel, selection.upper(), self._sel.own(selection.upper(),
                                                                         text_targets(text)))
        except HelperError as exc:
            log.warning("could not offer text on the %s selection: %s", selection, exc)
            return None

    def close(self) -> None:
        self._sel.close()


class NoClipboard:
    """No backend for this desktop: every call says so."""

    tool: str | None = None
    supports_primary = False
    hints = False

    def warm(self) -> None:
        pass

    def get(self, selection: str = "clipboard") -> str | None:
        return None

    def set(self, text: str, selection: str = "clipboard") -> bool:
        return False

    def snapshot(self, selection: str = "clipboard") -> Snapshot | None:
        return None

    def offer(self, text: str, selection: str = "clipboard") -> Offer | None:
        return None
