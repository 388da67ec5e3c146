"""PrivacyMonitor: mic watch + network watch + guard on one background thread, producing the
`mic.others` / `network` parts of the status, a timeline of events, and the alert when a
program that captures the microphone also talks to the network."""

from __future__ import annotations

import copy
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from trayassist.core.privacy.alerts import find_alerts
from trayassist.core.privacy.guard import NetworkGuard
from trayassist.core.privacy.links import ProcessLinks, app_root
from trayassist.core.privacy.net import NetSample, NetWatch, Talker
from trayassist.core.privacy.own_watch import own_socket_fds
from trayassist.core.privacy.types import MicUser, MicWatch

log = logging.getLogger(__name__)

Snapshot = dict[str, Any]


def own_socket_inodes(pid: int) -> set[int] | None:
    """Socket inodes this process holds (Linux), or None where /proc is not there."""
    fds = own_socket_fds(pid)
    return None if fds is None else set(fds.values())


def _user_key(u: MicUser) -> object:
    if u.claims:
        return ("claims", u.claims, u.pid)
    return u.pid if u.pid is not None else (u.name, u.device)


class PrivacyMonitor:
    """Thread: `privacy-monitor`. `on_change(snapshot)` and `on_event(event)` run on it."""

    def __init__(self, mic: MicWatch, net: NetWatch, guard: NetworkGuard | None = None,
                 acknowledged_apps: Iterable[str] = (),
                 on_change: Callable[[Snapshot], None] | None = None,
                 on_event: Callable[[dict[str, Any]], None] | None = None,
                 interval_s: float = 1.0, talker_grace_s: float = 3.0,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 related: Callable[[int], int] = app_root, timeline_len: int = 100,
                 links: Callable[[], ProcessLinks] | None = None) -> None:
        self.mic, self.net, self.guard = mic, net, guard
        self._acked = {a for a in acknowledged_apps if a}
        self._on_change = on_change or (lambda s: None)
        self._on_event = on_event or (lambda e: None)
        self.interval_s = max(1.0, interval_s)  # the design's polling ceiling: 1 Hz
        self.talker_grace_s = talker_grace_s
        self._clock, self._wall = clock, wall_clock
        # Fresh each evaluation (it caches process lookups): same process, app or pipeline.
        self._links = links or (lambda: ProcessLinks(root=related))
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._paused = False
        self._mic_dirty = True
        self._thread: threading.Thread | None = None
        self._net: NetSample = NetSample(0.0, 0.0)
        self._last_net_t: float | None = None
        self._users: dict[object, MicUser] = {}
        self._talker_seen: dict[int, tuple[float, Talker]] = {}
        self._alerting: dict[str, dict[str, Any]] = {}
        self._guard_seen = (0, 0)
        self._own_pid = os.getpid()
        self._pending: list[dict[str, Any]] = []  # events from other threads, emitted by ours
        self.timeline: deque[dict[str, Any]] = deque(maxlen=timeline_len)
        self._snapshot: Snapshot = self._compose([], False, [])

    # -- lifecycle (any thread) ---------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        if not self._paused:
            self.mic.start(self._mic_changed)
        self._thread = threading.Thread(target=self._run, name="privacy-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.mic.stop()
        self.net.close()

    def pause(self) -> None:
        """"Pause indicators": stop every subscription and poll until resume()."""
        with self._lock:
            if self._paused:
                return
            self._paused = True
        self.mic.stop()
        self._wake.set()

    def resume(self) -> None:
        with self._lock:
            if not self._paused:
                return
            self._paused = False
            self._mic_dirty = True
            self._last_net_t = None
            self._pending.append({"kind": "resumed", "message": "indicators resumed"})
        self.net.reset()
        if self._thread is not None:
            self.mic.start(self._mic_changed)
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused

    def snapshot(self) -> Snapshot:
        with self._lock:
            return copy.deepcopy(self._snapshot)

    # -- acknowledgements (settings field `acknowledged_apps`) ------------------------------
    def acknowledged_apps(self) -> list[str]:
        with self._lock:
            return sorted(self._acked)

    def acknowledge(self, exe: str) -> list[str]:
        """"I expect this" for one executable path; returns the new list to save in settings.
        Refuses anything but a concrete path: never a blanket silence."""
        if not exe or not isinstance(exe, str) or exe.strip() in ("", "*"):
            raise ValueError("acknowledge needs the executable path of one app")
        with self._lock:
            self._acked.add(exe)
            self._mic_dirty = True
            self._pending.append({"kind": "acknowledged", "exe": exe,
                                  "message": f"you expect {exe} to record and upload"})
        self._wake.set()
        return self.acknowledged_apps()

    def forget_acknowledgement(self, exe: str) -> list[str]:
        with self._lock:
            self._acked.discard(exe)
            self._mic_dirty = True
        self._wake.set()
        return self.acknowledged_apps()

    # -- thread -------------------------------------------------------------------------
    def _mic_changed(self) -> None:  # on the mic watch's thread: only flag and wake
        self._mic_dirty = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            if self._paused:
                self._pause_state()
                # Paused: no mic or network polling, but our own-socket count (kept by the
                # own-socket watch, which never pauses) still reaches the status.
                self._wake.wait(self.interval_s)
                self._wake.clear()
                continue
            try:
                self.tick()
            except Exception:  # keep watching; a broken tick must not blind the indicators
                log.exception("privacy monitor tick failed")
            now = self._clock()
            last = now if self._last_net_t is None else self._last_net_t
            next_net = last + self.interval_s
            self._wake.wait(max(0.0, next_net - now))
            self._wake.clear()

    def tick(self) -> Snapshot:
        """One evaluation: a network sample if one is due, mic users, alerts, events."""
        now = self._clock()
        if self._last_net_t is None or now - self._last_net_t >= self.interval_s * 0.95:
            self._last_net_t = now
            self._net = self.net.sample()
            if self.guard is not None:
                self.guard.check_own_sockets(self._own_sockets())
            self._guard_events()
        self._mic_dirty = False
        with self._lock:
            pending, self._pending = self._pending, []
        for event in pending:
            self._emit(event)
        users = self.mic.users()
        self._mic_events(users)
        self._talker_events(now)
        alerts = self._alerts(users)
        snap = self._compose(users, bool(self.mic.own_streams()), alerts)
        with self._lock:
            changed = snap != self._snapshot
            self._snapshot = snap
        if changed:
            self._on_change(copy.deepcopy(snap))
        return snap

    def _own_sockets(self) -> list[tuple[object, str, int]] | None:
        """Our sockets from the sample just taken (~0.1 ms) instead of asking psutil again
        (~8 ms, most of the idle budget). sock_diag sockets are matched by inode against
        /proc/self/fd, so an owner not resolved yet cannot hide ours; None: ask psutil."""
        conns = self.net.last_connections
        if conns and all(c.inode is not None for c in conns):
            mine = own_socket_inodes(self._own_pid)
            if mine is None:
                return None
            return [(c.key, c.remote[0], c.remote[1]) for c in conns if c.inode in mine]
        if any(c.pid is None for c in conns):
            return None
        return [(c.key, c.remote[0], c.remote[1]) for c in conns if c.pid == self._own_pid]

    def _pause_state(self) -> None:
        with self._lock:
            already = bool(self._snapshot.get("indicators_paused"))
        if not already:
            self._emit({"kind": "paused", "message": "indicators paused"})
            self._users, self._talker_seen, self._alerting = {}, {}, {}
            self._net = NetSample(0.0, 0.0)
        elif self.guard is None or (self.guard.blocked, self.guard.self_connections) == self._guard_seen:
            return
        self._guard_events()
        snap = self._compose([], False, [])
        with self._lock:
            self._snapshot = snap
        self._on_change(copy.deepcopy(snap))

    # -- events ---------------------------------------------------------------------------
    def _emit(self, event: dict[str, Any]) -> None:
        event = {"ts": self._wall(), **event}
        self.timeline.append(event)
        try:
            self._on_event(dict(event))
        except Exception:
            log.exception("privacy on_event callback failed")

    def _mic_events(self, users: list[MicUser]) -> None:
        now = {_user_key(u): u for u in users}
        for key, u in now.items():
            if key not in self._users:
                self._emit({"kind": "mic_start", "pid": u.pid, "name": u.name, "exe": u.exe,
                            "message": f"{u.label} started using the microphone"})
        for key, u in self._users.items():
            if key not in now:
                self._emit({"kind": "mic_stop", "pid": u.pid, "name": u.name, "exe": u.exe,
                            "message": f"{u.label} stopped using the microphone"})
        self._users = now

    def _talker_events(self, now: float) -> None:
        for t in self._net.talkers:
            if t.pid not in self._talker_seen:
                self._emit({"kind": "net_start", "pid": t.pid, "name": t.name, "exe": t.exe,
                            "message": f"{t.name} connected to the network"})
            self._talker_seen[t.pid] = (now, t)
        for pid, (seen, t) in list(self._talker_seen.items()):
            # Grace period: a program that reconnects every few seconds is one episode.
            if now - seen > self.talker_grace_s:
                del self._talker_seen[pid]
                self._emit({"kind": "net_stop", "pid": pid, "name": t.name, "exe": t.exe,
                            "message": f"{t.name} has no network connections any more"})

    def _guard_events(self) -> None:
        if self.guard is None:
            return
        seen = (self.guard.blocked, self.guard.self_connections)
        if seen[0] > self._guard_seen[0]:
            last = self.guard.attempts[-1].target if self.guard.attempts else "?"
            self._emit({"kind": "self_blocked", "count": seen[0],
                        "message": f"TrayAssist blocked its own attempt to reach {last}"})
        if seen[1] > self._guard_seen[1]:
            self._emit({"kind": "self_connection", "count": seen[1],
                        "message": "TrayAssist itself opened a non-loopback connection"})
        self._guard_seen = seen

    # -- alert ----------------------------------------------------------------------------
    def _alerts(self, users: list[MicUser]) -> list[dict[str, Any]]:
        with self._lock:
            acked = set(self._acked)
        alerts = find_alerts(users, self._net.talkers, acked, self._links())
        for key, a in alerts.items():
            if key not in self._alerting:
                self._emit({"kind": "alert", **{k: a[k] for k in ("pid", "name", "exe", "message")}})
        for key, a in self._alerting.items():
            if key not in alerts:
                self._emit({"kind": "alert_end", "pid": a["pid"], "name": a["name"],
                            "exe": a["exe"], "message": f"{a['name']}: alert over"})
        self._alerting = alerts
        return list(alerts.values())

    def _compose(self, users: list[MicUser], self_os: bool,
                 alerts: list[dict[str, Any]]) -> Snapshot:
        guard = self.guard
        first = alerts[0] if alerts else None
        return {
            # Keys as the controller reads them: `mic_others` -> status mic.others.
            "mic_others": [u.to_dict() for u in users],
            "mic_self_os": self_os,  # our own capture as the OS sees it (cross-check mic.self)
            "mic_backend": self.mic.name,
            "network": {
                "up_bps": round(self._net.up_bps, 1), "down_bps": round(self._net.down_bps, 1),
                "talkers": [t.to_dict() for t in self._net.talkers],
                "per_process_rates": self._net.per_process_rates,
                "self_connections": guard.self_connections if guard else 0,
                "self_blocked": guard.blocked if guard else 0,
                "alert": None if first is None else {k: first[k] for k in ("pid", "name", "message")},
                "alerts": alerts,
            },
            "indicators_paused": self._paused,
            "timeline": list(self.timeline),
        }
