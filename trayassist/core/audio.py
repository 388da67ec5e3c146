"""Microphone capture: a sounddevice input stream open only between press and release.

The PortAudio callback only copies frames (and reads their capture time) into a queue; a
consumer thread downmixes, resamples to 16 kHz mono and hands blocks to `on_audio`, with
`captured_until` saying when, on the stream's clock, the block's last sample was captured.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from trayassist.core.capture import CaptureClock, Resampler

log = logging.getLogger(__name__)

RATE = 16000
_PA_INVALID_SAMPLE_RATE = -9997


class MicUnavailable(RuntimeError):  # noqa: N818 - reads as a state in messages
    """The microphone cannot be opened; the message is one line for the user."""


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    default_rate: float
    channels: int


def input_device_names(sd: Any) -> list[str]:
    """Names of the inputs in PortAudio's current list, sorted; [] when it cannot be read."""
    try:
        devices = list(sd.query_devices())
    except Exception:
        return []
    return sorted({d["name"] for d in devices if d["max_input_channels"] > 0})


class Recorder:
    """Owns one input stream at a time. `open()`/`close()` from one controlling thread.

    `on_audio(block)` runs on the recorder's consumer thread with 16 kHz mono float32.
    `on_problem(message)` runs on the consumer thread when the stream stalls or dies.
    `on_stream(open)` runs right after the stream started (the thread calling `open`) and
    right after it was closed (the thread calling `close`): the tray's red follows it.

    Times: `now()` and `captured_until` are on the stream's clock (PortAudio's stream time),
    so "has the audio of the release instant arrived?" is a comparison, however late the
    device delivers (Bluetooth, a PulseAudio source handing over audio in large fragments).
    """

    def __init__(
        self,
        sd: Any,
        device: str = "",
        *,
        clock: Callable[[], float] = time.monotonic,
        stall_s: float = 1.0,
        close_timeout_s: float = 3.0,
        on_problem: Callable[[str], None] | None = None,
        on_stream: Callable[[bool], None] | None = None,
    ) -> None:
        self._sd = sd
        self._on_stream = on_stream
        self.device_setting = device
        self._clock = clock
        self._stall_s = stall_s
        self._close_timeout_s = close_timeout_s
        self._abandoned: list[Any] = []  # streams PortAudio never let go of (see _stop_stream)
        self._on_problem = on_problem
        self._info: InputDevice | None = None
        self._open_rate: float | None = None  # rate the device accepted last time
        self._stream: Any = None
        # Looking the device up (which may re-initialise PortAudio) and opening a stream
        # run on different threads (start-up task, push-to-talk lane): Pa_Terminate must
        # never run while another thread opens a stream.
        self._device_lock = threading.RLock()
        self._q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._consumer: threading.Thread | None = None
        self._on_audio: Callable[[np.ndarray], None] | None = None
        self._stop_tail = threading.Event()
        self.opened_at: float | None = None
        self.closed_at: float | None = None  # when `close` last closed a stream
        self.first_sample_at: float | None = None
        self.frames = 0  # 16 kHz samples delivered in this recording
        self.problem: str | None = None
        self.captured_until = 0.0  # stream clock: capture time of the last sample handed on
        self.longest_burst_s = 0.0  # most audio the device delivered at once in this recording

    # ---- device ---------------------------------------------------------------
    def prepare(self, reinitialise: bool = False) -> InputDevice:
        """Find the input device now (start-up, settings change) so press does no enumeration.

        PortAudio caches its device list at initialisation; `reinitialise` rebuilds it,
        which is needed when a USB mic appears/disappears (not for PulseAudio sources,
        which all sit behind the single ALSA "pulse"/"default" device).
        """
        with self._device_lock:
            can_rebuild = self._stream is None and not self._abandoned
            if reinitialise and can_rebuild:
                self._rebuild_device_list()
            try:
                return self._find_device()
            except MicUnavailable:
                if reinitialise or not can_rebuild:
                    raise
            # PortAudio's list may predate the device or the sound server itself (the tray
            # autostarted at login before PulseAudio/PipeWire was up): rebuild once, look again.
            log.info("no matching input device in PortAudio's list; re-initialising it")
            self._rebuild_device_list()
            return self._find_device()

    def input_names(self) -> list[str]:
        """Names of the input devices connected now, for the Settings list. PortAudio's
        list is rebuilt first when no stream is open, so a mic plugged in since start
        shows up; the chosen device is then looked up again (its index may have moved)."""
        with self._device_lock:
            if self._stream is None and not self._abandoned:
                try:
                    self._rebuild_device_list()
                except Exception as exc:
                    log.warning("re-initialising PortAudio failed: %s", _short(exc))
                self._info = None
                with contextlib.suppress(MicUnavailable):
                    self._find_device()
            return input_device_names(self._sd)

    def _rebuild_device_list(self) -> None:
        self._sd._terminate()
        self._sd._initialize()

    def _find_device(self) -> InputDevice:
        sd = self._sd
        try:
            devices = list(sd.query_devices())
            default_in = sd.default.device[0]
        except Exception as exc:
            raise MicUnavailable(f"No microphone found: {_short(exc)}") from exc
        want = self.device_setting.strip()
        index: int | None = None
        if not want:
            if isinstance(default_in, int) and default_in >= 0:
                index = default_in
            else:
                index = next((i for i, d in enumerate(devices) if d["max_input_channels"] > 0),
                             None)
            if index is None:
                raise MicUnavailable("No microphone found: this computer has no input device")
        else:
            inputs = [(i, d) for i, d in enumerate(devices) if d["max_input_channels"] > 0]
            exact = [i for i, d in inputs if d["name"] == want]
            partial = [i for i, d in inputs if want.lower() in d["name"].lower()]
            found = exact or partial
            if not found:
                raise MicUnavailable(f"No microphone found: {want!r} is not connected")
            index = found[0]
        d = devices[index]
        if d["max_input_channels"] < 1:
            raise MicUnavailable(f"No microphone found: {d['name']!r} has no input channels")
        self._info = InputDevice(index, d["name"], float(d["default_samplerate"]), 1)
        return self._info

    @property
    def stuck(self) -> bool:
        """A stream PortAudio never let go of is still spinning in native code: the app
        should leave with os._exit (interpreter teardown crashes in that thread)."""
        return bool(self._abandoned)

    @property
    def device(self) -> InputDevice | None:
        return self._info

    # ---- stream ---------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """True only while the real stream is running (drives `mic.self`)."""
        s = self._stream
        try:
            return bool(s is not None and s.active)
        except Exception:  # a stream whose device vanished
            return False

    @property
    def holds_stream(self) -> bool:
        """A stream of ours exists, running or not: from its opening until `close` has
        closed it. Stopping comes first and closing after it, and meanwhile the sound
        server still lists the stream (paused)."""
        return self._stream is not None

    def held_within(self, seconds: float) -> bool:
        """A stream of ours is held now, or was closed less than `seconds` ago: the sound
        server lists a closed stream (paused) until it has handled the disconnect, which
        under load took over a second (CI: our own stream taken for an impostor)."""
        if self.holds_stream:
            return True
        closed = self.closed_at
        return closed is not None and self._clock() - closed < seconds

    def open(self, on_audio: Callable[[np.ndarray], None]) -> None:
        """Start capturing; returns once the stream runs. Raises MicUnavailable."""
        with self._device_lock:
            self._open(on_audio)

    def _open(self, on_audio: Callable[[np.ndarray], None]) -> None:
        if self._stream is not None:
            return
        self._on_audio = on_audio
        self.first_sample_at = None
        self.frames = 0
        self.problem = None
        self._stop_tail.clear()
        self._q = queue.SimpleQueue()
        self.captured_until = 0.0
        self.longest_burst_s = 0.0
        self.opened_at = self._clock()
        try:
            self._stream = self._start()
        except MicUnavailable:
            raise
        except Exception as first:
            # The device set may have changed since PortAudio enumerated it: rebuild once.
            log.info("input stream failed (%s); re-initialising PortAudio", _short(first))
            try:
                self.prepare(reinitialise=True)
                self._stream = self._start()
            except MicUnavailable:
                raise
            except Exception as exc:
                raise MicUnavailable(f"Microphone unavailable: {_short(exc)}") from exc
        self._consumer = threading.Thread(target=self._consume, name="mic-consumer",
                                          daemon=True)
        self._consumer.start()
        self._stream_changed(True)

    def _stream_changed(self, is_open: bool) -> None:
        if self._on_stream is not None:
            try:
                self._on_stream(is_open)
            except Exception:
                log.exception("stream listener failed")

    def _start(self) -> Any:
        info = self._info or self.prepare()
        rate = self._open_rate or RATE
        try:
            stream = self._make_stream(info, rate)
        except self._sd.PortAudioError as exc:
            if rate == RATE and _pa_code(exc) == _PA_INVALID_SAMPLE_RATE:
                rate = info.default_rate  # device cannot do 16 kHz: resample ourselves
                stream = self._make_stream(info, rate)
            else:
                raise
        self._open_rate = rate
        try:
            stream.start()
        except Exception:
            stream.close()
            raise
        return stream

    def _make_stream(self, info: InputDevice, rate: float) -> Any:
        q = self._q
        put = q.put_nowait
        clock = self._clock

        def callback(indata: np.ndarray, frames: int, t: Any, status: Any) -> None:
            # PortAudio thread: copy and queue, nothing else (no locks, no logging).
            if self.first_sample_at is None:
                self.first_sample_at = clock()
            if t is None:
                put((indata.copy(), 0.0, 0.0, clock()))
            else:
                put((indata.copy(), t.inputBufferAdcTime, t.currentTime, clock()))

        return self._sd.InputStream(device=info.index, samplerate=rate, channels=1,
                                    dtype="float32", callback=callback)

    def close(self, tail_s: float = 0.3) -> None:
        """Keep recording `tail_s` more (so the last word is not cut), then stop and
        wait until every captured block went through `on_audio`."""
        stream = self._stream
        if stream is None:
            return
        if tail_s > 0:
            self._stop_tail.wait(tail_s)
        if not self.is_open and self.problem is None:
            # PortAudio ended the stream itself: the sound server or the device went away
            # while recording (what was captured before that is still transcribed).
            self._report("The microphone stopped while recording: the sound system or the device went away")
        if not self._stop_stream(stream):
            self._abandon(stream)
        self.closed_at = self._clock()
        self._stream = None
        self._stream_changed(False)
        self._q.put(None)
        if self._consumer is not None:
            self._consumer.join(10)
            self._consumer = None

    def _stop_stream(self, stream: Any) -> bool:
        """Stop and close the stream; False when PortAudio did not return in time.

        When the sound server dies mid-stream, PortAudio's ALSA thread (19.6) can spin on
        "capture.ready || playback.ready" with cancellation off, and both Pa_StopStream and
        Pa_AbortStream join it forever: so the call runs on a helper thread with a bound.
        """
        done = threading.Event()

        def stop() -> None:
            try:
                stream.abort()  # capture has nothing to drain
                stream.close()
            except Exception as exc:  # the device may be gone already
                log.warning("closing input stream: %s", _short(exc))
            finally:
                done.set()

        threading.Thread(target=stop, name="mic-close", daemon=True).start()
        return done.wait(self._close_timeout_s)

    def _abandon(self, stream: Any) -> None:
        # Keep a reference (freeing it would call into the stuck stream) and never call
        # Pa_Terminate again: it closes every stream, so it would hang too — at a re-init
        # or at interpreter exit (sounddevice's atexit handler).
        self._abandoned.append(stream)
        handler = getattr(self._sd, "_exit_handler", None)
        if handler is not None:
            import atexit

            atexit.unregister(handler)
        self._report("The sound system stopped responding; restart TrayAssist to use the microphone")

    def abort_tail(self) -> None:
        self._stop_tail.set()

    def now(self) -> float:
        """The stream's clock now (PortAudio's stream time), the clock of `captured_until`."""
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):
                t = float(stream.time)
                if t > 0:
                    return t
        return self._clock()

    def _consume(self) -> None:
        rate = float(self._open_rate or RATE)
        resampler = Resampler(rate)
        clock = CaptureClock(rate, self.now, self._clock, self.opened_at)
        on_audio = self._on_audio
        assert on_audio is not None
        stalled = False
        while True:
            # Before the first sample allow longer: some servers wake the source lazily. A
            # device that delivered d seconds at once may then be quiet for about d seconds.
            wait = self._stall_s + clock.longest_burst_s
            if self.first_sample_at is None:
                wait = 3 * self._stall_s
            try:
                item = self._q.get(timeout=wait)
            except queue.Empty:
                # No audio for a while although the stream is open: device gone or moved.
                if not stalled and self._stream is not None:
                    stalled = True
                    self._report("Microphone stopped delivering audio")
                continue
            if item is None:
                break
            stalled = False
            block, adc, now, arrived = item
            self.captured_until = clock.block(len(block), adc, now, arrived)
            self.longest_burst_s = clock.longest_burst_s
            mono = block[:, 0] if block.ndim == 2 else block
            out = resampler(mono)
            if len(out):
                self.frames += len(out)
                try:
                    on_audio(out)
                except Exception:
                    log.exception("audio consumer failed")
        tail = resampler.flush()
        if len(tail):
            self.frames += len(tail)
            on_audio(tail)

    def _report(self, message: str) -> None:
        self.problem = message
        log.warning(message)
        if self._on_problem is not None:
            self._on_problem(message)


def _pa_code(exc: BaseException) -> int | None:
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[1], int):
        return args[1]
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
