"""The real tray app on Xvfb with trayer, driven through its CLI."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.app import App, app_env, cli

pytestmark = pytest.mark.e2e

STATUS_KEYS = {"state", "mic", "network", "model", "last"}


def test_version() -> None:
    out = subprocess.run([sys.executable, "-m", "trayassist.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("trayassist ")


def test_status_has_the_documented_keys(app: App) -> None:
    s = app.status()
    assert set(s) >= STATUS_KEYS
    assert s["state"] in ("idle", "loading", "listening", "transcribing", "error")
    assert {"self", "others"} <= set(s["mic"]) and s["mic"]["self"] is False
    assert {"up_bps", "down_bps", "talkers", "self_connections", "self_blocked", "alert"} <= set(s["network"])
    assert {"name", "loaded"} <= set(s["model"])


def test_second_launch_hands_over_and_exits_zero(app: App) -> None:
    r = cli(app.basedir, "--no-err-windows", env=app.env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "already running" in r.stdout
    assert app.proc is not None and app.proc.poll() is None


def test_many_parallel_launches_leave_one_instance(app: App) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _i: cli(app.basedir, "run", env=app.env, timeout=120), range(8)))
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert app.status()["state"] in ("idle", "error")


def test_basedir_keeps_everything_inside(desktop, tmp_path: Path, virtual_mic: str) -> None:
    base = tmp_path / "iso"
    base.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    a = App(base, app_env(desktop.display, {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "c"),
                                             "XDG_DATA_HOME": str(home / "d"), "XDG_CACHE_HOME": str(home / "k"),
                                             "XDG_STATE_HOME": str(home / "s")})).start()
    try:
        assert a.status()
    finally:
        a.stop()
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() or p.is_symlink())
    # libpulse (not our code) keeps its client cookie and runtime link in $XDG_CONFIG_HOME/pulse.
    ours = [w for w in written if not w.startswith("c/pulse/")]
    assert ours == []  # nothing of ours written outside --basedir
    assert (base / "log" / "trayassist.log").exists()


def test_commands_fail_with_one_line_when_not_running(tmp_path: Path) -> None:
    for args in (["status", "--json"], ["ptt", "press"], ["ptt", "release", "--wait"]):
        r = cli(tmp_path, *args, timeout=60)
        assert r.returncode != 0
        assert r.stderr.count("\n") == 1 and "not running" in r.stderr


def test_quit_stops_the_app(app: App) -> None:
    assert app.stop() == 0


def test_icon_appears_when_the_tray_starts_after_the_app(tmp_path: Path) -> None:
    """At login the app may start before the panel: the icon must still show up."""
    from PySide6.QtGui import QImage

    from tests.support.desktop import start_desktop
    from tests.support.pulse import wait_for

    try:
        desk = start_desktop(tray=False)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    (tmp_path / "base").mkdir()
    a = App(tmp_path / "base", app_env(desk.display))

    def corner_colours() -> int:
        img = QImage(str(desk.screenshot(tmp_path / "shot.png")))
        return len({img.pixel(x, y) for x in range(32) for y in range(32)})

    try:
        a.start()
        assert corner_colours() == 1  # no tray yet: nothing drawn
        desk.start_tray()
        assert wait_for(lambda: corner_colours() > 4, 15), "the icon did not appear in the late tray"
        assert a.status()["state"] in ("idle", "error")
    finally:
        a.stop()
        desk.stop()
