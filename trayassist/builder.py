"""Builds every service from the settings: the only place that constructs them.

`app.py` (the tray), `doctor` and the CLI all build through `ServiceBuilder`; the
settings-change path asks `affected()` what to rebuild and rebuilds only that.
Nothing here imports Qt; heavy modules are imported by the method that needs them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trayassist.core.config import Settings
from trayassist.core.paths import Paths

if TYPE_CHECKING:
    from trayassist.core.assistant import Assistant
    from trayassist.core.assistant.services.speech import EspeakSpeaker
    from trayassist.core.assistant.services.timers import TimerScheduler
    from trayassist.core.lanes import Done
    from trayassist.core.privacy import PrivacyMonitor
    from trayassist.core.privacy.guard import NetworkGuard
    from trayassist.core.session import PushToTalk
    from trayassist.core.transcribe.catalog import ModelCatalog
    from trayassist.core.transcribe.downloader import ChildDownload, OnProgress
    from trayassist.core.transcribe.engine import Engine
    from trayassist.core.transcribe.models import ModelNeedsDownload
    from trayassist.platform.autostart import Autostart
    from trayassist.platform.hotkeys import BackendChoice
    from trayassist.platform.notifications import DesktopNotifications
    from trayassist.platform.output import TextOutput

log = logging.getLogger(__name__)
LOAD_WATCH_S = 30.0  # a model load and its first transcription: own sockets sampled every 20 ms

# Which settings each service is built from: a change rebuilds that service only.
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "session": ("model", "model_path", "language", "device", "compute_type", "input_device",
                "model_idle_unload_s", "toggle_silence_stop_s", "toggle_max_s"),
    "vocabulary": ("vocabulary",),  # applied to the running engine, no rebuild
    "live": ("dictation_context",),  # applied to the running session: from its next take
    "hotkey": ("hotkey", "hotkey_mode"),
    "indicators": ("indicators_enabled",),
    "autostart": ("start_at_login",),
    "history": ("history_key_backend",),
    "retention": ("history_retention",),
    "assistant": ("llm_enabled", "llm_url", "llm_model", "llm_trusted_user"),
}


def affected(before: Settings, after: Settings) -> frozenset[str]:
    """The services whose settings differ between `before` and `after`."""
    return frozenset(name for name, fields in DEPENDS_ON.items()
                     if any(getattr(before, f) != getattr(after, f) for f in fields))


class CaptureUnavailable(RuntimeError):
    """Audio capture cannot work on this machine (PortAudio missing)."""


class Remedy(StrEnum):
    """What the user can do about a history that did not open."""

    NONE = "none"  # it opened, or history is off
    PASSPHRASE = "passphrase"  # ask for the passphrase (none given yet, or a wrong one)
    CHOOSE_KEY = "choose_key"  # no secure keyring: passphrase, session-only or off
    FRESH_START = "fresh_start"  # damaged or lost key: a new history, the old kept aside
    UPDATE = "update"  # written by a newer TrayAssist
    NOTHING = "nothing"  # report it; nothing to offer here


@dataclass(frozen=True)
class HistoryOpening:
    store: Any = None  # an opened HistoryStore, or None
    problem: str | None = None  # one line for the user when it could not open
    remedy: Remedy = Remedy.NONE
    aside: str | None = None  # where start_new_history put the old files


def remedy_for(exc: BaseException, key_backend: str) -> Remedy:
    from trayassist.core.history import PassphraseNeeded, errors

    if isinstance(exc, PassphraseNeeded | errors.WrongPassphrase):
        return Remedy.PASSPHRASE
    if isinstance(exc, errors.HistoryError) and exc.fresh_start_helps:
        return Remedy.FRESH_START
    if isinstance(exc, errors.DatabaseTooNew):
        return Remedy.UPDATE
    if isinstance(exc, errors.KeyUnavailable) and key_backend == "auto":
        return Remedy.CHOOSE_KEY
    return Remedy.NOTHING


class ServiceBuilder:
    def __init__(self, paths: Paths, env: Mapping[str, str], guard: NetworkGuard | None = None,
                 keyring_module: Any = None) -> None:
        self.paths = paths
        self.env = env
        self.guard = guard
        self._keyring = keyring_module
        self._speaker: EspeakSpeaker | None = None  # once a reply was spoken

    @property
    def hub_cache(self) -> Path:
        """Downloaded models live in our cache dir, never in ~/.cache/huggingface."""
        return self.paths.cache / "models"

    def keyring(self) -> Any:
        if self._keyring is None:
            import keyring

            self._keyring = keyring
        return self._keyring

    # ---- speech ----------------------------------------------------------------------
    def session(self, settings: Settings, *, on_state: Callable[[str], None],
                on_stream: Callable[[bool], None], on_problem: Callable[[str], None],
                on_needs_download: Callable[[ModelNeedsDownload], None],
                on_partial: Callable[[str, str], None] | None = None,
                on_auto_stop: Callable[[str, int], None] | None = None) -> PushToTalk:
        """Mic + model worker + push-to-talk. Cheap: nothing loads until the first press."""
        from trayassist.core.audio import Recorder
        from trayassist.core.session import PushToTalk
        from trayassist.core.take import AutoStop
        from trayassist.core.transcribe.live import live_options

        try:
            import sounddevice
        except OSError as exc:  # PortAudio missing: the app still runs, and says why
            raise CaptureUnavailable(f"audio capture unavailable: {exc}") from exc
        recorder = Recorder(sounddevice, settings.input_device, on_problem=on_problem, on_stream=on_stream)
        return PushToTalk(recorder, self.engine(settings, on_needs_download), model_name=settings.model,
                          on_state=on_state, on_partial=on_partial, on_auto_stop=on_auto_stop,
                          auto_stop=AutoStop(settings.toggle_silence_stop_s, settings.toggle_max_s),
                          live_options=live_options(settings.dictation_context))

    def engine(self, settings: Settings,
               on_needs_download: Callable[[ModelNeedsDownload], None] | None = None) -> Engine:
        """The model worker (also for `trayassist transcribe`): the settings' model, the
        bundled one, or one downloaded into our cache; nothing loads until first use."""
        from trayassist.core.transcribe import models
        from trayassist.core.transcribe.engine import Engine

        def resolve() -> models.ResolvedModel:
            if self.guard is not None:  # native model code runs next: watch our sockets closely
                self.guard.watch_closely(LOAD_WATCH_S)
            try:
                return models.resolve(settings.model, settings.model_path, self.paths.cache,
                                      hub_cache=self.hub_cache)
            except models.ModelNeedsDownload as exc:
                if on_needs_download is not None:
                    on_needs_download(exc)
                raise

        return Engine(resolve, device=settings.device, compute_type=settings.compute_type,
                      language=settings.language, idle_unload_s=settings.model_idle_unload_s,
                      vocabulary=settings.vocabulary)

    def download_model(self, name: str, on_progress: OnProgress, done: Done) -> ChildDownload:
        """Only after the user clicked "Download": a child process fetches the model, so this
        process stays offline and its guard allows nothing (call `start()` on the result)."""
        from trayassist.core.transcribe.downloader import ChildDownload, child_command

        command = child_command(name, self.hub_cache, self.paths.basedir)
        return ChildDownload(name, command, self.model_catalog(), on_progress, done, env=self.env)

    def model_catalog(self) -> ModelCatalog:
        """The models on this computer (listing, checksums, deleting) for the model manager."""
        from trayassist.core.transcribe.catalog import ModelCatalog

        return ModelCatalog(self.hub_cache)

    # ---- desktop ---------------------------------------------------------------------
    def output(self) -> TextOutput:
        from trayassist.platform.output import TextOutput

        return TextOutput.for_session(self.env)

    def privacy(self, settings: Settings, on_change: Callable[[dict[str, Any]], None],
                on_event: Callable[[dict[str, Any]], None],
                own_streams: Callable[[], int] | None = None) -> PrivacyMonitor:
        from trayassist.core.privacy import NetWatch, PrivacyMonitor, choose_mic_watch

        # own_streams: how many capture streams are ours now, so a stream that only claims
        # our pid is shown as another program's.
        mic, statuses = choose_mic_watch(own_count=own_streams)
        for s in statuses:
            if not s.ok:
                log.info("mic watch %s unavailable: %s", s.name, s.detail)
        monitor = PrivacyMonitor(mic, NetWatch(), self.guard, acknowledged_apps=settings.acknowledged_apps,
                                 on_change=on_change, on_event=on_event)
        if not settings.indicators_enabled:
            monitor.pause()
        return monitor

    def desktop_notifications(self) -> DesktopNotifications:
        from trayassist.platform.notifications import DesktopNotifications

        return DesktopNotifications(self.env)

    def hotkey_backend(self) -> BackendChoice:
        from trayassist.platform.hotkeys import select_backend

        return select_backend(dict(self.env), app_id="trayassist")

    def autostart(self) -> Autostart:
        """The start-at-login entry; under --basedir it stays inside the base dir."""
        from trayassist.platform import autostart

        paths = self.paths
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
        base = Path(self.env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return autostart.XdgAutostart(command, paths.basedir / "autostart" if paths.basedir else base / "autostart")

    def speak(self, text: str) -> bool:
        """Spoken replies (off by default) through espeak-ng, in the background."""
        if self._speaker is None:
            import shutil

            from trayassist.core.assistant.services.process import spawn_detached
            from trayassist.core.assistant.services.speech import EspeakSpeaker

            self._speaker = EspeakSpeaker(spawn_detached, shutil.which)
        return self._speaker.say(text)

    def hush(self) -> None:
        """Stop a spoken reply: the user is about to speak."""
        if self._speaker is not None and self._speaker.hush():
            log.info("spoken reply stopped: push-to-talk pressed")

    @staticmethod
    def play_sound(which: str) -> None:
        from trayassist.platform import sounds

        sounds.play_sound(sounds.START_SOUND if which == "start" else sounds.STOP_SOUND)

    # ---- history ---------------------------------------------------------------------
    def open_history(self, settings: Settings, passphrase: str | None = None,
                     on_erased: Callable[[Erased], None] | None = None) -> HistoryOpening:
        """Build and open the encrypted history; never raises for the user's situation."""
        from trayassist.core.history import errors
        from trayassist.core.history.factory import build_store

        try:
            store = build_store(self.paths, settings, keyring_module=self.keyring(), passphrase=passphrase)
            if store is None:
                return HistoryOpening(None)
            store.open()
            store.warm()
        except errors.HistoryError as exc:
            return HistoryOpening(None, str(exc).splitlines()[0], remedy_for(exc, settings.history_key_backend))
        return HistoryOpening(store if on_erased is None else ErasureWatch(store, on_erased))

    def start_new_history(self, settings: Settings, passphrase: str | None = None,
                          on_erased: Callable[[Erased], None] | None = None) -> HistoryOpening:
        """The way out of a history that cannot be opened: keep its files aside, untouched,
        and open a new empty one (`aside` says where the old went)."""
        from trayassist.core.history.factory import set_history_aside

        try:
            aside = set_history_aside(self.paths)
        except OSError as exc:
            return HistoryOpening(None, f"could not set the old history aside ({exc.strerror})", Remedy.NOTHING)
        opening = self.open_history(settings, passphrase, on_erased)
        return HistoryOpening(opening.store, opening.problem, opening.remedy, str(aside) if aside else None)

    # ---- assistant -------------------------------------------------------------------
    def assistant(self, settings: Settings, store: Any, notify: Callable[[str, str], None],
                  status: Callable[[], dict[str, Any]] | None,
                  play_sound: Callable[[], None] | None = None) -> tuple[Assistant, TimerScheduler]:
        """The assistant on the real services; returns (assistant, timers) — start timers yourself."""
        from trayassist.core.assistant import Assistant, load_skills
        from trayassist.core.assistant.services.factory import real_services
        from trayassist.core.assistant.services.history import StoreHistoryActions
        from trayassist.core.assistant.services.memory import MemoryItemStore
        from trayassist.core.assistant.services.timers import TimerNotifier

        items = store if store is not None else MemoryItemStore()  # notes last until quit without history
        svc = real_services(store=items, on_fire=TimerNotifier(notify, play_sound=play_sound), environ=self.env,
                            home=Path.home(), privacy_status=status,
                            history=StoreHistoryActions(store) if store is not None else None, notify=notify)
        llm = None
        if settings.llm_enabled:
            from trayassist.core.assistant.llm import LlmClient

            try:
                llm = LlmClient(settings.llm_url, settings.llm_model,
                                trusted_uids=trusted_uids(settings.llm_trusted_user))
            except ValueError as exc:
                notify("Local language model", str(exc).splitlines()[0])
        return Assistant(load_skills(), svc.context, llm=llm), svc.timers


