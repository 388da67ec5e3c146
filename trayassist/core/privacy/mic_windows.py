"""Windows mic watch: the CapabilityAccessManager ConsentStore, where Windows records each
app's microphone use (`LastUsedTimeStop == 0` while it is capturing). Polled at most 1 Hz.

The registry is read through a small injected reader so the logic runs (and is tested) on
any OS. WASAPI capture sessions (IAudioSessionManager2) are not implemented.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import psutil

from trayassist.core.privacy.mic_polling import PollingMicWatch
from trayassist.core.privacy.types import BackendStatus, MicUser

CONSENT_KEY = (r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager"
               r"\ConsentStore\microphone")
HIVES = ("HKCU", "HKLM")


class RegistryReader(Protocol):
    """Read-only registry view: `path` is "HIVE\\sub\\key"; missing keys raise OSError."""

    def subkeys(self, path: str) -> list[str]: ...

    def values(self, path: str) -> dict[str, Any]: ...


class WinregReader:
    """The real registry through the stdlib `winreg` (imported lazily: Windows only)."""

    def _winreg(self) -> Any:
        return importlib.import_module("winreg")  # Windows only; Any keeps mypy on Linux quiet

    def _open(self, path: str) -> Any:
        winreg = self._winreg()
        hive, _, sub = path.partition("\\")
        root = {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}[hive]
        return winreg.OpenKey(root, sub)

    def subkeys(self, path: str) -> list[str]:
        winreg = self._winreg()
        with self._open(path) as key:
            count = winreg.QueryInfoKey(key)[0]
            return [winreg.EnumKey(key, i) for i in range(count)]

    def values(self, path: str) -> dict[str, Any]:
        winreg = self._winreg()
        with self._open(path) as key:
            count = winreg.QueryInfoKey(key)[1]
            return {name: value for name, value, _ in
                    (winreg.EnumValue(key, i) for i in range(count))}


Processes = Callable[[], Iterable[tuple[int, str | None]]]  # (pid, exe)


def _psutil_processes() -> Iterable[tuple[int, str | None]]:
    for proc in psutil.process_iter(["exe"]):
        yield proc.pid, proc.info.get("exe")


def in_use(values: dict[str, Any]) -> bool:
    """Windows writes LastUsedTimeStart when capture begins and zeroes LastUsedTimeStop
    until it ends; an app that never used the mic has neither value."""
    return bool(values.get("LastUsedTimeStart")) and values.get("LastUsedTimeStop") == 0


class WindowsMicWatch(PollingMicWatch):
    name = "windows-consentstore"

    def __init__(self, reader: RegistryReader | None = None, processes: Processes | None = None,
                 interval_s: float = 1.0, own_pid: int | None = None) -> None:
        super().__init__(interval_s, own_pid)
        self.reader: RegistryReader = reader or WinregReader()
        self._processes = processes or _psutil_processes

    def available(self) -> BackendStatus:
        try:
            self.reader.subkeys(f"HKCU\\{CONSENT_KEY}")
        except Exception as exc:
            return BackendStatus(self.name, False, f"cannot read the ConsentStore: {exc}",
                                 "needs Windows 10 1903 or later with microphone privacy "
                                 "settings enabled")
        return BackendStatus(self.name, True, "ConsentStore readable; polled every "
                             f"{self.interval_s:g} s; WASAPI sessions: not implemented")

    def active_apps(self) -> list[tuple[str, bool]]:
        """(key name, packaged?) of every app the ConsentStore marks as capturing now."""
        found: list[tuple[str, bool]] = []
        seen: set[str] = set()
        for hive in HIVES:
            base = f"{hive}\\{CONSENT_KEY}"
            try:
                apps = self.reader.subkeys(base)
            except OSError:
                continue
            for app in apps:
                if app == "NonPackaged":
                    try:
                        exes = self.reader.subkeys(f"{base}\\NonPackaged")
                    except OSError:
                        continue
                    entries = [(f"{base}\\NonPackaged\\{e}", e, False) for e in exes]
                else:
                    entries = [(f"{base}\\{app}", app, True)]
                for path, key, packaged in entries:
                    try:
                        active = in_use(self.reader.values(path))
                    except OSError:
                        continue  # removed while we looked
                    if active and key.lower() not in seen:
                        seen.add(key.lower())
                        found.append((key, packaged))
        return found

    def scan(self) -> list[MicUser]:
        active = self.active_apps()
        if not active:
            return []  # skip the process walk in the common idle case
        procs = [(pid, exe) for pid, exe in self._processes() if exe]
        users: list[MicUser] = []
        for key, packaged in active:
            if packaged:
                # Key is the package family name "Name_publisherid"; its files live in
                # ...\WindowsApps\Name_version_arch__publisherid\.
                family = key.split("_")[0]
                pids = [(p, e) for p, e in procs if f"\\windowsapps\\{family.lower()}_" in e.lower()]
                name = family
            else:
                path = key.replace("#", "\\")  # Windows stores C:\x\y.exe as C:#x#y.exe
                pids = [(p, e) for p, e in procs if e.lower() == path.lower()]
                name = path.rsplit("\\", 1)[-1]
                if not pids:
                    users.append(MicUser(None, name, path))
            for pid, exe in pids:
                users.append(MicUser(pid, name, exe))
            if packaged and not pids:
                users.append(MicUser(None, name, None))
        return users
