"""Mic watch for PulseAudio and PipeWire (pipewire-pulse): source-output events, no polling.

A thread blocks in the libpulse event loop subscribed to source_output new/change/remove;
each event re-lists the capture streams. If the server goes away it reconnects with
backoff (at most one attempt a second) and reports no users meanwhile.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from trayassist.core.privacy.mic_claims import (
    Connections,
    ServerPeers,
    Stream,
    count_claims,
    merge_streams,
    stream_pid,
)
from trayassist.core.privacy.types import BackendStatus, MicStreams, MicUser, OwnStreamCount, process_identity

log = logging.getLogger(__name__)

NO_CLIENT = 0xFFFFFFFF  # PA_INVALID_INDEX: a stream owned by a module, not by a process
BACKOFF_S = (1.0, 2.0, 4.0, 8.0)


def _load_pulsectl() -> ModuleType:
    import pulsectl  # lazy: libpulse is only needed when this backend runs

    module: ModuleType = pulsectl
    return module


class PulseMicWatch:
    name = "pulseaudio"

    def __init__(self, server: str | None = None, own_pid: int | None = None,
                 pulsectl_module: ModuleType | None = None,
                 identify: Callable[[int], tuple[str | None, str | None]] = process_identity,
                 hostname: str | None = None, own_count: OwnStreamCount | None = None,
                 peers: ServerPeers | None = None) -> None:
        self.server = server  # None: libpulse's default ($PULSE_SERVER, runtime dir)
        self.streams = MicStreams(own_pid, own_count)
        # Who is really connected to the server, to check claimed pids (Linux sock_diag).
        self._peers = peers if peers is not None else (ServerPeers() if sys.platform.startswith("linux") else None)
        self._pulsectl = pulsectl_module
        self._identify = identify
        self._hostname = hostname or socket.gethostname()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pulse: Any = None
        self.connected = False
        self.reconnects = 0
        self.last_error: str | None = None

    def _mod(self) -> ModuleType:
        if self._pulsectl is None:
            self._pulsectl = _load_pulsectl()
        return self._pulsectl

    # -- doctor -----------------------------------------------------------------------
    def available(self) -> BackendStatus:
        try:
            mod = self._mod()
        except Exception as exc:  # ImportError, or OSError when libpulse.so is missing
            return BackendStatus(self.name, False, f"pulsectl/libpulse unavailable: {exc}",
                                 "install libpulse0 (Debian) and the pulsectl package")
        try:
            with mod.Pulse("trayassist-doctor", server=self.server, connect=False) as pulse:
                pulse.connect()
                info = pulse.server_info()
                detail = f"connected to {info.server_name} {info.server_version}"
        except Exception as exc:
            return BackendStatus(self.name, False, f"no PulseAudio/PipeWire server: {exc}",
                                 "start pulseaudio or pipewire-pulse in your session")
        return BackendStatus(self.name, True, detail)

    # -- MicWatch ---------------------------------------------------------------------
    def start(self, on_change: Callable[[], None]) -> None:
        if self._thread is not None:
            return
        self._mod()  # fail in the caller's thread if pulsectl cannot load at all
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, args=(on_change,),
                                        name="micwatch-pulse", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        thread = self._thread
        deadline = time.monotonic() + 5
        while thread is not None and thread.is_alive() and time.monotonic() < deadline:
            # event_listen_stop() is a no-op if the loop is not polling yet, so repeat it.
            pulse = self._pulse
            if pulse is not None:
                try:
                    pulse.event_listen_stop()
                except Exception:  # the loop may be mid-teardown
                    pass
            thread.join(timeout=0.1)
        self._thread = None
        self.streams.replace([])

    @property
    def own_pid(self) -> int:
        return self.streams.own_pid

    def users(self) -> list[MicUser]:
        return self.streams.others()

    def own_streams(self) -> list[MicUser]:
        return self.streams.own()

    # -- thread -----------------------------------------------------------------------
    def _set(self, found: list[MicUser], on_change: Callable[[], None]) -> None:
        changed = self.streams.replace(found)
        if changed:
            on_change()

    def _run(self, on_change: Callable[[], None]) -> None:
        mod = self._mod()
        attempt = 0
        while not self._stopping.is_set():
            try:
                self._session(mod, on_change)
                attempt = 0
            except Exception as exc:  # PulseError, PulseDisconnected, CallError
                if self.last_error != str(exc) or self.connected:
                    log.warning("PulseAudio mic watch: %s; retrying", exc or type(exc).__name__)
                self.last_error = str(exc) or type(exc).__name__
            finally:
                self._pulse = None
                self.connected = False
            self._set([], on_change)  # a server that is gone has no capture streams
            delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
            attempt += 1
            if self._stopping.wait(delay):
                return

    def _session(self, mod: ModuleType, on_change: Callable[[], None]) -> None:
        dirty = threading.Event()

        def on_event(_ev: Any) -> None:
            dirty.set()
            raise mod.PulseLoopStop  # leave the loop: pulse calls are not allowed in here

        with mod.Pulse("trayassist-micwatch", server=self.server, connect=False) as pulse:
            # No timeout: pulsectl's connect(timeout=) always sleeps the whole timeout
            # (its poll loop ignores READY); without autospawn a missing server fails fast.
            pulse.connect()
            self._pulse = pulse
            if self.last_error:
                log.info("PulseAudio mic watch connected again")
            self.reconnects += 1  # sessions opened; > 1 means it came back after a restart
            self.connected = True
            self.last_error = None
            pulse.event_mask_set("source_output")
            pulse.event_callback_set(on_event)
            dirty.set()  # the first listing
            while not self._stopping.is_set():
                if dirty.is_set():
                    # Cleared before listing: an event that the listing's own calls dispatch
                    # (a stream starting meanwhile) marks it again. pulsectl's next
                    # event_listen() forgets such an event and would wait for another one.
                    dirty.clear()
                    self._set(self._list(pulse), on_change)
                    continue
                pulse.event_listen()  # blocks; no timeout so an idle watch costs nothing

    def _list(self, pulse: Any) -> list[MicUser]:
        sources = {s.index: s.name for s in pulse.source_list()}
        clients = {c.index: dict(c.proplist) for c in pulse.client_list()}
        streams: list[Stream] = []
        for so in pulse.source_output_list():
            if so.client == NO_CLIENT:
                continue  # module-internal (virtual source, loopback): no process behind it
            props = clients.get(so.client, {}) | dict(so.proplist)
            streams.append((props, sources.get(so.source, str(so.source)), bool(so.corked), so.client))
        connections = None
        if any("pipewire.sec.pid" not in p for p, *_ in streams):  # some pid is only self-reported
            connections = self._connections(pulse, clients)
        return merge_streams(streams, self._identify, self._hostname, self.own_pid, connections)

    def _connections(self, pulse: Any, clients: dict[int, dict[str, str]]) -> Connections | None:
        path = server_socket_path(pulse)
        if path is None or self._peers is None:
            return None
        try:
            per_pid = self._peers.per_pid(path)
        except OSError as exc:  # no sock_diag (an old kernel, a sandbox): claims stay unchecked
            log.info("PulseAudio mic watch: cannot list the server's connections: %s", exc)
            self._peers = None
            return None
        return Connections(per_pid, count_claims(clients, self._hostname))


def server_socket_path(pulse: Any) -> str | None:
    """The unix socket the libpulse context is connected to (pa_context_get_server)."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("pulse") or "libpulse.so.0")
        lib.pa_context_get_server.restype = ctypes.c_char_p
        lib.pa_context_get_server.argtypes = [ctypes.c_void_p]
        raw = lib.pa_context_get_server(ctypes.cast(pulse._ctx, ctypes.c_void_p))
    except (OSError, AttributeError, ctypes.ArgumentError):
        return None
    server = (raw or b"").decode("utf-8", "replace")
    server = server.removeprefix("unix:")
    return server if server.startswith("/") else None  # tcp:... has no unix peers to check


__all__ = ["PulseMicWatch", "merge_streams", "server_socket_path", "stream_pid"]