def trusted_uids(user: str) -> set[int] | None:
    """Who may run the local LLM server: you and root, plus the named user if there is one."""
    import os

    if not user or not hasattr(os, "geteuid"):
        return None  # the client's default: you and root
    import pwd

    try:
        named = pwd.getpwnam(user).pw_uid
    except KeyError:
        raise ValueError(f"no user named {user!r} on this computer; the local language model is off") from None
    return {os.geteuid(), 0, named}


@dataclass(frozen=True)
class Erased:
    """History records were erased: all of them (wipe), since a time, or these ids."""

    everything: bool = False
    since: datetime | None = None  # forget: from this moment on
    before: datetime | None = None  # retention: everything older
    ids: frozenset[int] = frozenset()

    def covers(self, record_id: int | None, when: float) -> bool:
        """Whether a record (id, wall-clock seconds) was among those erased."""
        return (self.everything or (record_id is not None and record_id in self.ids)
                or (self.since is not None and when >= self.since.timestamp())
                or (self.before is not None and when < self.before.timestamp()))


class ErasureWatch:
    """The history store, telling `on_erased` after every erase, whoever asked for it (the
    tray, the History window, a voice command, the CLI through the app), so the live
    status never keeps showing what was just erased."""

    def __init__(self, store: Any, on_erased: Callable[[Erased], None]) -> None:
        self._store = store
        self._on_erased = on_erased

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def delete(self, record_id: int) -> bool:
        gone = bool(self._store.delete(record_id))
        if gone:
            self._on_erased(Erased(ids=frozenset({record_id})))
        return gone

    def forget_since(self, since: datetime) -> int:
        count = int(self._store.forget_since(since))
        self._on_erased(Erased(since=since))
        return count

    def purge_expired(self, retention: str | None = None, now: datetime | None = None) -> int:
        from trayassist.core.history.retention import retention_cutoff

        count = int(self._store.purge_expired(retention, now))
        cutoff = retention_cutoff(retention or self._store.retention, now or self._store.clock())
        if count and cutoff is not None:
            self._on_erased(Erased(before=cutoff))
        return count

    def wipe(self) -> None:
        try:
            self._store.wipe()
        finally:
            self._on_erased(Erased(everything=True))
