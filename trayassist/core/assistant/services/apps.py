"""Finding and opening applications and folders: .desktop (Linux), .lnk (Windows), .app (macOS)."""

from __future__ import annotations

import configparser
import logging
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from trayassist.core.assistant.context import AppEntry

log = logging.getLogger(__name__)

Spawner = Callable[[Sequence[str]], object]  # starts argv in the background
Which = Callable[[str], "str | None"]

_FIELD_CODE = re.compile(r"%[fFuUdDnNickvm]")
FOLDER_NAMES = {
    "DESKTOP": "desktop", "DOWNLOAD": "downloads", "DOCUMENTS": "documents", "MUSIC": "music",
    "PICTURES": "pictures", "VIDEOS": "videos", "TEMPLATES": "templates",
    "PUBLICSHARE": "public",
}
_DEFAULT_DIRS = {
    "desktop": "Desktop", "downloads": "Downloads", "documents": "Documents", "music": "Music",
    "pictures": "Pictures", "videos": "Videos",
}


def linux_data_dirs(environ: Mapping[str, str], home: Path) -> list[Path]:
    """XDG data dirs in precedence order (the composition root passes os.environ)."""
    data_home = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    dirs = environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(data_home), *(Path(d) for d in dirs.split(":") if d)]


def strip_field_codes(exec_line: str) -> tuple[str, ...]:
    """Exec= value to argv: shell-like quoting, field codes such as %U dropped, %% kept as %."""
    try:
        parts = shlex.split(exec_line)
    except ValueError:
        return ()
    argv = []
    for part in parts:
        if _FIELD_CODE.fullmatch(part):
            continue
        part = _FIELD_CODE.sub("", part.replace("%%", "\0")).replace("\0", "%")
        if part:
            argv.append(part)
    return tuple(argv)


def parse_desktop_file(path: Path) -> tuple[AppEntry | None, bool]:
    """Returns (entry or None, hidden). Hidden entries also mask lower-precedence copies."""
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return None, False
    if not parser.has_section("Desktop Entry"):
        return None, False
    sec = parser["Desktop Entry"]
    if sec.get("Hidden", "false").strip().lower() == "true":
        return None, True
    if sec.get("Type", "").strip() != "Application":
        return None, False
    if sec.get("NoDisplay", "false").strip().lower() == "true":
        return None, True
    name = sec.get("Name", "").strip()
    if not name:
        return None, False
    keywords = tuple(k.strip() for k in sec.get("Keywords", "").split(";") if k.strip())
    entry = AppEntry(name=name, target=str(path), generic_name=sec.get("GenericName", "").strip(),
                     keywords=keywords, exec_argv=strip_field_codes(sec.get("Exec", "")))
    return entry, False


def scan_desktop_entries(data_dirs: Sequence[Path]) -> list[AppEntry]:
    """Applications from <dir>/applications; the first dir holding a desktop-file id wins."""
    seen: set[str] = set()
    entries: list[AppEntry] = []
    for base in data_dirs:
        root = base / "applications"
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.desktop")):
            desktop_id = str(path.relative_to(root)).replace("/", "-")
            if desktop_id in seen:
                continue
            seen.add(desktop_id)
            entry, _hidden = parse_desktop_file(path)
            if entry is not None:
                entries.append(entry)
    return entries


def scan_start_menu(dirs: Sequence[Path]) -> list[AppEntry]:
    """Windows Start-menu shortcuts; uninstallers and help links are left out."""
    entries: dict[str, AppEntry] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.lnk")):
            name = path.stem
            low = name.lower()
            if "uninstall" in low or low.endswith((" help", " readme", " website")):
                continue
            entries.setdefault(low, AppEntry(name=name, target=str(path)))
    return list(entries.values())


