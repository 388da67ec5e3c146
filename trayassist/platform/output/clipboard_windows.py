"""Windows clipboard through the Win32 API (ctypes), with the formats that keep it out of
clipboard history, the cloud clipboard and clipboard monitors."""

from __future__ import annotations

import ctypes
import logging
import struct
import time
from typing import Any, Protocol

from trayassist.platform.output.clipboard import Snapshot
from trayassist.platform.output.x11_selection import SelectionTarget

log = logging.getLogger(__name__)

CF_UNICODETEXT = 13
# Registered formats Windows and clipboard tools honour (Microsoft's "Clipboard Formats":
# cloud clipboard and clipboard history formats; "Clipboard Viewer Ignore" for Ditto & co).
HINT_FORMATS = (
    ("ExcludeClipboardContentFromMonitorProcessing", b"\0\0\0\0"),
    ("CanIncludeInClipboardHistory", struct.pack("<I", 0)),
    ("CanUploadToCloudClipboard", struct.pack("<I", 0)),
    ("Clipboard Viewer Ignore", b"\0\0\0\0"),
)
# Handles that are not global memory (bitmaps, metafiles, palettes, owner-display and the
# private GDI range) cannot be copied as bytes: Windows synthesizes CF_BITMAP from CF_DIB.
_HANDLE_FORMATS = frozenset({2, 3, 9, 14, 0x80, 0x82, 0x83, 0x8E})
_STANDARD = {1: "CF_TEXT", 7: "CF_OEMTEXT", 8: "CF_DIB", 13: "CF_UNICODETEXT", 15: "CF_HDROP",
             16: "CF_LOCALE", 17: "CF_DIBV5"}
_BY_NAME = {v: k for k, v in _STANDARD.items()}


class Win32Api(Protocol):
    """The few clipboard calls we use; the real one is ctypes, tests pass a fake."""

    def open(self) -> bool: ...

    def close(self) -> None: ...

    def empty(self) -> None: ...

    def formats(self) -> list[int]: ...

    def get(self, fmt: int) -> bytes | None: ...

    def put(self, fmt: int, data: bytes) -> bool: ...

    def register(self, name: str) -> int: ...

    def name(self, fmt: int) -> str | None: ...

    def sequence(self) -> int: ...


def format_name(api: Win32Api, fmt: int) -> str:
    return _STANDARD.get(fmt) or api.name(fmt) or f"CF_{fmt}"


def format_id(api: Win32Api, name: str) -> int:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith("CF_") and name[3:].isdigit():
        return int(name[3:])
    return api.register(name)


class WinOffer:
    def __init__(self, clip: WinClipboard, sequence: int) -> None:
        self._clip, self._seq = clip, sequence

    def arm(self) -> None:
        pass

    def wait_done(self, timeout: float) -> bool | None:
        return None  # Windows does not tell when a window read the clipboard

    def finish(self, previous: Snapshot | None, keep: bool = False) -> None:
        if not keep:
            self._clip.restore(previous or Snapshot([]), self._seq)


class WinClipboard:
    tool: str | None = "win32"
    supports_primary = False
    hints = True

    def __init__(self, api: Win32Api | None = None, sleep: Any = time.sleep) -> None:
        self._api = api if api is not None else CtypesWin32()
        self._sleep = sleep

    def warm(self) -> None:
        pass

    def _opened(self) -> bool:
        for _ in range(20):  # another program may hold the clipboard for a moment
            if self._api.open():
                return True
            self._sleep(0.01)
        log.warning("the clipboard is held by another program")
        return False

    def _write(self, items: list[tuple[int, bytes]]) -> int | None:
        if not self._opened():
            return None
        try:
            self._api.empty()
            ok = all(self._api.put(fmt, data) for fmt, data in items)
        finally:
            self._api.close()
        return self._api.sequence() if ok else None

    def _text_items(self, text: str) -> list[tuple[int, bytes]]:
        items = [(CF_UNICODETEXT, text.encode("utf-16-le") + b"\0\0")]
        return items + [(self._api.register(name), data) for name, data in HINT_FORMATS]

    def get(self, selection: str = "clipboard") -> str | None:
        snap = self.snapshot()
        return snap.text() if snap is not None else None

    def set(self, text: str, selection: str = "clipboard") -> bool:
        return self._write(self._text_items(text)) is not None

    def snapshot(self, selection: str = "clipboard") -> Snapshot | None:
        if not self._opened():
            return None
        try:
            targets: list[SelectionTarget] = []
            complete = True
            for fmt in self._api.formats():
                if fmt in _HANDLE_FORMATS or 0x300 <= fmt <= 0x3FF:
                    complete = False
                    continue
                data = self._api.get(fmt)
                if data is None:
                    complete = False
                    continue
                targets.append(SelectionTarget(format_name(self._api, fmt), data))
        finally:
            self._api.close()
        return Snapshot(targets, complete)

    def restore(self, previous: Snapshot, sequence: int) -> None:
        if self._api.sequence() != sequence:
            return  # the user copied something since our paste: theirs stays
        self._write([(format_id(self._api, t.name), t.data) for t in previous.targets])

    def offer(self, text: str, selection: str = "clipboard") -> WinOffer | None:
        seq = self._write(self._text_items(text))
        return WinOffer(self, seq) if seq is not None else None


