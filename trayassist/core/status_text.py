"""The live status in plain words: the tray tooltip and `trayassist status`."""

from __future__ import annotations

from typing import Any

STATE_WORDS = {
    "idle": "Idle — microphone off",
    "loading": "Loading the speech model…",
    "listening": "Listening — microphone ON",
    "transcribing": "Transcribing on this computer…",
    "error": "Problem",
}


def describe(status: dict[str, Any]) -> str:
    """The tooltip: every indicator in plain words."""
    state = status.get("state", "idle")
    lines = [f"TrayAssist: {STATE_WORDS.get(state, state)}"]
    if state == "error" and status.get("error"):
        lines[0] += f": {status['error']}"
    if status.get("indicators_paused"):
        lines.append("Indicators paused")
        return "\n".join(lines)
    mic = status.get("mic") or {}
    others = mic.get("others") or []
    if others:
        names = ", ".join(sorted({str(o.get("name") or o.get("exe") or o.get("pid")) for o in others}))
        lines.append(f"Also using the microphone: {names}")
    else:
        lines.append("No other program is using the microphone")
    net = status.get("network") or {}
    alert = net.get("alert")
    if alert:
        lines.append(f"ALERT: {alert.get('message') or alert.get('name')}")
    up = net.get("up_bps")
    if up is not None:
        lines.append(f"Upload {_rate(up)}, download {_rate(net.get('down_bps') or 0)}")
    own = net.get("self_connections")
    if own is not None:
        blocked = net.get("self_blocked") or 0
        lines.append(f"TrayAssist: {own} connections since start" + (f", {blocked} blocked" if blocked else ""))
    return "\n".join(lines)


def _rate(bps: float) -> str:
    for unit, scale in (("MB/s", 1e6), ("kB/s", 1e3)):
        if bps >= scale:
            return f"{bps / scale:.1f} {unit}"
    return f"{bps:.0f} B/s"
