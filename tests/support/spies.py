"""Spy executables placed first on PATH: each logs its argv and stdin, then runs the real tool.

Used to prove that user text reaches helper programs on stdin only: argv is readable by
every local user in /proc/PID/cmdline.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

# Every program TrayAssist may hand user text to, on any desktop.
TOOLS = ("xdotool", "espeak-ng", "xclip", "xsel", "wl-copy", "wl-paste", "wtype", "ydotool",
         "notify-send", "xprop", "osascript", "paplay")

SPY = r'''#!{python}
import base64, json, os, stat, subprocess, sys, time
data = b""
mode = os.fstat(0).st_mode
if stat.S_ISFIFO(mode) or stat.S_ISREG(mode):  # never block on a terminal
    data = sys.stdin.buffer.read()
log = {log!r}
name = f"{{time.monotonic_ns()}}-{{os.getpid()}}.json"
with open(os.path.join(log, name + ".tmp"), "w") as f:
    json.dump({{"argv": sys.argv, "stdin": base64.b64encode(data).decode()}}, f)
os.replace(os.path.join(log, name + ".tmp"), os.path.join(log, name))
real = {real!r}
if not real:
    sys.exit(0)
sys.exit(subprocess.run([real, *sys.argv[1:]], input=data, check=False).returncode)
'''


@dataclass(frozen=True)
class Call:
    argv: list[str]
    stdin: bytes

    @property
    def tool(self) -> str:
        return Path(self.argv[0]).name


class Spies:
    def __init__(self, root: Path, path: str | None = None, tools: tuple[str, ...] = TOOLS) -> None:
        self.bin, self.log = root / "spy-bin", root / "spy-log"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.log.mkdir(parents=True, exist_ok=True)
        self.real_path = path if path is not None else os.environ.get("PATH", "")
        for tool in tools:
            real = shutil.which(tool, path=self.real_path) or ""
            spy = self.bin / tool
            spy.write_text(SPY.format(python=sys.executable, log=str(self.log), real=real))
            spy.chmod(0o755)

    @property
    def path(self) -> str:
        return f"{self.bin}{os.pathsep}{self.real_path}"

    def calls(self) -> list[Call]:
        out = []
        for f in sorted(self.log.glob("*.json")):
            rec = json.loads(f.read_text())
            out.append(Call(rec["argv"], base64.b64decode(rec["stdin"])))
        return out

    def assert_only_on_stdin(self, secret: str, tool: str) -> list[Call]:
        """`secret` reached `tool` on stdin, and no spied program ever had it in argv."""
        calls = self.calls()
        for c in calls:
            for word in c.argv:
                assert secret not in word, f"{c.tool} got user text in argv: {c.argv}"
        fed = [c for c in calls if c.tool == tool and secret.encode() in c.stdin]
        assert fed, f"{tool} never received the text on stdin; calls: {[c.argv for c in calls]}"
        return fed
