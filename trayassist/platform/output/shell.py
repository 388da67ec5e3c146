"""Runs desktop command-line tools (xdotool, xclip, wtype...) with a given environment."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: bytes = b""
    stderr: bytes = b""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Proc(Protocol):
    """A tool left running in the background (e.g. `xclip -loops 1` serving one paste)."""

    def wait_done(self, timeout: float) -> bool: ...

    def kill(self) -> None: ...


class Shell(Protocol):
    """What the output code needs from the OS; tests hand in a fake."""

    def which(self, name: str) -> str | None: ...

    def run(self, args: Sequence[str], input: bytes | None = None, timeout: float = 5.0,
            capture: bool = True) -> RunResult: ...

    def spawn(self, args: Sequence[str], input: bytes | None = None) -> Proc: ...


class _Popen:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc

    def wait_done(self, timeout: float) -> bool:
        try:
            self._proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=5)


class SubprocessShell:
    """The real thing. `env` is the full environment for the tools (DISPLAY etc.)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(os.environ if env is None else env)

    def which(self, name: str) -> str | None:
        return shutil.which(name, path=self.env.get("PATH"))

    def run(self, args: Sequence[str], input: bytes | None = None, timeout: float = 5.0,
            capture: bool = True) -> RunResult:
        # xclip/xsel/wl-copy fork a child that keeps serving the selection; if it
        # inherited our pipes, run() would block until the selection changes owner.
        out = subprocess.PIPE if capture else subprocess.DEVNULL
        try:
            if input is None:  # the tool gets /dev/null, never the app's own stdin
                proc = subprocess.run(list(args), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                      env=self.env, timeout=timeout, check=False)
            else:
                proc = subprocess.run(list(args), input=input, stdout=out, stderr=out,
                                      env=self.env, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return RunResult(127, b"", str(exc).encode())
        return RunResult(proc.returncode, proc.stdout or b"", proc.stderr or b"")

    def spawn(self, args: Sequence[str], input: bytes | None = None) -> Proc:
        proc = subprocess.Popen(list(args), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=self.env)
        assert proc.stdin is not None
        if input:
            proc.stdin.write(input)
        proc.stdin.close()
        return _Popen(proc)
