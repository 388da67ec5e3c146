"""Start at login on each OS, in temp directories and against a fake winreg."""

from __future__ import annotations

import plistlib
import shlex
from pathlib import Path
from typing import Any

import pytest

from trayassist.platform.autostart import (
    RUN_KEY,
    LaunchAgentAutostart,
    WindowsRunKeyAutostart,
    XdgAutostart,
    autostart_for,
    desktop_exec,
)

pytestmark = pytest.mark.unit

COMMAND = ["/opt/Tray Assist/bin/python", "-m", "trayassist", "--basedir", "/home/u/50% \"x\""]


def test_xdg_enable_disable_roundtrip(tmp_path: Path) -> None:
    auto = autostart_for("linux", COMMAND, xdg_config_home=tmp_path)
    assert isinstance(auto, XdgAutostart)
    assert not auto.is_enabled()
    auto.enable()
    path = tmp_path / "autostart" / "trayassist.desktop"
    assert auto.is_enabled() and path.exists()
    text = path.read_text()
    assert text.startswith("[Desktop Entry]\n") and "Type=Application" in text
    assert (path.stat().st_mode & 0o777) == 0o644
    auto.disable()
    assert not auto.is_enabled() and not path.exists()
    auto.disable()  # twice is fine


def test_xdg_entry_hidden_by_desktop_counts_as_disabled(tmp_path: Path) -> None:
    auto = XdgAutostart(COMMAND, tmp_path)
    auto.enable()
    auto.path.write_text(auto.path.read_text() + "Hidden=true\n")
    assert not auto.is_enabled()


def test_desktop_exec_quoting_round_trips_through_a_shell_like_parser() -> None:
    value = desktop_exec(COMMAND)
    assert "%%" in value
    # Undo the string-value escape, then the Exec quoting (shell-compatible for these).
    unescaped = value.replace("\\\\", "\\").replace("%%", "%")
    assert shlex.split(unescaped) == COMMAND
    assert desktop_exec(["trayassist"]) == "trayassist"


def test_launch_agent(tmp_path: Path) -> None:
    auto = autostart_for("darwin", COMMAND, launch_agents_dir=tmp_path)
    assert isinstance(auto, LaunchAgentAutostart)
    assert not auto.is_enabled()
    auto.enable()
    data = plistlib.loads(auto.path.read_bytes())
    assert data["ProgramArguments"] == COMMAND and data["RunAtLoad"] is True
    assert data["Label"] == "org.trayassist.TrayAssist"
    assert auto.is_enabled()
    auto.disable()
    assert not auto.is_enabled()


class FakeWinreg:
    """Just enough of winreg: a dict per key path, context-manager handles."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE, KEY_QUERY_VALUE, REG_SZ = 2, 1, 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[Any, int]]] = {}

    class Handle:
        def __init__(self, values: dict[str, tuple[Any, int]]) -> None:
            self.values = values

        def __enter__(self) -> FakeWinreg.Handle:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> Handle:  # noqa: N802
        return self.Handle(self.keys.setdefault(f"{root}\\{path}", {}))

    def OpenKey(self, root: str, path: str, reserved: int, access: int) -> Handle:  # noqa: N802
        if f"{root}\\{path}" not in self.keys:
            raise FileNotFoundError(path)
        return self.Handle(self.keys[f"{root}\\{path}"])

    def SetValueEx(self, key: Handle, name: str, reserved: int, kind: int, value: Any) -> None:  # noqa: N802
        key.values[name] = (value, kind)

    def QueryValueEx(self, key: Handle, name: str) -> tuple[Any, int]:  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name]

    def DeleteValue(self, key: Handle, name: str) -> None:  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(name)
        del key.values[name]


def test_windows_run_key() -> None:
    reg = FakeWinreg()
    auto = autostart_for("win32", [r"C:\Program Files\TrayAssist\trayassist.exe"], winreg=reg)
    assert isinstance(auto, WindowsRunKeyAutostart)
    assert not auto.is_enabled()  # the Run key does not even exist yet
    auto.enable()
    assert reg.keys[f"HKCU\\{RUN_KEY}"]["TrayAssist"] == (
        r'"C:\Program Files\TrayAssist\trayassist.exe"', reg.REG_SZ)
    assert auto.is_enabled()
    auto.disable()
    assert not auto.is_enabled()
    auto.disable()  # missing value is fine


def test_set_enabled_and_unsupported_platform(tmp_path: Path) -> None:
    auto = XdgAutostart(["trayassist"], tmp_path)
    auto.set_enabled(True)
    assert auto.is_enabled()
    auto.set_enabled(False)
    assert not auto.is_enabled()
    assert autostart_for("linux", ["trayassist"]) is None  # no config dir handed in
    with pytest.raises(ValueError):
        XdgAutostart([], tmp_path)