class CtypesWin32:  # pragma: no cover - Windows only (not verified here)
    GMEM_MOVEABLE = 0x0002

    def __init__(self) -> None:
        from ctypes import wintypes

        self.u = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        self.k = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self.u.OpenClipboard.argtypes = [wintypes.HWND]
        self.u.GetClipboardData.restype = wintypes.HANDLE
        self.u.SetClipboardData.argtypes = [wintypes.UINT, wintypes.HANDLE]
        self.u.SetClipboardData.restype = wintypes.HANDLE
        self.u.EnumClipboardFormats.argtypes = [wintypes.UINT]
        self.u.RegisterClipboardFormatW.argtypes = [wintypes.LPCWSTR]
        self.u.GetClipboardFormatNameW.argtypes = [wintypes.UINT, wintypes.LPWSTR, ctypes.c_int]
        self.k.GlobalAlloc.argtypes = [wintypes.UINT, ctypes.c_size_t]
        self.k.GlobalAlloc.restype = wintypes.HGLOBAL
        self.k.GlobalLock.argtypes = [wintypes.HGLOBAL]
        self.k.GlobalLock.restype = ctypes.c_void_p
        self.k.GlobalUnlock.argtypes = [wintypes.HGLOBAL]
        self.k.GlobalSize.argtypes = [wintypes.HGLOBAL]
        self.k.GlobalSize.restype = ctypes.c_size_t
        self.k.GlobalFree.argtypes = [wintypes.HGLOBAL]

    def open(self) -> bool:
        return bool(self.u.OpenClipboard(None))

    def close(self) -> None:
        self.u.CloseClipboard()

    def empty(self) -> None:
        self.u.EmptyClipboard()

    def formats(self) -> list[int]:
        out: list[int] = []
        fmt = 0
        while True:
            fmt = self.u.EnumClipboardFormats(fmt)
            if not fmt:
                return out
            out.append(int(fmt))

    def get(self, fmt: int) -> bytes | None:
        handle = self.u.GetClipboardData(fmt)
        if not handle:
            return None
        ptr = self.k.GlobalLock(handle)
        if not ptr:
            return None
        try:
            return ctypes.string_at(ptr, self.k.GlobalSize(handle))
        finally:
            self.k.GlobalUnlock(handle)

    def put(self, fmt: int, data: bytes) -> bool:
        handle = self.k.GlobalAlloc(self.GMEM_MOVEABLE, max(len(data), 1))
        if not handle:
            return False
        ptr = self.k.GlobalLock(handle)
        ctypes.memmove(ptr, data, len(data))
        self.k.GlobalUnlock(handle)
        if not self.u.SetClipboardData(fmt, handle):
            self.k.GlobalFree(handle)  # the system owns it only once SetClipboardData succeeded
            return False
        return True

    def register(self, name: str) -> int:
        return int(self.u.RegisterClipboardFormatW(name))

    def name(self, fmt: int) -> str | None:
        buf = ctypes.create_unicode_buffer(256)
        n = self.u.GetClipboardFormatNameW(fmt, buf, 256)
        return buf.value if n else None

    def sequence(self) -> int:
        return int(self.u.GetClipboardSequenceNumber())
