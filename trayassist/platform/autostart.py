"""Start at login: XDG autostart entry, Windows Run key, or macOS LaunchAgent."""

from __future__ import annotations

import plistlib
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trayassist.core.atomic import write_atomic

APP_NAME = "TrayAssist"
DESKTOP_FILE = "trayassist.desktop"
LAUNCH_AGENT_LABEL = "org.trayassist.TrayAssist"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


class Autostart(ABC):
    """enable()/disable()/is_enabled() for one OS; `command` is the argv to launch."""

    def __init__(self, command: Sequence[str]) -> None:
        if not command:
            raise ValueError("autostart needs a command to run")
        self.command = list(command)

    @abstractmethod
    def enable(self) -> None: ...

    @abstractmethod
    def disable(self) -> None: ...

    @abstractmethod
    def is_enabled(self) -> bool: ...

    def set_enabled(self, enabled: bool) -> None:
        self.enable() if enabled else self.disable()


def desktop_exec(command: Sequence[str]) -> str:
    """argv as a Desktop Entry Exec value (quoting rules of the Desktop Entry spec)."""
    parts = []
    for arg in command:
        arg = arg.replace("%", "%%")  # % starts a field code
        if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
            parts.append(arg)
            continue
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        parts.append(f'"{escaped}"')
    # The Exec value is itself a string value, whose own escape rule doubles backslashes.
    return " ".join(parts).replace("\\", "\\\\")


class XdgAutostart(Autostart):
    """A .desktop file in $XDG_CONFIG_HOME/autostart (directory handed in)."""

    def __init__(self, command: Sequence[str], autostart_dir: Path) -> None:
        super().__init__(command)
        self.path = autostart_dir / DESKTOP_FILE

    def enable(self) -> None:
        text = "\n".join([
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_NAME}",
            "Comment=Private offline voice assistant in the tray",
            f"Exec={desktop_exec(self.command)}",
            "Icon=trayassist",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
            "",
        ])
        write_atomic(self.path, text.encode("utf-8"), mode=0o644)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (FileNotFoundError, UnicodeDecodeError):
            return False
        # Desktops "disable" an entry by flag rather than by deleting it.
        off = {"hidden=true", "x-gnome-autostart-enabled=false"}
        return not any(line.strip().replace(" ", "").lower() in off for line in lines)


class LaunchAgentAutostart(Autostart):
    """A LaunchAgent plist in ~/Library/LaunchAgents (directory handed in)."""

    def __init__(self, command: Sequence[str], agents_dir: Path) -> None:
        super().__init__(command)
        self.path = agents_dir / f"{LAUNCH_AGENT_LABEL}.plist"

    def enable(self) -> None:
        plist = {"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": self.command,
                 "RunAtLoad": True, "ProcessType": "Interactive"}
        write_atomic(self.path, plistlib.dumps(plist), mode=0o644)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        try:
            data = plistlib.loads(self.path.read_bytes())
        except (FileNotFoundError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(data.get("RunAtLoad")) and data.get("Disabled") is not True


class WindowsRunKeyAutostart(Autostart):
    """A value under HKCU\\...\\Run; `winreg` is the module (a fake in tests)."""

    def __init__(self, command: Sequence[str], winreg: Any) -> None:
        super().__init__(command)
        self._reg = winreg

    def _key(self, write: bool) -> Any:
        reg = self._reg
        access = reg.KEY_SET_VALUE | reg.KEY_QUERY_VALUE if write else reg.KEY_QUERY_VALUE
        if write:
            return reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, access)
        return reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, access)

    def enable(self) -> None:
        with self._key(write=True) as key:
            self._reg.SetValueEx(key, APP_NAME, 0, self._reg.REG_SZ,
                                 subprocess.list2cmdline(self.command))

    def disable(self) -> None:
        try:
            with self._key(write=True) as key:
                self._reg.DeleteValue(key, APP_NAME)
        except FileNotFoundError:
            pass

    def is_enabled(self) -> bool:
        try:
            with self._key(write=False) as key:
                value, _kind = self._reg.QueryValueEx(key, APP_NAME)
        except FileNotFoundError:
            return False
        return bool(value)


def autostart_for(
    platform: str,
    command: Sequence[str],
    *,
    xdg_config_home: Path | None = None,
    launch_agents_dir: Path | None = None,
    winreg: Any = None,
) -> Autostart | None:
    """The mechanism for `platform` (sys.platform), or None when not supported."""
    if platform == "win32":
        if winreg is None:
            import winreg as real_winreg  # Windows only

            winreg = real_winreg
        return WindowsRunKeyAutostart(command, winreg)
    if platform == "darwin":
        agents = launch_agents_dir or Path.home() / "Library" / "LaunchAgents"
        return LaunchAgentAutostart(command, agents)
    if xdg_config_home is not None:
        return XdgAutostart(command, xdg_config_home / "autostart")
    return None
