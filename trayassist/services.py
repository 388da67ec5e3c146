"""Composition root, part one: builds the services without Qt (used by app.py and cli.py).

Every service gets its dependencies here, through its constructor; nothing else in
the code constructs services or reads the environment.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings
from trayassist.core.controller import Controller
from trayassist.core.events import Notice
from trayassist.core.paths import Paths

log = logging.getLogger(__name__)


def hub_cache(paths: Paths) -> Path:
    """Downloaded models live in our cache dir, never in ~/.cache/huggingface."""
    return paths.cache / "models"


def build_session(paths: Paths, settings: Settings, controller: Controller,
                  on_needs_download: Callable[[Any], None] | None = None) -> Any:
    """Mic + model worker + push-to-talk. Cheap: nothing loads until the first press."""
    from trayassist.core.audio import Recorder
    from trayassist.core.session import PushToTalk
    from trayassist.core.transcribe import models
    from trayassist.core.transcribe.engine import Engine

    def resolve() -> Any:
        try:
            return models.resolve(settings.model, settings.model_path, paths.cache, hub_cache=hub_cache(paths))
        except models.ModelNeedsDownload as exc:
            if on_needs_download is not None:
                on_needs_download(exc)
            raise

    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing: the app still runs, and says why
        raise RuntimeError(f"audio capture unavailable: {exc}") from exc

    def problem(message: str) -> None:
        controller.bus.publish(Notice("Microphone", message, "error"))

    recorder = Recorder(sounddevice, settings.input_device, on_problem=problem)
    engine = Engine(resolve, device=settings.device, compute_type=settings.compute_type,
                    language=settings.language, idle_unload_s=settings.model_idle_unload_s)
    session = PushToTalk(recorder, engine, model_name=settings.model,
                         on_state=lambda s: controller.on_session_state(s, session.error))
    return session


def build_privacy(settings: Settings, controller: Controller, guard: Any,
                  on_event: Callable[[dict[str, Any]], None]) -> Any:
    from trayassist.core.privacy import NetWatch, PrivacyMonitor, choose_mic_watch

    mic, statuses = choose_mic_watch()
    for s in statuses:
        if not s.ok:
            log.info("mic watch %s unavailable: %s", s.name, s.detail)
    monitor = PrivacyMonitor(mic, NetWatch(), guard, acknowledged_apps=settings.acknowledged_apps,
                             on_change=controller.on_privacy, on_event=on_event)
    if not settings.indicators_enabled:
        monitor.pause()
    return monitor


def build_output(env: Mapping[str, str]) -> Any:
    from trayassist.platform.output import TextOutput

    return TextOutput.for_session(env)


@dataclass
class HistoryOpening:
    store: Any = None  # an opened HistoryStore, or None
    problem: str | None = None  # one line for the user when it could not open
    kind: str = ""  # the exception class name, so the UI can offer the right choices
    extra: dict[str, Any] = field(default_factory=dict)


def open_history(paths: Paths, settings: Settings, keyring_module: Any = None,
                 passphrase: str | None = None) -> HistoryOpening:
    """Build and open the encrypted history; never raises for the user's situation."""
    from trayassist.core.history import errors
    from trayassist.core.history.factory import build_store

    if keyring_module is None:
        import keyring as keyring_module
    try:
        store = build_store(paths, settings, keyring_module=keyring_module, passphrase=passphrase)
        if store is None:
            return HistoryOpening(None, None, "off")
        store.open()
        store.warm()
        return HistoryOpening(store)
    except errors.HistoryError as exc:
        return HistoryOpening(None, str(exc).splitlines()[0], type(exc).__name__,
                              {"fresh_start": exc.fresh_start_helps})


def start_new_history(paths: Paths, settings: Settings, keyring_module: Any = None,
                      passphrase: str | None = None) -> HistoryOpening:
    """The user's way out of a history that cannot be opened: keep its files aside,
    untouched, and open a new empty one (`extra["aside"]` says where the old went)."""
    from trayassist.core.history.factory import set_history_aside

    try:
        aside = set_history_aside(paths)
    except OSError as exc:
        return HistoryOpening(None, f"could not set the old history aside ({exc.strerror})", "OSError")
    opening = open_history(paths, settings, keyring_module, passphrase)
    opening.extra["aside"] = str(aside) if aside else None
    return opening


def build_assistant(settings: Settings, store: Any, notify: Callable[[str, str], None],
                    status: Callable[[], dict[str, Any]] | None, env: Mapping[str, str],
                    play_sound: Callable[[], None] | None = None) -> tuple[Any, Any]:
    """The assistant on the real services; returns (assistant, timers) — start timers yourself."""
    from trayassist.core.assistant import Assistant, load_skills
    from trayassist.core.assistant.services.factory import real_services
    from trayassist.core.assistant.services.history import StoreHistoryActions
    from trayassist.core.assistant.services.memory import MemoryItemStore
    from trayassist.core.assistant.services.timers import TimerNotifier

    items = store if store is not None else MemoryItemStore()  # notes last until quit without history
    svc = real_services(store=items, on_fire=TimerNotifier(notify, play_sound=play_sound), environ=env,
                        home=Path.home(), privacy_status=status,
                        history=StoreHistoryActions(store) if store is not None else None, notify=notify)
    llm = None
    if settings.llm_enabled:
        from trayassist.core.assistant.llm import LlmClient

        try:
            llm = LlmClient(settings.llm_url, settings.llm_model)
        except ValueError as exc:
            notify("Local language model", str(exc).splitlines()[0])
    return Assistant(load_skills(), svc.context, llm=llm), svc.timers


def autostart_for(paths: Paths, env: Mapping[str, str]) -> Any:
    """The start-at-login entry; under --basedir it stays inside the base dir."""
    from trayassist.platform import autostart

    command = [sys.executable, "-m", "trayassist.cli", "run"] if not getattr(sys, "frozen", False) \
        else [sys.executable, "run"]
    if paths.basedir is not None:
        command += ["--basedir", str(paths.basedir)]
    if sys.platform == "win32":  # pragma: no cover
        import winreg

        return autostart.WindowsRunKeyAutostart(command, winreg)
    if sys.platform == "darwin":  # pragma: no cover
        agents = paths.basedir / "LaunchAgents" if paths.basedir else Path.home() / "Library/LaunchAgents"
        return autostart.LaunchAgentAutostart(command, agents)
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return autostart.XdgAutostart(command, paths.basedir / "autostart" if paths.basedir else base / "autostart")



def speak(text: str) -> bool:
    """Spoken replies (off by default) through espeak-ng, in the background."""
    import shutil

    from trayassist.core.assistant.services.process import spawn_detached
    from trayassist.core.assistant.services.speech import EspeakSpeaker

    return EspeakSpeaker(spawn_detached, shutil.which).say(text)
