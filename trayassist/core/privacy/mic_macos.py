"""macOS mic watch: CoreAudio says whether any input device is running somewhere and, on
macOS 14.2+, which processes run input. Polled at most 1 Hz. Not verified on a Mac here.

CoreAudio is reached through ctypes (a plain C API) rather than pyobjc: no extra package,
and AudioObjectGetPropertyData's out-parameters are simpler in ctypes. The logic sits
behind `CoreAudioApi` so it is unit-tested with a fake on any OS.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any, Protocol

from trayassist.core.privacy.mic_polling import PollingMicWatch
from trayassist.core.privacy.types import BackendStatus, MicUser, process_identity


def fourcc(code: str) -> int:
    return int.from_bytes(code.encode("ascii"), "big")


SYSTEM_OBJECT = 1
SCOPE_GLOBAL = fourcc("glob")
SCOPE_INPUT = fourcc("inpt")
ELEMENT_MAIN = 0
DEVICES = fourcc("dev#")
STREAMS = fourcc("stm#")
NAME = fourcc("lnam")
RUNNING_SOMEWHERE = fourcc("gone")  # kAudioDevicePropertyDeviceIsRunningSomewhere
PROCESS_LIST = fourcc("prs#")  # kAudioHardwarePropertyProcessObjectList (14.2+)
PROCESS_PID = fourcc("ppid")
PROCESS_RUNNING_INPUT = fourcc("piri")  # kAudioProcessPropertyIsRunningInput (14.2+)


class CoreAudioApi(Protocol):
    def input_devices(self) -> list[tuple[int, str]]: ...

    def running_somewhere(self, device: int) -> bool: ...

    def process_objects(self) -> list[int] | None:
        """None when the OS has no process objects (before macOS 14.2)."""
        ...

    def process_pid(self, obj: int) -> int: ...

    def process_running_input(self, obj: int) -> bool: ...


class _Address(ctypes.Structure):
    _fields_ = [("selector", ctypes.c_uint32), ("scope", ctypes.c_uint32),
                ("element", ctypes.c_uint32)]


class CtypesCoreAudio:
    """The real CoreAudio framework (loaded on first use)."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("CoreAudio")
        if not path:
            raise OSError("CoreAudio framework not found (not macOS?)")
        self._ca: Any = ctypes.CDLL(path)
        self._cf: Any = ctypes.CDLL(ctypes.util.find_library("CoreFoundation") or "")

    def _size(self, obj: int, selector: int, scope: int = SCOPE_GLOBAL) -> int:
        addr, size = _Address(selector, scope, ELEMENT_MAIN), ctypes.c_uint32(0)
        status = self._ca.AudioObjectGetPropertyDataSize(
            ctypes.c_uint32(obj), ctypes.byref(addr), 0, None, ctypes.byref(size))
        if status:
            raise OSError(f"AudioObjectGetPropertyDataSize status {status}")
        return size.value

    def _get(self, obj: int, selector: int, buf: Any, scope: int = SCOPE_GLOBAL) -> None:
        addr, size = _Address(selector, scope, ELEMENT_MAIN), ctypes.c_uint32(ctypes.sizeof(buf))
        status = self._ca.AudioObjectGetPropertyData(
            ctypes.c_uint32(obj), ctypes.byref(addr), 0, None, ctypes.byref(size),
            ctypes.byref(buf))
        if status:
            raise OSError(f"AudioObjectGetPropertyData status {status}")

    def _ids(self, obj: int, selector: int) -> list[int]:
        count = self._size(obj, selector) // 4
        buf = (ctypes.c_uint32 * count)()
        if count:
            self._get(obj, selector, buf)
        return list(buf)

    def _u32(self, obj: int, selector: int) -> int:
        val = ctypes.c_uint32(0)
        self._get(obj, selector, val)
        return val.value

    def _name(self, obj: int) -> str:
        ref = ctypes.c_void_p()
        try:
            self._get(obj, NAME, ref)
        except OSError:
            return f"device {obj}"
        buf = ctypes.create_string_buffer(256)
        self._cf.CFStringGetCString(ref, buf, 256, 0x08000100)  # kCFStringEncodingUTF8
        self._cf.CFRelease(ref)
        return buf.value.decode("utf-8", "replace")

    def input_devices(self) -> list[tuple[int, str]]:
        return [(d, self._name(d)) for d in self._ids(SYSTEM_OBJECT, DEVICES)
                if self._size(d, STREAMS, SCOPE_INPUT) > 0]

    def running_somewhere(self, device: int) -> bool:
        return bool(self._u32(device, RUNNING_SOMEWHERE))

    def process_objects(self) -> list[int] | None:
        try:
            return self._ids(SYSTEM_OBJECT, PROCESS_LIST)
        except OSError:
            return None  # kAudioHardwareUnknownPropertyError before 14.2

    def process_pid(self, obj: int) -> int:
        val = ctypes.c_int32(0)
        self._get(obj, PROCESS_PID, val)
        return val.value

    def process_running_input(self, obj: int) -> bool:
        return bool(self._u32(obj, PROCESS_RUNNING_INPUT))


class MacMicWatch(PollingMicWatch):
    name = "macos-coreaudio"

    def __init__(self, api: CoreAudioApi | None = None, interval_s: float = 1.0,
                 own_pid: int | None = None, identify: Any = process_identity) -> None:
        super().__init__(interval_s, own_pid)
        self._api = api
        self._identify = identify

    def api(self) -> CoreAudioApi:
        if self._api is None:
            self._api = CtypesCoreAudio()
        return self._api

    def available(self) -> BackendStatus:
        try:
            api = self.api()
            devices = api.input_devices()
            per_process = api.process_objects() is not None
        except Exception as exc:
            return BackendStatus(self.name, False, f"CoreAudio unavailable: {exc}",
                                 "runs on macOS only")
        detail = (f"{len(devices)} input device(s); "
                  + ("per-process input (14.2+)" if per_process else
                     "device-level only: macOS before 14.2 cannot name the process")
                  + "; not verified on a Mac by the test suite")
        return BackendStatus(self.name, True, detail)

    def scan(self) -> list[MicUser]:
        api = self.api()
        running = [name for dev, name in api.input_devices() if api.running_somewhere(dev)]
        if not running:
            return []
        objects = api.process_objects()
        users: list[MicUser] = []
        if objects is not None:
            for obj in objects:
                if api.process_running_input(obj):
                    pid = api.process_pid(obj)
                    name, exe = self._identify(pid)
                    users.append(MicUser(pid, name or f"pid {pid}", exe, ", ".join(running)))
        if not users:
            # The device runs but no process object says so (before 14.2, or a process we
            # cannot see): still say that something captures, honestly without a name.
            users.append(MicUser(None, "unknown process", None, ", ".join(running)))
        return users
