"""The live status in plain words: the tray tooltip and `trayassist status`."""

from __future__ import annotations

from trayassist.core.status import State, Status

STATE_WORDS = {
    State.IDLE: "Idle — microphone off",
    State.LOADING: "Loading the speech model…",
    State.LISTENING: "Listening — microphone ON",
    State.TRANSCRIBING: "Transcribing on this computer…",
    State.ERROR: "Problem",
}

# Our stream is open but its device has not delivered audio yet (a headset or a sound
# server waking up): what is said now is lost.
STARTING = "Starting the microphone — wait before speaking"


def describe(status: Status) -> str:
    """The tooltip: every indicator in plain words."""
    starting = status.state is State.LISTENING and not status.mic_receiving
    lines = [f"TrayAssist: {STARTING if starting else STATE_WORDS[status.state]}"]
    if status.state is State.ERROR and status.error:
        lines[0] += f": {status.error}"
    for problem in status.problems:
        if not problem.blocking:
            lines.append(f"Note: {problem.message}")
    if status.indicators_paused:
        lines.append("Indicators paused")
        return "\n".join(lines)
    others = status.mic_others
    if others:
        names = ", ".join(sorted({str(o.get("label") or o.get("name") or o.get("exe") or o.get("pid"))
                                  for o in others}))
        lines.append(f"Also using the microphone: {names}")
    else:
        lines.append("No other program is using the microphone")
    net = status.network
    if net.alert is not None:
        lines.append(f"ALERT: {net.alert.message or net.alert.name}")
    if net.up_bps is not None:
        lines.append(f"Upload {_rate(net.up_bps)}, download {_rate(net.down_bps or 0)}")
    if net.self_connections is not None:
        blocked = net.self_blocked or 0
        lines.append(f"TrayAssist: {net.self_connections} connections since start"
                     + (f", {blocked} blocked" if blocked else ""))
    return "\n".join(lines)


def _rate(bps: float) -> str:
    for unit, scale in (("MB/s", 1e6), ("kB/s", 1e3)):
        if bps >= scale:
            return f"{bps / scale:.1f} {unit}"
    return f"{bps:.0f} B/s"
