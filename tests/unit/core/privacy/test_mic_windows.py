"""Windows ConsentStore logic against a fake registry tree (runs on any OS)."""

from __future__ import annotations

from typing import Any

import pytest

from trayassist.core.privacy.mic_windows import CONSENT_KEY, WindowsMicWatch, in_use

pytestmark = pytest.mark.unit

BASE = f"HKCU\\{CONSENT_KEY}"
ZOOM = r"C:\Program Files\Zoom\bin\Zoom.exe"


class FakeRegistry:
    def __init__(self, tree: dict[str, dict[str, Any]]) -> None:
        self.tree = tree  # path -> values; subkeys are derived from the paths

    def subkeys(self, path: str) -> list[str]:
        prefix = path + "\\"
        kids = {p[len(prefix):].split("\\")[0] for p in self.tree if p.startswith(prefix)}
        if not kids and path not in self.tree:
            raise OSError(2, "key not found")
        return sorted(kids)

    def values(self, path: str) -> dict[str, Any]:
        if path not in self.tree:
            raise OSError(2, "key not found")
        return self.tree[path]


def tree(**apps: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{BASE}\\{name}": vals for name, vals in apps.items()} | {BASE: {}}


IN_USE = {"Value": "Allow", "LastUsedTimeStart": 133_000_000_000_000_000, "LastUsedTimeStop": 0}
DONE = {"Value": "Allow", "LastUsedTimeStart": 133_000_000_000_000_000,
        "LastUsedTimeStop": 133_000_000_100_000_000}


def test_in_use_rule() -> None:
    assert in_use(IN_USE)
    assert not in_use(DONE)
    assert not in_use({"Value": "Allow"})  # never used: neither timestamp


def test_nonpackaged_app_in_use_maps_to_its_processes() -> None:
    reg = FakeRegistry(tree(**{
        "NonPackaged\\C:#Program Files#Zoom#bin#Zoom.exe": IN_USE,
        "NonPackaged\\C:#Windows#notepad.exe": DONE,
        "Microsoft.WindowsSoundRecorder_8wekyb3d8bbwe": DONE,
    }))
    procs = [(100, ZOOM.lower()), (200, r"C:\Windows\notepad.exe"), (300, None)]
    watch = WindowsMicWatch(reader=reg, processes=lambda: procs, own_pid=1)
    users = watch.scan()
    assert [(u.pid, u.name, u.exe) for u in users] == [(100, "Zoom.exe", ZOOM.lower())]


def test_packaged_app_and_not_running_exe() -> None:
    reg = FakeRegistry(tree(**{
        "Microsoft.WindowsSoundRecorder_8wekyb3d8bbwe": IN_USE,
        "NonPackaged\\C:#Tools#rec.exe": IN_USE,
    }))
    rec_exe = r"C:\Program Files\WindowsApps\Microsoft.WindowsSoundRecorder_10.2_x64__8wekyb3d8bbwe\VoiceRecorder.exe"
    watch = WindowsMicWatch(reader=reg, processes=lambda: [(55, rec_exe)], own_pid=1)
    users = {u.name: u for u in watch.scan()}
    assert users["Microsoft.WindowsSoundRecorder"].pid == 55
    assert users["Microsoft.WindowsSoundRecorder"].exe == rec_exe
    # The registry says rec.exe captures but no process runs it: shown, without a pid.
    assert (users["rec.exe"].pid, users["rec.exe"].exe) == (None, r"C:\Tools\rec.exe")


def test_idle_skips_process_walk_and_hklm_is_read() -> None:
    walked: list[int] = []

    def procs() -> list[tuple[int, str | None]]:
        walked.append(1)
        return []

    reg = FakeRegistry(tree(**{"NonPackaged\\C:#a.exe": DONE}))
    watch = WindowsMicWatch(reader=reg, processes=procs, own_pid=1)
    assert watch.scan() == [] and walked == []
    reg.tree[f"HKLM\\{CONSENT_KEY}\\NonPackaged\\C:#svc#b.exe"] = IN_USE
    assert [u.exe for u in watch.scan()] == [r"C:\svc\b.exe"]


def test_own_process_is_not_an_other() -> None:
    reg = FakeRegistry(tree(**{"NonPackaged\\C:#TrayAssist#trayassist.exe": IN_USE}))
    watch = WindowsMicWatch(reader=reg, processes=lambda: [(7, r"C:\TrayAssist\trayassist.exe")],
                            own_pid=7)
    watch.refresh()
    assert watch.users() == [] and [u.pid for u in watch.own_streams()] == [7]


def test_unreadable_registry_is_reported_not_raised() -> None:
    watch = WindowsMicWatch(reader=FakeRegistry({}), processes=lambda: [])
    status = watch.available()
    assert not status.ok and "ConsentStore" in status.detail
    assert watch.scan() == []
