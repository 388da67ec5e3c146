from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.pulse import wait_for
from trayassist.core.assistant.services.apps import (
    DesktopLauncher,
    linux_data_dirs,
    parse_desktop_file,
    scan_app_bundles,
    scan_desktop_entries,
    scan_start_menu,
    strip_field_codes,
    system_launcher,
    xdg_user_dirs,
)
from trayassist.core.assistant.services.process import run_quiet, spawn_detached

pytestmark = pytest.mark.unit


def _desktop(path: Path, name: str, exec_line: str, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[Desktop Entry]\nType=Application\nName={name}\nExec={exec_line}\n{extra}"
                    "\n[Desktop Action new]\nName=New Window\nExec=ignored\n", encoding="utf-8")
    return path


class Spawned:
    def __init__(self) -> None:
        self.argvs: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> None:
        self.argvs.append(list(argv))


def test_field_codes() -> None:
    assert strip_field_codes("firefox %u") == ("firefox",)
    assert strip_field_codes('env "A=1 2" app --x=%f %%done') == ("env", "A=1 2", "app", "--x=",
                                                                  "%done")
    assert strip_field_codes('broken "quote') == ()


def test_desktop_scan_precedence_hidden_nodisplay(tmp_path: Path) -> None:
    user, system = tmp_path / "user", tmp_path / "system"
    _desktop(system / "applications" / "firefox.desktop", "Firefox", "firefox %u",
             "GenericName=Web Browser\nKeywords=Internet;WWW;")
    _desktop(user / "applications" / "firefox.desktop", "Firefox (mine)", "/opt/ff/firefox")
    _desktop(system / "applications" / "helper.desktop", "Helper", "helper", "NoDisplay=true")
    _desktop(system / "applications" / "gone.desktop", "Gone", "gone")
    _desktop(user / "applications" / "gone.desktop", "Gone", "gone", "Hidden=true")
    _desktop(system / "applications" / "kde" / "konsole.desktop", "Konsole", "konsole")
    (system / "applications" / "link.desktop").write_text(
        "[Desktop Entry]\nType=Link\nName=Docs\nURL=https://x\n")
    (system / "applications" / "junk.desktop").write_bytes(b"\x00\xff not ini")
    apps = {a.name: a for a in scan_desktop_entries([user, system])}
    assert set(apps) == {"Firefox (mine)", "Konsole"}
    assert apps["Firefox (mine)"].exec_argv == ("/opt/ff/firefox",)


def test_parse_desktop_fields(tmp_path: Path) -> None:
    p = _desktop(tmp_path / "a.desktop", "Text Editor", "gnome-text-editor %U",
                 "GenericName=Editor\nKeywords=text;plain;")
    entry, hidden = parse_desktop_file(p)
    assert entry is not None and not hidden
    assert (entry.generic_name, entry.keywords, entry.exec_argv) == (
        "Editor", ("text", "plain"), ("gnome-text-editor",))


def test_linux_launch_prefers_gio_then_exec(tmp_path: Path) -> None:
    _desktop(tmp_path / "applications" / "t.desktop", "Term", "xterm -e %f")
    spawned = Spawned()
    with_gio = DesktopLauncher("linux", [tmp_path], {}, spawned, lambda n: "/usr/bin/gio")
    app = with_gio.apps()[0]
    with_gio.launch(app)
    no_gio = DesktopLauncher("linux", [tmp_path], {}, spawned, lambda n: None)
    no_gio.launch(app)
    assert spawned.argvs == [["gio", "launch", app.target], ["xterm", "-e"]]


def test_windows_start_menu(tmp_path: Path) -> None:
    root = tmp_path / "Programs"
    for rel in ("Firefox.lnk", "Accessories/Notepad.lnk", "Tool/Uninstall Tool.lnk",
                "Tool/Tool Help.lnk", "readme.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"L\0\0\0")
    assert sorted(a.name for a in scan_start_menu([root, tmp_path / "missing"])) == [
        "Firefox", "Notepad"]
    spawned = Spawned()
    launcher = DesktopLauncher("win32", [root], {"home": tmp_path}, spawned, lambda n: None)
    launcher.launch(next(a for a in launcher.apps() if a.name == "Notepad"))
    launcher.open_folder(tmp_path)
    assert spawned.argvs == [["explorer.exe", str(root / "Accessories" / "Notepad.lnk")],
                             ["explorer.exe", str(tmp_path)]]


def test_macos_bundles(tmp_path: Path) -> None:
    for rel in ("Safari.app", "Utilities/Terminal.app", "notes.txt"):
        (tmp_path / rel).mkdir(parents=True)
    assert sorted(a.name for a in scan_app_bundles([tmp_path])) == ["Safari", "Terminal"]
    spawned = Spawned()
    launcher = DesktopLauncher("darwin", [tmp_path], {}, spawned, lambda n: None)
    launcher.launch(next(a for a in launcher.apps() if a.name == "Safari"))
    assert spawned.argvs == [["open", "-a", str(tmp_path / "Safari.app")]]


def test_xdg_user_dirs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "user-dirs.dirs").write_text(
        '# comment\nXDG_DOWNLOAD_DIR="$HOME/Telechargements"\nXDG_MUSIC_DIR="/mnt/music"\n'
        'XDG_BOGUS_DIR="$HOME/x"\nXDG_PICTURES_DIR="relative"\n')
    folders = xdg_user_dirs(cfg, home)
    assert folders["downloads"] == home / "Telechargements"
    assert folders["music"] == Path("/mnt/music")
    assert folders["pictures"] == home / "Pictures"
    assert folders["home"] == home
    assert xdg_user_dirs(tmp_path / "none", home)["documents"] == home / "Documents"


def test_system_launcher_from_environment(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "d"), "XDG_DATA_DIRS": f"{tmp_path}/s1:{tmp_path}/s2"}
    assert linux_data_dirs(env, tmp_path) == [tmp_path / "d", tmp_path / "s1", tmp_path / "s2"]
    assert linux_data_dirs({}, tmp_path)[0] == tmp_path / ".local" / "share"
    win = system_launcher({"APPDATA": str(tmp_path)}, tmp_path, Spawned(), lambda n: None,
                          platform="win32")
    assert win.platform == "win32" and win.folders()["documents"] == tmp_path / "Documents"
    mac = system_launcher({}, tmp_path, Spawned(), lambda n: None, platform="darwin")
    assert mac.folders()["videos"] == tmp_path / "Movies"


def test_real_desktop_entries_on_this_machine() -> None:
    # The real XDG dirs: whatever is installed parses without error.
    launcher = system_launcher({}, Path.home(), Spawned(), lambda n: None, platform="linux")
    for app in launcher.apps():
        assert app.name and app.target.endswith(".desktop")


def test_real_processes(tmp_path: Path) -> None:
    assert run_quiet([sys.executable, "-c", "raise SystemExit(3)"]) == 3
    assert run_quiet(["/nonexistent/program"]) == 127
    marker = tmp_path / "started"
    spawn_detached([sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"])
    assert wait_for(marker.exists, timeout=10)
    with pytest.raises(OSError):
        spawn_detached(["/nonexistent/program"])
