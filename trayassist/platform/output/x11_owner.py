"""X11 selection owner run as a helper process: serves several targets (the text and the
clipboard-history hints) and snapshots another owner's targets, fed JSON lines on stdin."""

from __future__ import annotations

import base64
import json
import os
import select
import sys
from typing import Any

from Xlib import display, error

from trayassist.platform.output.x11_owner_core import Owner, Target

# Run as `python -m trayassist.platform.output.x11_owner` (the frozen app: --x11-selection-owner).
# Requests, one JSON object a line, each with an "id":
#   {"op": "own", "selection", "targets": [{"name", "type", "format", "data" (base64)}]
#    or "snapshot": id of a snapshot kept here, "if_own"?: only while that ownership holds}
#   {"op": "snapshot", "selection", "data"?: also send the data}  (kept here under its id)
#   {"op": "clear", "selection", "own"}   {"op": "ping"}
# Replies carry the same "id"; events {"event": "fetched"|"lost", "own": id, ...} follow an
# ownership. When stdin closes it keeps serving what it owns (as xclip does) and exits once
# it owns nothing.


def _encode(name: str, t: Target, data: bool = True) -> dict[str, Any]:
    """A target for the app: its data only when asked (by default it stays here)."""
    out: dict[str, Any] = {"name": name, "type": t.type, "format": t.format, "size": len(t.data)}
    if data:
        out["data"] = base64.b64encode(t.data).decode("ascii")
    return out


def _decode(items: list[dict[str, Any]]) -> dict[str, Target]:
    return {str(i["name"]): Target(str(i["type"]), int(i["format"]), base64.b64decode(i["data"]))
            for i in items}


def main() -> int:
    # Detach like xclip: the app's child exits at once (nothing to reap or to outlive), and
    # this copy keeps the app's pipes and serves what it owns after the app has quit.
    if os.fork() > 0:
        os._exit(0)
    try:
        disp = display.Display()
    except Exception as exc:  # Xlib raises several kinds for a missing or refused display
        why = f"cannot open the display: {type(exc).__name__}"
        sys.stdout.write(json.dumps({"event": "error", "message": why}) + "\n")
        return 1

    def out(msg: dict[str, Any]) -> None:
        try:
            os.write(1, (json.dumps(msg) + "\n").encode())
        except OSError:
            pass  # the app is gone; keep serving what we own

    owner = Owner(disp, out)
    stdin_open, buf = True, b""
    out({"event": "ready"})
    while stdin_open or owner.owned or owner.transfers:
        owner.wait(lambda e: False, 0)
        readable, _, _ = select.select([disp, 0] if stdin_open else [disp], [], [], 1.0)
        if 0 in readable:
            chunk = os.read(0, 1 << 20)
            if not chunk:
                stdin_open = False
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    out(_answer(owner, json.loads(line)))
    return 0


def _answer(owner: Owner, req: dict[str, Any]) -> dict[str, Any]:
    rid, op, sel = req.get("id"), req.get("op"), str(req.get("selection", "CLIPBOARD"))
    try:
        if op == "own":
            if_own = req.get("if_own")
            if if_own is not None and not owner.still_owns(sel, int(if_own)):
                return {"id": rid, "ok": False, "skipped": True}  # someone copied since
            if "snapshot" in req:
                targets = owner.snaps.get(int(req["snapshot"]))
                if targets is None:
                    return {"id": rid, "ok": False, "error": "that snapshot is gone"}
            else:
                targets = _decode(req["targets"])
            return {"id": rid, "ok": owner.own(int(rid or 0), sel, targets)}
        if op == "snapshot":
            owned, complete, got = owner.snapshot(sel, int(rid or 0))
            data = bool(req.get("data"))
            return {"id": rid, "ok": True, "owned": owned, "complete": complete, "empty": not got,
                    "targets": [_encode(n, t, data) for n, t in got.items()]}
        if op == "clear":
            return {"id": rid, "ok": True, "cleared": owner.clear(sel, req.get("own"))}
        if op == "ping":
            return {"id": rid, "ok": True}
        return {"id": rid, "ok": False, "error": f"unknown op {op}"}
    except (error.XError, KeyError, ValueError, TypeError) as exc:
        return {"id": rid, "ok": False, "error": type(exc).__name__}


if __name__ == "__main__":
    sys.exit(main())
