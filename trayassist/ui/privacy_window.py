"""The Privacy window: who uses the microphone, what talks to the network, TrayAssist's own
record, and the timeline. Snapshots are pushed in (`update_snapshot`); it never polls."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

TIMELINE_MAX = 300


def format_rate(bps: float | None) -> str:
    if bps is None:
        return "not available"
    for unit, size in (("MB/s", 1e6), ("kB/s", 1e3)):
        if bps >= size:
            return f"{bps / size:.1f} {unit}"
    return f"{bps:.0f} B/s"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class PrivacyWindow(QWidget):
    """Emits `acknowledge_requested(exe)` when the user clicks "I expect this"; the app
    passes it to PrivacyMonitor.acknowledge() and saves the returned list in settings."""

    acknowledge_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("TrayAssist — Privacy")
        self.resize(760, 640)
        layout = QVBoxLayout(self)

        self.self_label = QLabel()
        self.self_label.setObjectName("self")
        self.paused_label = QLabel("Indicators are paused: nothing is being watched.")
        self.paused_label.setObjectName("paused")
        self.paused_label.hide()
        self.rates_label = QLabel()
        self.rates_label.setObjectName("rates")
        for w in (self.self_label, self.paused_label, self.rates_label):
            layout.addWidget(w)

        self.alerts_box = QGroupBox("Alerts")
        self.alerts_layout = QVBoxLayout(self.alerts_box)
        self.alerts_box.hide()
        layout.addWidget(self.alerts_box)

        mic_box = QGroupBox("Using the microphone now")
        self.mic_table = _table(["Name (as reported)", "PID", "Executable", "Device"])
        QVBoxLayout(mic_box).addWidget(self.mic_table)
        layout.addWidget(mic_box)

        net_box = QGroupBox("Programs with network connections")
        self.net_table = _table(["Name", "PID", "Executable", "Connections", "Upload"])
        QVBoxLayout(net_box).addWidget(self.net_table)
        layout.addWidget(net_box)

        time_box = QGroupBox("Timeline")
        self.timeline = QListWidget()
        QVBoxLayout(time_box).addWidget(self.timeline)
        layout.addWidget(time_box)

        self._timeline_keys: set[tuple[Any, ...]] = set()
        self.ack_buttons: dict[str, QPushButton] = {}
        self.update_snapshot({})

    # -- pushed in (GUI thread) ---------------------------------------------------------
    def update_snapshot(self, snap: dict[str, Any]) -> None:
        """Accepts a PrivacyMonitor snapshot or the status JSON (mic.others)."""
        net = snap.get("network") or {}
        others = snap.get("mic_others")
        if others is None:
            others = (snap.get("mic") or {}).get("others") or []
        paused = bool(snap.get("indicators_paused"))

        conns, blocked = int(net.get("self_connections") or 0), int(net.get("self_blocked") or 0)
        self.self_label.setText(
            f"TrayAssist: {conns} connection{'s' if conns != 1 else ''} since start · "
            f"{blocked} blocked")
        self.self_label.setStyleSheet("color: #c62828; font-weight: bold;" if conns else "")
        self.paused_label.setVisible(paused)
        self.rates_label.setText(f"System upload {format_rate(net.get('up_bps', 0.0))} · "
                                 f"download {format_rate(net.get('down_bps', 0.0))}")

        _fill(self.mic_table, [[u.get("label") or u.get("name") or "?", str(u.get("pid") or "—"),
                                u.get("exe") or "unknown", u.get("device") or ""]
                               for u in others])
        _fill(self.net_table, [[t.get("name") or "?", str(t.get("pid")), t.get("exe") or "unknown",
                                str(t.get("remote_connections", 0)), format_rate(t.get("up_bps"))]
                               for t in net.get("talkers") or []])
        alerts = net.get("alerts")
        if alerts is None:
            alerts = [net["alert"]] if net.get("alert") else []
        self._show_alerts(alerts)
        for event in snap.get("timeline") or []:
            self.add_event(event)

    def add_event(self, event: dict[str, Any]) -> None:
        """One timeline entry (newest on top); repeats of the same event are ignored."""
        key = (event.get("ts"), event.get("kind"), event.get("pid"), event.get("message"))
        if key in self._timeline_keys:
            return
        self._timeline_keys.add(key)
        when = time.strftime("%H:%M:%S", time.localtime(float(event.get("ts") or 0)))
        self.timeline.insertItem(0, f"{when}  {event.get('message') or event.get('kind')}")
        while self.timeline.count() > TIMELINE_MAX:
            self.timeline.takeItem(self.timeline.count() - 1)

    def _show_alerts(self, alerts: list[dict[str, Any]]) -> None:
        while self.alerts_layout.count():
            item = self.alerts_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.ack_buttons = {}
        for alert in alerts:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"⚠ {alert.get('message')} (pid {alert.get('pid')})")
            text.setStyleSheet("color: #c62828; font-weight: bold;")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            line.addWidget(text, 1)
            exe = alert.get("exe")
            button = QPushButton("I expect this")
            if exe:
                button.setToolTip(f"Stop alerting for {exe} (only this program)")
                button.clicked.connect(lambda _=False, e=exe: self.acknowledge_requested.emit(e))
                self.ack_buttons[exe] = button
            else:
                button.setEnabled(False)  # no executable path: cannot be singled out safely
                button.setToolTip("The executable is unknown, so this alert cannot be silenced")
            line.addWidget(button)
            self.alerts_layout.addWidget(row)
        self.alerts_box.setVisible(bool(alerts))
