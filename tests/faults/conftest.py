"""Fixtures for fault tests: the real app as a process, started with chosen settings."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from tests.support.keyring import SecretService, available, write_settings
from tests.support.pulse import wait_for

StartApp = Callable[..., App]


class QuietApp(App):
    """The app with its stdout/stderr discarded: native libraries may flood them in a fault."""

    def start(self, wait: bool = True) -> App:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trayassist.cli", "--basedir", str(self.basedir), "--no-err-windows",
             "run", *self.extra_args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wait and not wait_for(lambda: self.try_status() is not None, 60):
            raise RuntimeError("app did not answer status")
        return self


@pytest.fixture
def start_app(desktop: Desktop) -> Iterator[StartApp]:
    """start_app(basedir, env_extra=None, **settings) -> a running App; all stopped at the end."""
    started: list[App] = []

    def start(basedir: Path, env: dict[str, str] | None = None, wait: bool = True, quiet: bool = False,
              **settings: Any) -> App:
        if settings:
            write_settings(basedir, **settings)
        a = (QuietApp if quiet else App)(basedir, app_env(desktop.display, env))
        started.append(a)
        return a.start(wait=wait)

    yield start
    for a in started:
        a.stop()


@pytest.fixture
def secret_service(tmp_path: Path) -> Iterator[SecretService]:
    """A real Secret Service (GNOME Keyring on a private D-Bus) for tests that need history on disk."""
    why = available()
    if why:
        pytest.skip(why)
    svc = SecretService.start(tmp_path / "home")
    yield svc
    svc.stop()
