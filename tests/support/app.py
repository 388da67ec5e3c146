"""Start the real app as a process and drive it through its real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.pulse import play, wait_for


def cli(basedir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180,
        input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trayassist.cli", "--basedir", str(basedir), *args],
                          capture_output=True, text=True, timeout=timeout, env=env, input=input)


@dataclass
class App:
    basedir: Path
    env: dict[str, str]
    proc: subprocess.Popen[str] | None = None
    extra_args: list[str] = field(default_factory=list)
    dialogs: bool = False  # let the app open its dialogs (tests answer them with xdotool)

    def start(self, wait: bool = True) -> App:
        quiet = [] if self.dialogs else ["--no-err-windows"]
        with open(self.basedir / "app.stdout", "a") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "trayassist.cli", "--basedir", str(self.basedir), *quiet,
                 "run", *self.extra_args],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        if wait and not wait_for(lambda: self.try_status() is not None, 60):
            self.stop()  # never leave the process to a later test's garbage collector
            raise RuntimeError(f"app did not answer status; output:\n{self.output()}")
        return self

    def log_text(self) -> str:
        p = self.basedir / "log" / "trayassist.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 30) -> bool:
        """Services start after `status` answers (the icon comes first): wait for one."""
        return wait_for(lambda: text in self.log_text(), timeout)

    def output(self) -> str:
        p = self.basedir / "app.stdout"
        return p.read_text() if p.exists() else ""

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return cli(self.basedir, *args, env=self.env, timeout=timeout)

    def cli_async(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "trayassist.cli", "--basedir", str(self.basedir), *args],
                                env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)

    def press(self, timeout: float = 20) -> None:
        """Press the talk key; return once the app says its microphone delivers
        (`mic.receiving`: the caption turns from "Starting…" to "speak now"), as a user waits
        before speaking: a source may take seconds to deliver its first audio, and what is
        said before that is never captured (the late-source tests play without waiting)."""
        r = self.cli("ptt", "press", "--json", timeout=60)
        assert r.returncode == 0, r.stderr
        if not json.loads(r.stdout).get("receiving"):
            self.wait_heard(timeout)

    def wait_heard(self, timeout: float = 20) -> None:
        """Until the app says its microphone delivers (after a press, a toggle, the chord)."""
        assert wait_for(lambda: self.status()["mic"]["receiving"], timeout, 0.1), \
            f"the microphone delivered nothing within {timeout:g} s\n{self.log_tail()}"

    def release(self, timeout: float = 300) -> dict[str, Any]:
        """Release the key and wait for the utterance's result (text, timings, reason...)."""
        r = self.cli("ptt", "release", "--wait", "--json", timeout=timeout)
        assert r.returncode == 0, r.stderr
        result: dict[str, Any] = json.loads(r.stdout)
        return result

    def say(self, wav: Path) -> dict[str, Any]:
        """Hold the key while `wav` plays into the virtual mic; the utterance's result."""
        self.press()
        play(wav)
        return self.release()

    def explain(self, result: dict[str, Any]) -> str:
        """An assertion message with the whole result and the log's end (pytest cuts a long
        repr short; a string message it prints whole)."""
        return f"{json.dumps(result, indent=1, default=str)}\n{self.log_tail()}"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]

    def try_status(self) -> dict[str, Any] | None:
        r = self.cli("status", "--json", timeout=30)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def status(self) -> dict[str, Any]:
        s = self.try_status()
        assert s is not None, "status failed"
        return s

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.cli("quit", timeout=30)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


def app_env(display: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    if display:
        env["DISPLAY"] = display
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
        env.pop("DISPLAY", None)
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra or {})
    if display:  # a whole environment passed in (a keyring's) must not turn the display off
        env["DISPLAY"] = display
        env.pop("QT_QPA_PLATFORM", None)
    return env
