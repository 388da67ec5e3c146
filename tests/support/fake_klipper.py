"""A stand-in clipboard manager (an X client of its own), run as a separate process.

Like Klipper it watches CLIPBOARD owner changes (XFixes), reads TARGETS at once, and if
`x-kde-passwordManagerHint` is offered and says "secret" it skips the content; otherwise it
reads the text into its "history". With --greedy it ignores the hint (a manager that does
not honour it), which shows the text was readable. One JSON line per owner change.

    python fake_klipper.py LOG [--greedy]
"""

from __future__ import annotations

import json
import sys
import time
from array import array
from collections import deque
from typing import Any

from Xlib import X, display
from Xlib.ext import xfixes

HINT = "x-kde-passwordManagerHint"


def main(log_path: str, greedy: bool) -> int:
    d = display.Display()
    d.xfixes_query_version()
    root = d.screen().root
    win = root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    clipboard = d.intern_atom("CLIPBOARD")
    prop = d.intern_atom("FAKE_KLIPPER")
    d.xfixes_select_selection_input(root, clipboard, xfixes.XFixesSetSelectionOwnerNotifyMask)
    d.sync()
    owner_notify = tuple(d.extension_event.SetSelectionOwnerNotify)  # (event code, sub-code)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(json.dumps({"ready": True}) + "\n")
        log.flush()
        while True:
            ev = PENDING.popleft() if PENDING else d.next_event()
            if (ev.type, getattr(ev, "sub_code", None)) != owner_notify:
                continue
            owner = getattr(ev.owner, "id", ev.owner)
            if not owner:
                log.write(json.dumps({"owner": 0}) + "\n")
                log.flush()
                continue
            name = d.create_resource_object("window", owner).get_wm_name()
            record: dict[str, Any] = {"owner": int(owner), "name": name}
            got = read(d, win, clipboard, prop, "TARGETS")
            targets = [d.get_atom_name(a) for a in array("I", got)] if got else []
            record["targets"] = targets
            if HINT in targets:
                record["hint"] = (read(d, win, clipboard, prop, HINT) or b"").decode(errors="replace")
            record["skipped"] = record.get("hint") == "secret" and not greedy
            if not record["skipped"]:
                text = read(d, win, clipboard, prop, "UTF8_STRING")
                record["text"] = text.decode(errors="replace") if text is not None else None
            # The owner changed (or re-took the selection) while we read: what we read may
            # be the next content. TIMESTAMP tells one ownership from the next.
            now = d.get_selection_owner(clipboard)
            stamp = read(d, win, clipboard, prop, "TIMESTAMP")
            same_time = stamp is not None and array("I", stamp)[0] == ev.selection_timestamp
            record["stale"] = int(getattr(now, "id", now)) != int(owner) or not same_time
            log.write(json.dumps(record) + "\n")
            log.flush()


PENDING: deque[Any] = deque()  # events that arrived while a read waited


def read(d: Any, win: Any, selection: int, prop: int, target: str) -> bytes | None:
    win.convert_selection(selection, d.intern_atom(target), prop, X.CurrentTime)
    d.flush()
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        ev = d.next_event()
        if ev.type != X.SelectionNotify:
            PENDING.append(ev)
        else:
            if ev.property == X.NONE:
                return None
            value = win.get_full_property(prop, X.AnyPropertyType)
            if value is None:
                return None
            v = value.value
            return bytes(v) if isinstance(v, (bytes, bytearray)) else \
                v.encode("latin-1") if isinstance(v, str) else array("I", v).tobytes()
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--greedy" in sys.argv[2:]))
