"""A real X display (Xvfb) with a tray host (trayer) for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
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
        """trayer as the system tray, top left (the app's icon lands at 0..32, 0..32)."""
        env = self.env()
        self.procs.append(subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "left", "--widthtype", "request", "--height", "32",
             "--transparent", "false", "--tint", "0x303030", "--SetDockType", "true"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: subprocess.run(["xdotool", "search", "--class", "trayer"], env=env,
                                        capture_output=True).returncode == 0, 10)

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def start_desktop(tray: bool = True) -> Desktop:
    for tool in ("Xvfb", "xdpyinfo") + (("trayer",) if tray else ()):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} missing: run `make test` (installs it as root)")
    # -displayfd: Xvfb picks a free display number itself and writes it once it listens,
    # so two runs starting at the same moment never share (or steal) one display.
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "800x200x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,))
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        number = numbers.readline().strip()  # empty when Xvfb died
    if not number.isdigit():
        xvfb.kill()
        xvfb.wait(10)
        raise RuntimeError("Xvfb did not start")
    desk = Desktop(f":{number}", [xvfb])
    env = desk.env()
    ok = wait_for(lambda: subprocess.run(["xdpyinfo"], env=env, capture_output=True).returncode == 0, 15)
    if not ok:
        desk.stop()
        raise RuntimeError("Xvfb did not start")
    if tray:
        desk.start_tray()
    return desk
