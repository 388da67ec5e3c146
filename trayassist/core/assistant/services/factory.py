"""Builds the assistant's real services in one call, for the composition root (app.py, cli.py)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from trayassist.core.assistant.context import (
    Context,
    HistoryActions,
    ItemStore,
    Notifier,
    StatusSource,
    Timer,
)
from trayassist.core.assistant.services.apps import system_launcher
from trayassist.core.assistant.services.clock import SystemClock
from trayassist.core.assistant.services.process import run_quiet, spawn_detached
from trayassist.core.assistant.services.timers import TimerScheduler
from trayassist.core.assistant.services.volume import PactlVolume


@dataclass
class RealServices:
    context: Context
    timers: TimerScheduler  # call .start() once the app runs, .stop() on quit


def real_services(store: ItemStore, on_fire: Callable[[Timer], None], environ: Mapping[str, str],
                  home: Path, privacy_status: StatusSource | None = None,
                  history: HistoryActions | None = None, notify: Notifier | None = None,
                  platform: str = sys.platform) -> RealServices:
    """Real clock, timers, app launcher and (on Linux) pactl volume. Nothing starts here."""
    timers = TimerScheduler(store, on_fire)
    launcher = system_launcher(environ, home, spawn_detached, shutil.which, platform=platform)
    volume = PactlVolume(run_quiet) if platform.startswith("linux") and shutil.which("pactl") \
        else None
    ctx = Context(clock=SystemClock(), store=store, timers=timers, launcher=launcher,
                  volume=volume, privacy_status=privacy_status, history=history, notify=notify)
    return RealServices(ctx, timers)