def scan_app_bundles(dirs: Sequence[Path]) -> list[AppEntry]:
    """macOS .app bundles in /Applications-like folders (and one level of subfolders)."""
    entries: dict[str, AppEntry] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        candidates = list(root.glob("*.app")) + list(root.glob("*/*.app"))
        for path in sorted(candidates):
            entries.setdefault(path.stem.lower(), AppEntry(name=path.stem, target=str(path)))
    return list(entries.values())


def xdg_user_dirs(config_home: Path, home: Path) -> dict[str, Path]:
    """Parse user-dirs.dirs as `xdg-user-dir` does; defaults where it is missing."""
    folders = {"home": home, **{k: home / v for k, v in _DEFAULT_DIRS.items()}}
    path = config_home / "user-dirs.dirs"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return folders
    for line in text.splitlines():
        m = re.match(r'\s*XDG_([A-Z]+)_DIR\s*=\s*"(.*)"\s*$', line)
        if not m or m.group(1) not in FOLDER_NAMES:
            continue
        value = m.group(2).replace("$HOME", str(home))
        if not value.startswith("/"):
            continue
        folders[FOLDER_NAMES[m.group(1)]] = Path(value)
    return folders


def default_folders(home: Path, platform: str) -> dict[str, Path]:
    folders = {"home": home, **{k: home / v for k, v in _DEFAULT_DIRS.items()}}
    if platform == "darwin":
        folders["videos"] = home / "Movies"
        folders["applications"] = Path("/Applications")
    return folders


class DesktopLauncher:
    """AppLauncher for one platform; all discovery inputs and process starting are injected."""

    def __init__(self, platform: str, app_dirs: Sequence[Path], folders: dict[str, Path],
                 spawn: Spawner, which: Which) -> None:
        self.platform = platform
        self._app_dirs = list(app_dirs)
        self._folders = folders
        self._spawn = spawn
        self._which = which
        self._apps: list[AppEntry] | None = None

    def apps(self) -> list[AppEntry]:
        if self._apps is None:  # scanned once, on first use: never at start-up
            if self.platform.startswith("linux"):
                self._apps = scan_desktop_entries(self._app_dirs)
            elif self.platform == "win32":
                self._apps = scan_start_menu(self._app_dirs)
            elif self.platform == "darwin":
                self._apps = scan_app_bundles(self._app_dirs)
            else:
                self._apps = []
        return self._apps

    def refresh(self) -> None:
        self._apps = None

    def launch(self, app: AppEntry) -> None:
        if self.platform.startswith("linux"):
            if self._which("gio"):
                self._spawn(["gio", "launch", app.target])
            elif app.exec_argv:
                self._spawn(list(app.exec_argv))
            else:
                raise OSError(f"{app.name} has no command to run")
        elif self.platform == "win32":
            self._spawn(["explorer.exe", app.target])
        elif self.platform == "darwin":
            self._spawn(["open", "-a", app.target])
        else:
            raise OSError("opening apps is not supported on this system")

    def folders(self) -> dict[str, Path]:
        return dict(self._folders)

    def open_folder(self, path: Path) -> None:
        opener = {"win32": "explorer.exe", "darwin": "open"}.get(self.platform, "xdg-open")
        self._spawn([opener, str(path)])


def system_launcher(environ: Mapping[str, str], home: Path, spawn: Spawner, which: Which,
                    platform: str = sys.platform) -> DesktopLauncher:
    """The launcher for this machine, built from the environment the composition root passes."""
    if platform == "win32":
        dirs = [Path(environ[v]) / "Microsoft" / "Windows" / "Start Menu" / "Programs"
                for v in ("APPDATA", "PROGRAMDATA") if environ.get(v)]
        return DesktopLauncher(platform, dirs, default_folders(home, platform), spawn, which)
    if platform == "darwin":
        dirs = [Path("/Applications"), Path("/System/Applications"), home / "Applications"]
        return DesktopLauncher(platform, dirs, default_folders(home, platform), spawn, which)
    config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    return DesktopLauncher(platform, linux_data_dirs(environ, home),
                           xdg_user_dirs(config_home, home), spawn, which)
