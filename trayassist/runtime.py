"""Runs the services: starts them once the icon shows, rebuilds only what a settings change
touches, opens the history (asking the UI when the user must choose), stops them at quit.

Qt-free. Work runs on the lanes named in docs/architecture.md; what the user must read
goes out as a Notice on the bus, what the UI must decide goes to the `HistoryPrompt`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from trayassist.builder import CaptureUnavailable, Erased, HistoryOpening, Remedy, ServiceBuilder, affected
from trayassist.core.config import Settings
from trayassist.core.controller import Controller
from trayassist.core.errors import UserError
from trayassist.core.events import DownloadNeeded, EventBus, HistoryChanged, Notice, SettingsChanged, StatusChanged
from trayassist.core.lanes import Done, Gate, Lane
from trayassist.core.ports import AssistantPort, HistoryPort, OutputPort, PrivacyPort, SessionPort, Slot
from trayassist.core.privacy.own_streams import OwnCaptureStreams
from trayassist.core.status import Level, Problem, ProblemKind
from trayassist.core.transcribe.downloader import Downloads
from trayassist.hotkey_service import HotkeyService

log = logging.getLogger(__name__)


@dataclass
class Lanes:
    ptt: Lane = field(default_factory=lambda: Lane("ptt"))  # press/release/cancel, in order
    history: Lane = field(default_factory=lambda: Lane("history"))  # every history file operation
    tasks: Lane = field(default_factory=lambda: Lane("tasks", workers=2))  # start-up, devices, hotkey

    def shutdown(self) -> None:
        self.ptt.shutdown()
        self.tasks.shutdown(wait=False)
        self.history.shutdown()


@dataclass
class Slots:
    session: Slot[SessionPort] = field(default_factory=Slot)
    history: Slot[HistoryPort] = field(default_factory=Slot)
    assistant: Slot[AssistantPort] = field(default_factory=Slot)
    output: Slot[OutputPort] = field(default_factory=Slot)
    privacy: Slot[PrivacyPort] = field(default_factory=Slot)


class HistoryPrompt(Protocol):
    """The UI's part of opening the history: ask the user (passphrase, key choice, a fresh
    start) and answer through the Runtime. Called on any thread; the UI hops to its own."""

    def ask(self, opening: HistoryOpening, show: bool) -> None: ...


class Runtime:
    def __init__(self, builder: ServiceBuilder, controller: Controller, bus: EventBus, slots: Slots,
                 lanes: Lanes, *, prompt: HistoryPrompt | None = None) -> None:
        self.builder = builder
        self.controller = controller
        self.bus = bus
        self.slots = slots
        self.lanes = lanes
        self.prompt = prompt
        self.started = Gate()  # push-to-talk waits for the session
        self.assistant_ready = Gate()  # `ask` waits for the history and the assistant
        self.monitor: Any = None
        self.history_store: Any = None
        self.history_problem: str | None = None
        self._timers: Any = None
        self._stuck = False  # a replaced session whose stream PortAudio never let go of
        self.hotkey = HotkeyService(builder, controller, self.ptt, self.notify)
        self._autostart: Any = None
        self.downloads = Downloads(lambda name, progress, done: self.builder.download_model(name, progress, done),
                                   bus.publish)
        self.own_streams = OwnCaptureStreams(lambda: getattr(slots.session.get(), "recorder", None))
        bus.subscribe(self._on_event)
        guard = builder.guard
        if guard is not None:  # the guard counts from the first instant; the monitor starts later
            controller.on_privacy({"network": {"self_connections": guard.self_connections,
                                               "self_blocked": guard.blocked}})

    @property
    def settings(self) -> Settings:
        return self.controller.settings

    def notify(self, title: str, message: str, level: Level = Level.INFO, detail: str | None = None) -> None:
        self.bus.publish(Notice(title, message, level, detail))

    def notify_private(self, title: str, message: str) -> None:
        """The assistant's own notices (a timer's label, a note): the words only as detail."""
        self.notify(title, f"{title}: it's time" if title in ("Timer", "Alarm") else f"{title}: done",
                    detail=message)

    # ---- start and stop ---------------------------------------------------------------
    def start(self) -> None:
        """Build the services off the GUI thread; the history opens right after."""
        self.lanes.tasks.submit(self._start)

    def _start(self) -> None:
        settings = self.settings
        self.hotkey.start(settings)  # first: the key is what the user reaches for
        self._build_session(settings)
        self.started.open()
        try:
            self.slots.output.put(self.builder.output())
        except Exception as exc:
            log.warning("text output unavailable: %s", exc)
            self.controller.report(Problem(ProblemKind.OUTPUT, f"text output unavailable: {_line(exc)}"))
        try:
            self.monitor = self.builder.privacy(settings, self.controller.on_privacy, self._timeline_event,
                                                own_streams=self.own_streams)
            self.slots.privacy.put(self.monitor)
            self.monitor.start()
        except Exception as exc:
            log.warning("privacy indicators unavailable: %s", exc)
            self.notify("Privacy indicators", f"not available: {_line(exc)}", Level.WARNING)
        self._sync_autostart(settings)
        self.open_history()

    def _build_session(self, settings: Settings) -> None:
        try:
            session = self.builder.session(
                settings, on_state=self.controller.on_session_state,
                on_stream=lambda _open: self.controller.on_session_state("stream"),
                on_problem=self._mic_problem,
                on_needs_download=lambda exc: self.bus.publish(
                    DownloadNeeded(exc.name, exc.approx_size, str(exc))),
                on_partial=self.controller.on_partial,
                on_auto_stop=lambda why, take: self.ptt(lambda: self.controller.auto_stop(why, take)))
        except CaptureUnavailable as exc:
            old = self.slots.session.put(None)
            self.controller.report(Problem(ProblemKind.CAPTURE, str(exc),
                                           "install PortAudio (Debian: sudo apt-get install libportaudio2)"))
            self.notify("Microphone", str(exc), Level.ERROR)
        else:
            old = self.slots.session.put(session)
            # A word added while the session was being built found no engine to go to (the
            # CLI can add one the moment `status` answers): the settings of now, not of the build.
            self._sync_vocabulary()
            self.controller.clear(ProblemKind.CAPTURE)
            # Look the device up now, so a press never enumerates devices; a missing mic shows at once.
            self.lanes.tasks.submit(session.recorder.prepare, self._device_checked)
        if old is not None:
            self._stuck = self._stuck or _stuck(old)
            self.lanes.tasks.submit(old.shutdown)
        self.controller.on_session_state("rebuilt")

    def _mic_problem(self, message: str) -> None:
        """The recorder's thread: the stream stalled or died. The next good press clears it."""
        from trayassist.core.session import MIC_FIX

        self.controller.report(Problem(ProblemKind.MICROPHONE, message, MIC_FIX))
        self.notify("Microphone", message, Level.ERROR)

    def _device_checked(self, _device: Any, error: BaseException | None) -> None:
        if error is None:
            self.controller.clear(ProblemKind.MICROPHONE)
            return
        message = _line(error)
        from trayassist.core.session import MIC_FIX

        self.controller.report(Problem(ProblemKind.MICROPHONE, message, MIC_FIX))
        self.notify("Microphone", message, Level.ERROR)

    def shutdown(self) -> bool:
        """Stop everything; True when PortAudio never let go of a stream, so the caller
        must leave with os._exit (interpreter teardown would crash in its thread)."""
        session = self.slots.session.get()
        self.hotkey.stop()
        if self._timers is not None:
            self._timers.stop()
        self.downloads.cancel_all()  # no download child outlives the app, nor its partial files
        self.lanes.ptt.shutdown()
        self.controller.shutdown()
        self.lanes.shutdown()
        store = self.history_store
        if store is not None:
            try:
                store.close()
            except Exception as exc:
                log.warning("closing the history: %s", type(exc).__name__)
        return self._stuck or _stuck(session)

    # ---- hotkey, autostart, sounds ------------------------------------------------------
    def on_ptt_lane(self, action: Callable[[], Any], done: Done | None = None) -> None:
        """Run a push-to-talk action on its lane once the session was built (the first
        seconds after start), in the order asked; `done(result, error)` when it ran."""

        def too_early() -> None:
            if done is not None:
                done(None, UserError("TrayAssist is still starting; try again in a moment"))

        def submit() -> None:
            self.lanes.ptt.submit(self.own_streams.counting(action), done)

        self.started.when_open(submit, 30.0, too_early)

    def ptt(self, action: Callable[[], Any]) -> None:
        """Push-to-talk from the hotkey or the tray: a failure reaches the user as a notice."""

        def report(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.notify("Microphone", _line(error), Level.ERROR)

        self.on_ptt_lane(action, report)

    def _sync_autostart(self, settings: Settings) -> None:
        try:
            self._autostart = self._autostart or self.builder.autostart()
            if self._autostart.is_enabled() != settings.start_at_login:
                self._autostart.set_enabled(settings.start_at_login)
        except Exception as exc:
            self.notify("Start at login", f"could not be changed: {_line(exc)}", Level.WARNING)

    def sound(self, which: str) -> None:
        if not self.settings.sounds:
            return
        try:
            self.builder.play_sound(which)
        except Exception as exc:  # a missing player never matters
            log.debug("sound %s not played: %s", which, exc)

    # ---- history ------------------------------------------------------------------------
    def open_history(self, passphrase: str | None = None, show: bool = False) -> None:
        settings = self.settings
        self.lanes.history.submit(lambda: self.builder.open_history(settings, passphrase, self._erased),
                                  lambda opening, error: self._history_opened(opening, error, show))

    def start_new_history(self, passphrase: str | None = None, show: bool = False) -> None:
        settings = self.settings
        self.lanes.history.submit(lambda: self.builder.start_new_history(settings, passphrase, self._erased),
                                  lambda opening, error: self._history_opened(opening, error, show))

    def choose_key_backend(self, backend: str, passphrase: str | None) -> None:
        """The user's answer to "no secure keyring": passphrase, session-only or off."""
        self.controller.update_settings(self.settings.replace(history_key_backend=backend))
        self.open_history(passphrase)

    def _history_opened(self, opening: HistoryOpening | None, error: BaseException | None, show: bool) -> None:
        if error is not None or opening is None:
            opening = HistoryOpening(None, f"history could not open ({type(error).__name__})", Remedy.NOTHING)
        if opening.store is None and opening.problem and self.prompt is not None and opening.remedy in (
                Remedy.PASSPHRASE, Remedy.CHOOSE_KEY, Remedy.FRESH_START):
            self.prompt.ask(opening, show)  # the UI answers through open_history & co. or use_history
            return
        self.use_history(opening, show)

    def use_history(self, opening: HistoryOpening, show: bool = False) -> None:
        """Install what opened (or nothing, with its problem) and build the assistant on it."""
        old = self.history_store
        self.history_store = opening.store
        self.history_problem = opening.problem
        self.slots.history.put(opening.store)
        if opening.store is None and opening.problem:
            self.controller.report(Problem(ProblemKind.HISTORY, f"history is not being saved: {opening.problem}"))
            self.notify("History", f"History is not being saved: {opening.problem}", Level.WARNING)
        else:
            self.controller.clear(ProblemKind.HISTORY)
            if opening.aside:
                self.notify("History", "A new history was started; the old one is kept aside, unchanged, "
                            f"as {opening.aside}.")
        if old is not None and old is not opening.store:
            self.lanes.history.submit(old.close)
        self._build_assistant()
        self.bus.publish(HistoryChanged(opening.store is not None, show))

    def _erased(self, erased: Erased) -> None:
        self.controller.forget_last_if(lambda last: erased.covers(last.record_id, last.when))
        self.bus.publish(HistoryChanged(True, erased=True))

    def purge(self) -> None:
        store = self.history_store
        if store is not None:
            self.lanes.history.submit(store.purge_expired)

    def _timeline_event(self, event: dict[str, Any]) -> None:
        """Privacy monitor thread: keep the event (encrypted) on the history lane."""
        store = self.history_store
        if store is None:
            return
        key = f"{event.get('ts', time.time())}-{event.get('kind')}"

        def put() -> None:
            from trayassist.core.history.store import PRIVACY_EVENT

            try:
                store.put_item(PRIVACY_EVENT, key, event)
            except Exception as exc:
                log.info("privacy event not stored: %s", type(exc).__name__)

        self.lanes.history.submit(put)

    def _build_assistant(self) -> None:
        if self._timers is not None:
            self._timers.stop()
        try:
            assistant, timers = self.builder.assistant(
                self.settings, self.history_store, notify=self.notify_private,
                status=lambda: self.controller.status().to_json(), play_sound=lambda: self.sound("start"))
        except Exception as exc:
            log.exception("assistant unavailable")
            self.controller.report(Problem(ProblemKind.ASSISTANT, f"assistant not available ({type(exc).__name__})"))
            self.assistant_ready.open()  # `ask` then says "not available" instead of waiting
            return
        self.slots.assistant.put(assistant)
        self._timers = timers
        timers.start()
        self.controller.clear(ProblemKind.ASSISTANT)
        self.assistant_ready.open()

    # ---- reactions ----------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, StatusChanged):
            session = self.slots.session.get()
            self.hotkey.session_listening(session is not None and session.state == "listening")
        elif isinstance(event, SettingsChanged) and event.before is not None:
            if "vocabulary" in affected(event.before, event.settings):
                # At once, not behind the tasks lane (at start-up it builds the assistant
                # there, seconds on a slow machine): a word added right before speaking counts.
                self._sync_vocabulary()
            self.lanes.tasks.submit(lambda: self._apply(event.before, event.settings))

    def _sync_vocabulary(self) -> None:
        """The running engine takes the current settings' vocabulary (no rebuild)."""
        engine = getattr(self.slots.session.get(), "engine", None)
        if engine is not None:
            engine.set_vocabulary(self.settings.vocabulary)

    def _sync_live(self, settings: Settings) -> None:
        """The running session's next take decodes as the settings say (no rebuild)."""
        from trayassist.core.transcribe.live import live_options

        session = self.slots.session.get()
        if session is not None:
            session.live_options = live_options(settings.dictation_context)

    def _apply(self, before: Settings, new: Settings) -> None:
        changed = affected(before, new)
        if "session" in changed:
            self._build_session(new)
        elif "live" in changed:
            self._sync_live(new)
        if "hotkey" in changed:
            self.hotkey.start(new)
        if "indicators" in changed:
            self.controller.set_indicators_paused(not new.indicators_enabled)
        if "autostart" in changed:
            self._sync_autostart(new)
        if "retention" in changed and self.history_store is not None:
            self.history_store.retention = new.history_retention
        if "history" in changed and self.history_store is None:
            self.open_history()
        elif "assistant" in changed:
            self._build_assistant()

    def set_paused(self, paused: bool) -> None:
        self.lanes.tasks.submit(lambda: self.controller.set_indicators_paused(paused))

    def acknowledge(self, exe: str) -> None:
        """"I expect this" for one app, from the Privacy window; saved in settings."""
        if self.monitor is None:
            return
        try:
            apps = self.monitor.acknowledge(exe)
        except ValueError as exc:
            self.notify("Privacy", str(exc), Level.WARNING)
            return
        settings = self.settings.replace(acknowledged_apps=list(apps))
        self.lanes.tasks.submit(lambda: self.controller.update_settings(settings))

    def download(self, name: str, done: Done) -> None:
        """After the user consented: a child process downloads (DownloadProgress events)."""
        if not self.downloads.start(name, done):
            done(None, UserError(f"{name} is already downloading"))

    def cancel_download(self, name: str) -> bool:
        return self.downloads.cancel(name)

    def input_devices(self) -> list[str]:
        """Microphone names for Settings (may re-initialise PortAudio: call it on a lane)."""
        session = self.slots.session.get()
        recorder = getattr(session, "recorder", None)
        if recorder is not None:
            return list(recorder.input_names())
        try:
            import sounddevice
        except Exception:  # PortAudio missing: no list to offer
            return []
        from trayassist.core.audio import input_device_names

        return input_device_names(sounddevice)


class Feedback:
    """What a press and a release do besides the mic: remember the focused window, stop a
    spoken reply, sounds."""

    def __init__(self, output: Slot[OutputPort], sound: Callable[[str], None],
                 hush: Callable[[], None] = lambda: None) -> None:
        self._output = output
        self._sound = sound
        self._hush = hush

    def pressed(self) -> None:
        # A reply still being spoken would go into the microphone with the user's words.
        self._hush()
        focus = getattr(self._output.get(), "focus", None)
        if focus is not None:
            focus.mark()

    def hearing(self) -> None:
        # "Speak now" when the device delivers, not at the press: a waking headset
        # captures nothing before that.
        self._sound("start")

    def released(self) -> None:
        self._sound("stop")


def _stuck(session: object) -> bool:
    """PortAudio never let go of this session's stream (see Recorder.stuck)."""
    return bool(getattr(getattr(session, "recorder", None), "stuck", False))


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
