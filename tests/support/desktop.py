"""A real X display (Xvfb) with a tray host (trayer) for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.pulse import wait_for


@dataclass
class Desktop:
    display: str
    procs: list[subprocess.Popen[bytes]]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DISPLAY"] = self.display
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("QT_QPA_PLATFORM", None)
        return env

    def screenshot(self, path: Path) -> Path:
        subprocess.run(["import", "-window", "root", str(path)], env=self.env(), check=True, timeout=30)
        return path

    def start_tray(self) -> None:
        """trayer as the system tray, top left (the app's icon lands at 0..32, 0..32).
        Started again if it dies at once (it did, once in a bench run, leaving no tray)."""
        env = self.env()
        last = ""
        for _attempt in range(3):
            with tempfile.TemporaryFile() as err:
                tray = subprocess.Popen(
                    ["trayer", "--edge", "top", "--align", "left", "--widthtype", "request", "--height", "32",
                     "--transparent", "false", "--tint", "0x303030", "--SetDockType", "true"],
                    env=env, stdout=subprocess.DEVNULL, stderr=err)

                def up(tray: subprocess.Popen[bytes] = tray) -> bool:
                    return tray.poll() is None and subprocess.run(
                        ["xdotool", "search", "--class", "trayer"], env=env, capture_output=True).returncode == 0

                if wait_for(up, 10) and tray.poll() is None:
                    self.procs.append(tray)
                    return
                tray.kill()
                tray.wait(timeout=5)
                err.seek(0)
                last = err.read().decode(errors="replace").strip()[-300:]
        raise RuntimeError(f"trayer did not stay up on {self.display}: {last}")

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def _start_xvfb() -> tuple[str, subprocess.Popen[bytes]]:
    """Xvfb on the first display from :90 that it can really take. Low numbers are left
    to real sessions (and tools that assume :0); a number another run took at the same
    moment makes that Xvfb exit at once, and the next one is tried."""
    for n in range(90, 190):
        if Path(f"/tmp/.X{n}-lock").exists():
            continue
        read_end, write_end = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", f":{n}", "-displayfd", str(write_end), "-screen", "0", "800x200x24",
                                 "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                pass_fds=(write_end,))
        os.close(write_end)
        with os.fdopen(read_end) as numbers:
            ready = numbers.readline().strip()  # written once it listens; empty if it exited
        if ready == str(n):
            return f":{n}", xvfb
        xvfb.wait(10)
    raise RuntimeError("no free X display number")


def start_desktop(tray: bool = True) -> Desktop:
    for tool in ("Xvfb", "xdpyinfo") + (("trayer",) if tray else ()):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} missing: run `make test` (installs it as root)")
    display, xvfb = _start_xvfb()
    desk = Desktop(display, [xvfb])
    env = desk.env()
    ok = wait_for(lambda: subprocess.run(["xdpyinfo"], env=env, capture_output=True).returncode == 0, 15)
    if not ok:
        desk.stop()
        raise RuntimeError("Xvfb did not start")
    if tray:
        desk.start_tray()
    return desk
