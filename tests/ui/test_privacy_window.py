"""The Privacy window on the offscreen platform: snapshots pushed in, never polled."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, Signal

from tests.unit.core.privacy.test_monitor import ZOOM, FakeMic, FakeSource
from trayassist.core.privacy.monitor import PrivacyMonitor
from trayassist.core.privacy.net import Conn, NetWatch
from trayassist.core.privacy.types import MicUser
from trayassist.ui.privacy_window import PrivacyWindow, format_rate

pytestmark = pytest.mark.ui


def snapshot(**network: Any) -> dict[str, Any]:
    net = {"up_bps": 2500.0, "down_bps": 12.0, "self_connections": 0, "self_blocked": 2,
           "talkers": [{"pid": 50, "name": "zoom", "exe": ZOOM, "remote_connections": 3,
                        "up_bps": 12345.0},
                       {"pid": 60, "name": "dnsmasq", "exe": None, "remote_connections": 1,
                        "up_bps": None}],
           "alert": None, "alerts": []}
    net.update(network)
    return {"mic_others": [{"pid": 50, "name": "Zoom Meeting", "exe": ZOOM, "device": "vmic"}],
            "network": net, "indicators_paused": False,
            "timeline": [{"ts": 1000.0, "kind": "mic_start", "pid": 50,
                          "message": "Zoom Meeting started using the microphone"}]}


def cells(table: Any) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


@pytest.fixture
def window(qtbot: Any) -> PrivacyWindow:
    w = PrivacyWindow()
    qtbot.addWidget(w)
    return w


def test_rates_format() -> None:
    assert format_rate(None) == "not available"
    assert format_rate(0) == "0 B/s"
    assert format_rate(12345) == "12.3 kB/s"
    assert format_rate(2_500_000) == "2.5 MB/s"


def test_lists_mic_users_talkers_rates_and_own_record(window: PrivacyWindow) -> None:
    window.update_snapshot(snapshot())
    assert cells(window.mic_table) == [["Zoom Meeting", "50", ZOOM, "vmic"]]
    assert cells(window.net_table) == [["zoom", "50", ZOOM, "3", "12.3 kB/s"],
                                       ["dnsmasq", "60", "unknown", "1", "not available"]]
    assert window.self_label.text() == "TrayAssist: 0 connections since start · 2 blocked"
    assert "upload 2.5 kB/s" in window.rates_label.text()
    assert window.alerts_box.isHidden() and window.paused_label.isHidden()
    assert window.timeline.item(0).text().endswith("Zoom Meeting started using the microphone")


def test_own_connection_turns_the_line_red(window: PrivacyWindow) -> None:
    window.update_snapshot(snapshot(self_connections=1))
    assert window.self_label.text().startswith("TrayAssist: 1 connection since start")
    assert "c62828" in window.self_label.styleSheet()


def test_acknowledge_button_per_alerting_app(window: PrivacyWindow, qtbot: Any) -> None:
    alerts = [{"pid": 50, "name": "zoom", "exe": ZOOM, "message": "zoom is recording and uploading"},
              {"pid": 70, "name": "ghost", "exe": None, "message": "ghost is recording and uploading"}]
    window.update_snapshot(snapshot(alert=alerts[0], alerts=alerts))
    assert not window.alerts_box.isHidden()
    assert list(window.ack_buttons) == [ZOOM]  # the exe-less one cannot be silenced
    with qtbot.waitSignal(window.acknowledge_requested, timeout=1000) as sig:
        qtbot.mouseClick(window.ack_buttons[ZOOM], Qt.MouseButton.LeftButton)
    assert sig.args == [ZOOM]
    window.update_snapshot(snapshot())
    assert window.alerts_box.isHidden() and window.ack_buttons == {}


def test_accepts_status_json_and_paused(window: PrivacyWindow) -> None:
    status = {"mic": {"self": True, "others": [{"pid": 9, "name": "arecord", "exe": "/usr/bin/arecord"}]},
              "network": {"up_bps": 0, "down_bps": 0, "talkers": [], "self_connections": 0,
                          "self_blocked": 0, "alert": {"pid": 9, "name": "arecord",
                                                       "message": "arecord is recording and uploading"}},
              "indicators_paused": True}
    window.update_snapshot(status)
    assert cells(window.mic_table)[0][:3] == ["arecord", "9", "/usr/bin/arecord"]
    assert not window.paused_label.isHidden() and not window.alerts_box.isHidden()


def test_timeline_newest_first_without_duplicates(window: PrivacyWindow) -> None:
    snap = snapshot()
    window.update_snapshot(snap)
    window.update_snapshot(snap)  # the monitor resends its whole recent timeline
    window.add_event({"ts": 1001.0, "kind": "alert", "pid": 50, "message": "zoom is recording and uploading"})
    assert window.timeline.count() == 2
    assert window.timeline.item(0).text().endswith("zoom is recording and uploading")


class Relay(QObject):
    """What the app's bridge does: a signal emitted on the monitor thread, queued to the GUI."""

    snapshot = Signal(object)


def test_live_monitor_pushes_into_the_window(window: PrivacyWindow, qtbot: Any) -> None:
    mic, src = FakeMic(), FakeSource()
    relay = Relay()
    relay.snapshot.connect(window.update_snapshot)
    net = NetWatch(src, io_counters=lambda: {}, loopbacks=set,
                   identify=lambda p: ("zoom", ZOOM))
    monitor = PrivacyMonitor(mic, net, None, on_change=relay.snapshot.emit)
    monitor.start()
    try:
        src.conns = [Conn(50, "tcp", ("10.0.0.9", 443), "a", 0)]
        mic.set([MicUser(50, "zoom", ZOOM, "vmic")])
        qtbot.waitUntil(lambda: bool(window.ack_buttons), timeout=3000)
        assert cells(window.mic_table)[0][:3] == ["zoom", "50", ZOOM]
        window.acknowledge_requested.connect(monitor.acknowledge)
        qtbot.mouseClick(window.ack_buttons[ZOOM], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.alerts_box.isHidden(), timeout=3000)
        assert monitor.acknowledged_apps() == [ZOOM]
    finally:
        monitor.stop()
