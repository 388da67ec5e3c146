"""In-memory services for tests, dry runs and the evaluation: no disk, no processes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from trayassist.core.assistant.context import AppEntry


class FixedClock:
    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.current = now

    def now(self) -> datetime:
        return self.current


class FakeLauncher:
    """AppLauncher over a fixed catalogue; records what it was asked to open."""

    def __init__(self, apps: Sequence[AppEntry], folders: dict[str, Path]) -> None:
        self._apps = list(apps)
        self._folders = dict(folders)
        self.launched: list[AppEntry] = []
        self.opened: list[Path] = []

    def apps(self) -> list[AppEntry]:
        return list(self._apps)

    def launch(self, app: AppEntry) -> None:
        self.launched.append(app)

    def folders(self) -> dict[str, Path]:
        return dict(self._folders)

    def open_folder(self, path: Path) -> None:
        self.opened.append(path)


class FakeVolume:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def change(self, percent: int) -> None:
        self.calls.append(("change", percent))

    def set(self, percent: int) -> None:
        self.calls.append(("set", percent))

    def mute(self, on: bool | None) -> None:
        self.calls.append(("mute", on))


class FakeHistory:
    def __init__(self, times: Sequence[float] = ()) -> None:
        self.times = sorted(times)
        self.calls: list[tuple[str, Any]] = []

    def delete_last(self) -> bool:
        self.calls.append(("delete_last", None))
        if not self.times:
            return False
        self.times.pop()
        return True

    def forget_since(self, since: datetime) -> int:
        self.calls.append(("forget_since", since))
        before = len(self.times)
        self.times = [t for t in self.times if t < since.timestamp()]
        return before - len(self.times)


# A typical Linux desktop, for the labelled-utterance evaluation and tests.
SAMPLE_APPS = (
    AppEntry("Firefox Web Browser", "/usr/share/applications/firefox.desktop", "Web Browser",
             exec_argv=("firefox",)),
    AppEntry("Chromium", "/usr/share/applications/chromium.desktop", "Web Browser",
             exec_argv=("chromium",)),
    AppEntry("Google Chrome", "/usr/share/applications/google-chrome.desktop", "Web Browser",
             exec_argv=("/usr/bin/google-chrome-stable",)),
    AppEntry("Terminal", "/usr/share/applications/org.gnome.Terminal.desktop",
             "Terminal", exec_argv=("gnome-terminal",)),
    AppEntry("Files", "/usr/share/applications/org.gnome.Nautilus.desktop", "File Manager",
             exec_argv=("nautilus", "--new-window")),
    AppEntry("Text Editor", "/usr/share/applications/org.gnome.TextEditor.desktop",
             "Text Editor", exec_argv=("gnome-text-editor",)),
    AppEntry("Calculator", "/usr/share/applications/org.gnome.Calculator.desktop",
             "Calculator", exec_argv=("gnome-calculator",)),
    AppEntry("Settings", "/usr/share/applications/org.gnome.Settings.desktop", "",
             exec_argv=("gnome-control-center",)),
    AppEntry("LibreOffice Writer", "/usr/share/applications/libreoffice-writer.desktop",
             "Word Processor", exec_argv=("libreoffice", "--writer")),
    AppEntry("LibreOffice Calc", "/usr/share/applications/libreoffice-calc.desktop",
             "Spreadsheet", exec_argv=("libreoffice", "--calc")),
    AppEntry("Thunderbird Mail", "/usr/share/applications/thunderbird.desktop", "Mail Client",
             keywords=("Email", "E-mail"), exec_argv=("thunderbird",)),
    AppEntry("VLC media player", "/usr/share/applications/vlc.desktop", "Media player",
             exec_argv=("vlc",)),
    AppEntry("GNU Image Manipulation Program", "/usr/share/applications/gimp.desktop",
             "Image Editor", exec_argv=("gimp",)),
    AppEntry("Visual Studio Code", "/usr/share/applications/code.desktop", "Text Editor",
             exec_argv=("code",)),
    AppEntry("System Monitor", "/usr/share/applications/gnome-system-monitor.desktop",
             "", exec_argv=("gnome-system-monitor",)),
    AppEntry("Spotify", "/usr/share/applications/spotify.desktop", "Music Player",
             exec_argv=("spotify",)),
    AppEntry("Slack", "/usr/share/applications/slack.desktop", "", exec_argv=("slack",)),
)


def sample_folders(home: Path = Path("/home/user")) -> dict[str, Path]:
    return {"home": home, "documents": home / "Documents", "downloads": home / "Downloads",
            "desktop": home / "Desktop", "music": home / "Music",
            "pictures": home / "Pictures", "videos": home / "Videos"}


def sample_status() -> dict[str, Any]:
    return {
        "state": "idle",
        "mic": {"self": False, "others": [{"pid": 4242, "name": "zoom", "exe": "/opt/zoom"}]},
        "network": {"up_bps": 1200, "down_bps": 300,
                    "talkers": [{"pid": 4242, "name": "zoom", "exe": "/opt/zoom",
                                 "remote_connections": 3, "up_bps": 1200}],
                    "self_connections": 0, "self_blocked": 0,
                    "alert": {"pid": 4242, "name": "zoom",
                              "message": "captures the microphone and uploads"}},
        "model": {"name": "tiny.en", "loaded": True, "path": ""}, "last": None,
        "indicators_paused": False, "error": None,
    }
