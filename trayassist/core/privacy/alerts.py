"""The alerts of one evaluation: a program on the microphone that is, or is linked to, a
network talker (same process, same app, same pipeline), and a stream hiding behind
TrayAssist's or a trusted app's identity. Acknowledged executables do not alert."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trayassist.core.privacy.links import ProcessLinks
from trayassist.core.privacy.net import Talker
from trayassist.core.privacy.types import OWN_NAME, MicUser

Alert = dict[str, Any]


def impostor_alert(u: MicUser, acked: set[str]) -> Alert | None:
    """A stream claiming to be TrayAssist or an app the user trusts is hiding: say so."""
    if not u.claims or not (u.claims == OWN_NAME or (u.claims_exe is not None and u.claims_exe in acked)):
        return None
    # No exe: "I expect this" must not silence an impostor (the label names it).
    return {"pid": u.pid, "name": u.label, "exe": None, "claims": u.claims,
            "message": f"{u.label} is using the microphone", "remote_connections": 0,
            "up_bps": None, "can_acknowledge": False}


def _message(u: MicUser, linked: list[tuple[Talker, str]]) -> str:
    uploading = [(t, why) for t, why in linked if t.up_bps is None or t.up_bps > 0]
    others = [f"{t.name} ({why})" for t, why in (uploading or linked) if why != "same process"]
    if uploading:
        # Any upload counts: compressed speech is 2-6 kB/s, far below the tray's arrow.
        return (f"{u.name} is recording and {', '.join(others)} is uploading" if others
                else f"{u.name} is recording and uploading")
    conns = sum(t.remote_connections for t, _ in linked)
    has = f"has {conns} outbound connection{'s' if conns != 1 else ''}"
    return f"{u.name} is recording and {', '.join(others)} {has}" if others else f"{u.name} is recording and {has}"


def find_alerts(users: Iterable[MicUser], talkers: list[Talker], acked: set[str],
                links: ProcessLinks) -> dict[str, Alert]:
    """Alerts by key (the recorder's executable, or its pid when that is unknown)."""
    alerts: dict[str, Alert] = {}
    for u in users:
        hiding = impostor_alert(u, acked)
        if hiding is not None:
            alerts[f"claims:{u.claims}:{u.pid}"] = hiding
            continue
        if u.pid is None or (u.exe and u.exe in acked):
            continue
        linked = [(t, why) for t in talkers
                  if (why := links.link(u.pid, u.exe, t.pid, t.exe)) is not None]
        if not linked:
            continue
        rates = [t.up_bps for t, _ in linked]
        alerts[u.exe or f"pid:{u.pid}"] = {
            "pid": u.pid, "name": u.name, "exe": u.exe, "message": _message(u, linked),
            "remote_connections": sum(t.remote_connections for t, _ in linked),
            "up_bps": None if None in rates else sum(r or 0 for r in rates),
            "linked": [{"pid": t.pid, "name": t.name, "exe": t.exe, "why": why} for t, why in linked],
            "can_acknowledge": bool(u.exe)}
    return alerts
