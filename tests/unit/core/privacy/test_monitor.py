"""PrivacyMonitor with a fake mic watch and a fake connection source (real threads)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.pulse import wait_for
from trayassist.core.privacy.guard import NetworkGuard
from trayassist.core.privacy.links import ProcessLinks
from trayassist.core.privacy.monitor import PrivacyMonitor
from trayassist.core.privacy.net import Conn, NetWatch
from trayassist.core.privacy.types import BackendStatus, MicUser

pytestmark = pytest.mark.unit

ZOOM = "/opt/zoom/zoom"


class FakeMic:
    name = "fake"

    def __init__(self) -> None:
        self.others: list[MicUser] = []
        self.own: list[MicUser] = []
        self.cb: Callable[[], None] | None = None
        self.starts = self.stops = 0

    def available(self) -> BackendStatus:
        return BackendStatus(self.name, True, "fake")

    def start(self, on_change: Callable[[], None]) -> None:
        self.cb, self.starts = on_change, self.starts + 1

    def stop(self) -> None:
        self.cb, self.stops = None, self.stops + 1

    def users(self) -> list[MicUser]:
        return list(self.others)

    def own_streams(self) -> list[MicUser]:
        return list(self.own)

    def set(self, users: list[MicUser]) -> None:
        self.others = users
        if self.cb:
            self.cb()


class FakeSource:
    name, has_bytes = "fake", True

    def __init__(self) -> None:
        self.conns: list[Conn] = []
        self.calls = 0

    def connections(self) -> list[Conn]:
        self.calls += 1
        return list(self.conns)

    def close(self) -> None:
        pass


NAMES = {50: ("zoom", ZOOM), 51: ("zoom", ZOOM), 60: ("curl", "/usr/bin/curl"),
         70: ("zoom", ZOOM)}


class Rig:
    def __init__(self, acked: list[str] | None = None, roots: dict[int, int] | None = None) -> None:
        self.mic, self.src = FakeMic(), FakeSource()
        self.own_conns: list[Any] = []
        self.guard = NetworkGuard(own_connections=lambda: self.own_conns)
        self.net = NetWatch(self.src, io_counters=lambda: {}, loopbacks=set,
                            identify=lambda p: NAMES.get(p, (None, None)))
        self.changes: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.threads: set[str] = set()
        self.monitor = PrivacyMonitor(
            self.mic, self.net, self.guard, acknowledged_apps=acked or [],
            on_change=self._changed, on_event=self._event,
            links=lambda: ProcessLinks(root=lambda pid: (roots or {}).get(pid, pid), job=lambda pid: None))

    def _changed(self, snap: dict[str, Any]) -> None:
        self.threads.add(threading.current_thread().name)
        self.changes.append(snap)

    def _event(self, ev: dict[str, Any]) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.append(ev)

    def kinds(self) -> list[str]:
        return [e["kind"] for e in self.events]

    def last(self) -> dict[str, Any]:
        return self.monitor.snapshot()


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = Rig()
    r.monitor.start()
    yield r
    r.monitor.stop()


def zoom_user(pid: int = 50) -> MicUser:
    return MicUser(pid, "zoom", ZOOM, "mic")


def test_mic_change_is_pushed_from_the_monitor_thread(rig: Rig) -> None:
    rig.mic.set([zoom_user()])
    assert wait_for(lambda: rig.last()["mic_others"] != [], 1)
    assert rig.last()["mic_others"] == [
        {"pid": 50, "name": "zoom", "exe": ZOOM, "device": "mic", "corked": False,
         "claims": None, "verified": True, "label": "zoom"}]
    rig.mic.set([])
    assert wait_for(lambda: "mic_stop" in rig.kinds(), 1)
    assert rig.kinds()[:2] == ["mic_start", "mic_stop"]
    assert rig.threads == {"privacy-monitor"}
    assert rig.changes[-1]["mic_others"] == []


def test_recording_and_uploading_raises_one_alert_and_acknowledging_stops_it(rig: Rig) -> None:
    rig.src.conns = [Conn(50, "tcp", ("10.200.0.2", 443), "a", 0)]
    rig.mic.set([zoom_user()])
    assert wait_for(lambda: rig.last()["network"]["alert"] is not None, 3)
    alert = rig.last()["network"]["alert"]
    assert alert["pid"] == 50 and alert["name"] == "zoom"
    assert alert["message"] == "zoom is recording and has 1 outbound connection"
    rig.src.conns = [Conn(50, "tcp", ("10.200.0.2", 443), "a", 100_000)]
    assert wait_for(lambda: "uploading" in (rig.last()["network"]["alert"] or {}).get("message", ""), 3)
    assert rig.kinds().count("alert") == 1  # one episode, not one alert a second

    assert rig.monitor.acknowledge(ZOOM) == [ZOOM]
    assert wait_for(lambda: rig.last()["network"]["alert"] is None, 2)
    assert "acknowledged" in rig.kinds() and "alert_end" in rig.kinds()
    seen = rig.src.calls
    assert wait_for(lambda: rig.src.calls >= seen + 2, 3)  # still watching...
    assert rig.kinds().count("alert") == 1  # ...without repeating the alert


@pytest.mark.parametrize("bad", ["", "*", "   "])
def test_no_blanket_acknowledgement(rig: Rig, bad: str) -> None:
    with pytest.raises(ValueError):
        rig.monitor.acknowledge(bad)


def test_acknowledged_from_settings_and_other_apps_still_alert() -> None:
    r = Rig(acked=[ZOOM])
    r.src.conns = [Conn(50, "tcp", ("10.0.0.1", 443), "a", 0),
                   Conn(60, "tcp", ("10.0.0.2", 443), "b", 0)]
    r.mic.others = [zoom_user(), MicUser(60, "curl", "/usr/bin/curl")]
    snap = r.monitor.tick()
    assert [a["name"] for a in snap["network"]["alerts"]] == ["curl"]


def test_alert_follows_the_app_across_its_processes_but_not_strangers() -> None:
    r = Rig(roots={50: 50, 51: 50, 70: 70})  # 51 is zoom's child, 70 another zoom run
    r.src.conns = [Conn(51, "tcp", ("10.0.0.1", 443), "a", 0)]
    r.mic.others = [zoom_user(50)]
    assert r.monitor.tick()["network"]["alert"]["pid"] == 50
    r2 = Rig(roots={50: 50, 70: 70})
    r2.src.conns = [Conn(70, "tcp", ("10.0.0.1", 443), "a", 0)]
    r2.mic.others = [zoom_user(50)]
    assert r2.monitor.tick()["network"]["alert"] is None


def test_pause_stops_all_polling_and_resume_restarts(rig: Rig) -> None:
    rig.src.conns = [Conn(60, "tcp", ("10.0.0.2", 443), "b", 0)]
    assert wait_for(lambda: rig.last()["network"]["talkers"] != [], 3)
    rig.monitor.pause()
    assert wait_for(lambda: rig.last()["indicators_paused"], 2)
    assert rig.mic.stops == 1 and rig.last()["network"]["talkers"] == []
    calls = rig.src.calls
    assert not wait_for(lambda: rig.src.calls != calls, 2.5)  # nothing polled while paused
    rig.monitor.resume()
    assert wait_for(lambda: rig.last()["network"]["talkers"] != [], 2)
    assert rig.mic.starts == 2 and not rig.last()["indicators_paused"]
    assert {"paused", "resumed"} <= set(rig.kinds())


def test_guard_counts_and_events_reach_the_snapshot(rig: Rig) -> None:
    import socket
    from types import SimpleNamespace

    with pytest.raises(PermissionError):
        rig.guard.check("socket.connect", (SimpleNamespace(family=socket.AF_INET),
                                           ("10.255.255.1", 80)))
    # Our own socket, as the network sample attributes it to this pid...
    rig.src.conns = [Conn(os.getpid(), "tcp", ("10.0.0.9", 443), "own", 0)]
    assert wait_for(lambda: rig.last()["network"]["self_connections"] == 1, 3)
    # ...and, while a socket's owner is still unknown, as psutil reports it.
    rig.src.conns.append(Conn(None, "tcp", ("10.0.0.8", 80), "x", 0))
    rig.own_conns.append(SimpleNamespace(fd=9, laddr=("10.0.0.5", 4000),
                                         raddr=("10.0.0.7", 443), type=socket.SOCK_STREAM))
    assert wait_for(lambda: rig.last()["network"]["self_connections"] == 2, 3)
    net = rig.last()["network"]
    assert net["self_blocked"] == 1
    assert {"self_blocked", "self_connection"} <= set(rig.kinds())


def test_snapshot_has_the_status_json_fields() -> None:
    r = Rig()
    snap = r.monitor.tick()
    assert set(snap["network"]) >= {"up_bps", "down_bps", "talkers", "self_connections",
                                    "self_blocked", "alert"}
    assert snap["mic_others"] == [] and snap["indicators_paused"] is False
