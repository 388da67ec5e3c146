"""The X11 selection owner inside the helper process (x11_owner.py): serves several targets,
INCR included, and snapshots another owner's targets within a time budget."""

from __future__ import annotations

import select
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from Xlib import X, Xatom, error
from Xlib.protocol import event as xevent
from Xlib.protocol import request

# Targets answered by the owner itself; never copied into a snapshot.
META_TARGETS = frozenset({"TARGETS", "TIMESTAMP", "MULTIPLE", "DELETE", "INSERT_SELECTION",
                          "INSERT_PROPERTY", "SAVE_TARGETS"})
READ_TIMEOUT_S = 1.0  # one target of another owner
# All of them: a hung owner must not hold the paste for long. Targets come in the owner's
# order (its own format first, conversions after), so a cut drops the derived ones.
SNAPSHOT_BUDGET_S = 2.0
MAX_SNAPSHOT_BYTES = 64 << 20
MAX_SNAPSHOTS = 4  # kept for restores; older ones are dropped


@dataclass
class Target:
    type: str
    format: int
    data: bytes


@dataclass
class Ownership:
    serial: int
    time: int
    targets: dict[str, Target]


@dataclass
class Transfer:
    """An INCR transfer to one requestor property, chunk by chunk."""

    target: Target
    offset: int = 0
    done: bool = False


@dataclass
class Owner:
    disp: Any
    out: Callable[[dict[str, Any]], None]
    owned: dict[str, Ownership] = field(default_factory=dict)
    transfers: dict[tuple[int, int], Transfer] = field(default_factory=dict)
    # The last snapshot per selection, keyed by (owner window, its TIMESTAMP): the app asks
    # at key press and again at paste; an unchanged clipboard is then read only once.
    cache: dict[str, tuple[int, int, bool, dict[str, Target]]] = field(default_factory=dict)
    snaps: dict[int, dict[str, Target]] = field(default_factory=dict)  # by request id

    def __post_init__(self) -> None:
        d = self.disp
        self.win = d.screen().root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent,
                                                 event_mask=X.PropertyChangeMask)
        self.win.set_wm_name("TrayAssist selection owner")
        self.prop = d.intern_atom("_TRAYASSIST_SEL")
        self.incr = d.intern_atom("INCR")
        # Bytes per property write; the rest goes by INCR (ICCCM 2.7.2).
        self.chunk = max(4096, min(d.display.info.max_request_length * 4 - 256, 256 << 10))
        self._names: dict[int, str] = {}

    # ---- atoms ---------------------------------------------------------------------
    def atom(self, name: str) -> int:
        return int(self.disp.intern_atom(name))

    def name(self, atom: int) -> str:
        if atom not in self._names:
            self._names[atom] = self.disp.get_atom_name(atom)
        return self._names[atom]

    def timestamp(self) -> int:
        """A real server time (ICCCM: never CurrentTime for ownership): from a property change."""
        self.win.change_property(self.prop, Xatom.INTEGER, 32, [], X.PropModeAppend)
        ev = self.wait(lambda e: e.type == X.PropertyNotify and e.window == self.win
                       and e.atom == self.prop, READ_TIMEOUT_S)
        return int(ev.time) if ev is not None else X.CurrentTime

    # ---- the event loop ------------------------------------------------------------
    def wait(self, match: Callable[[Any], bool], timeout: float) -> Any:
        """Next event matching `match`, serving every other event meanwhile; None on timeout."""
        deadline = time.monotonic() + timeout
        self.disp.flush()
        while True:
            while self.disp.pending_events():
                ev = self.disp.next_event()
                if match(ev):
                    return ev
                self.handle(ev)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([self.disp], [], [], left)

    def handle(self, ev: Any) -> None:
        if ev.type == X.SelectionRequest:
            self.serve(ev)
        elif ev.type == X.SelectionClear:
            sel = self.name(ev.atom)
            own = self.owned.get(sel)
            if own is not None and (ev.time == X.CurrentTime or ev.time >= own.time):
                del self.owned[sel]
                self.out({"event": "lost", "own": own.serial, "selection": sel})
        elif ev.type == X.PropertyNotify and ev.state == X.PropertyDelete:
            self.continue_transfer(ev.window, ev.atom)

    # ---- serving -------------------------------------------------------------------
    def serve(self, ev: Any) -> None:
        sel = self.name(ev.selection)
        own = self.owned.get(sel)
        prop = ev.property or ev.target  # obsolete requestors give no property
        ok = False
        if own is not None and (ev.time == X.CurrentTime or ev.time >= own.time):
            requestor = self.disp.create_resource_object("window", _id(ev.requestor))
            try:
                ok = self.convert(own, requestor, self.name(ev.target), prop)
            except error.XError:
                ok = False  # the requestor went away
        reply = xevent.SelectionNotify(time=ev.time, requestor=ev.requestor, selection=ev.selection,
                                       target=ev.target, property=prop if ok else X.NONE)
        try:
            self.disp.send_event(ev.requestor, reply)
            self.disp.flush()
        except error.XError:
            return
        target = self.name(ev.target)
        if ok and target not in META_TARGETS:
            self.out({"event": "fetched", "own": own.serial, "selection": sel,  # type: ignore[union-attr]
                      "target": target, "requestor": _id(ev.requestor)})

    def convert(self, own: Ownership, requestor: Any, target: str, prop: int) -> bool:
        if target == "TARGETS":
            names = ["TARGETS", "TIMESTAMP", "MULTIPLE", *own.targets]
            requestor.change_property(prop, Xatom.ATOM, 32, [self.atom(n) for n in names])
            return True
        if target == "TIMESTAMP":
            requestor.change_property(prop, Xatom.INTEGER, 32, [own.time])
            return True
        if target == "MULTIPLE":
            pairs = requestor.get_full_property(prop, X.AnyPropertyType)
            if pairs is None:
                return False
            values = list(pairs.value)
            for i in range(0, len(values) - 1, 2):
                if not self.convert(own, requestor, self.name(values[i]), values[i + 1]):
                    values[i + 1] = X.NONE
            requestor.change_property(prop, pairs.property_type, 32, values)
            return True
        found = own.targets.get(target)
        if found is None:
            return False
        if len(found.data) > self.chunk:
            requestor.change_attributes(event_mask=X.PropertyChangeMask)
            requestor.change_property(prop, self.incr, 32, [len(found.data)])
            self.transfers[(_id(requestor), int(prop))] = Transfer(found)
            return True
        requestor.change_property(prop, self.atom(found.type), found.format, _values(found))
        return True

    def continue_transfer(self, window: Any, prop: int) -> None:
        key = (_id(window), int(prop))
        transfer = self.transfers.get(key)
        if transfer is None:
            return
        t = transfer.target
        piece = t.data[transfer.offset:transfer.offset + self.chunk]
        transfer.offset += len(piece)
        requestor = self.disp.create_resource_object("window", key[0])
        try:
            requestor.change_property(prop, self.atom(t.type), t.format,
                                      _values(Target(t.type, t.format, piece)))
            self.disp.flush()
        except error.XError:
            piece = b""
        if not piece:  # the zero-length write above ended the transfer
            del self.transfers[key]

    # ---- requests from the app -----------------------------------------------------
    def own(self, serial: int, sel: str, targets: dict[str, Target]) -> bool:
        t = self.timestamp()
        self.win.set_selection_owner(self.atom(sel), t)
        if self.disp.get_selection_owner(self.atom(sel)) != self.win:
            return False
        self.owned[sel] = Ownership(serial, t, targets)
        self.cache.pop(sel, None)
        return True

    def still_owns(self, sel: str, serial: int) -> bool:
        """Ownership `serial` holds: asked of the server, since its SelectionClear may not
        have reached us yet."""
        own = self.owned.get(sel)
        return own is not None and own.serial == serial and \
            self.disp.get_selection_owner(self.atom(sel)) == self.win

    def clear(self, sel: str, serial: int | None) -> bool:
        if serial is not None and not self.still_owns(sel, serial):
            return False
        if sel not in self.owned:
            return False
        request.SetSelectionOwner(display=self.disp.display, window=X.NONE,
                                  selection=self.atom(sel), time=X.CurrentTime)
        del self.owned[sel]
        self.disp.get_selection_owner(self.atom(sel))  # a round trip: cleared on return
        return True

    def snapshot(self, sel: str, ref: int) -> tuple[bool, bool, dict[str, Target]]:
        """(owned by us, complete, targets) of `sel`, kept here as snapshot `ref`: the data
        stays in this process (a copied image can be tens of MB) until a restore uses it."""
        owned, complete, targets = self._snapshot(sel)
        self.snaps[ref] = targets
        while len(self.snaps) > MAX_SNAPSHOTS:
            del self.snaps[next(iter(self.snaps))]
        return owned, complete, targets

    def _snapshot(self, sel: str) -> tuple[bool, bool, dict[str, Target]]:
        own = self.owned.get(sel)
        if own is not None:  # ours: exactly what we offer, our own hint included
            return True, True, dict(own.targets)
        owner = self.disp.get_selection_owner(self.atom(sel))
        if owner == X.NONE:
            return False, True, {}
        deadline = time.monotonic() + SNAPSHOT_BUDGET_S
        stamp = self.read(sel, "TIMESTAMP", deadline)
        key = (_id(owner), array("I", stamp.data)[0]) if stamp and stamp.format == 32 and stamp.data else None
        cached = self.cache.get(sel)
        if key is not None and cached is not None and cached[:2] == key:
            return False, cached[2], cached[3]
        complete, targets = self.read_all(sel, deadline)
        if key is not None:  # incomplete too: a second read would hit the same budget
            self.cache[sel] = (*key, complete, targets)
        else:
            self.cache.pop(sel, None)
        return False, complete, targets

    def read_all(self, sel: str, deadline: float) -> tuple[bool, dict[str, Target]]:
        listed = self.read(sel, "TARGETS", deadline)
        if listed is None:
            return False, {}
        names = [self.name(a) for a in array("I", listed.data)] if listed.format == 32 else []
        out: dict[str, Target] = {}
        total, complete = 0, True
        for name in dict.fromkeys(names):
            if name in META_TARGETS:
                continue
            got = self.read(sel, name, deadline)
            if got is None or total + len(got.data) > MAX_SNAPSHOT_BYTES:
                complete = False
                continue
            total += len(got.data)
            out[name] = got
        return complete, out

    def read(self, sel: str, target: str, deadline: float) -> Target | None:
        """One target of the current owner, INCR transfers included."""
        left = min(READ_TIMEOUT_S, deadline - time.monotonic())
        if left <= 0:
            return None
        self.win.delete_property(self.prop)
        self.win.convert_selection(self.atom(sel), self.atom(target), self.prop, X.CurrentTime)
        ev = self.wait(lambda e: e.type == X.SelectionNotify and e.requestor == self.win, left)
        if ev is None or ev.property == X.NONE:
            return None
        got = self.win.get_full_property(self.prop, X.AnyPropertyType, sizehint=1 << 20)
        self.win.delete_property(self.prop)
        if got is None:
            return None
        if got.property_type != self.incr:
            return Target(self.name(got.property_type), got.format, _bytes(got))
        chunks: list[bytes] = []
        kind, fmt = "", 8
        while True:
            left = min(READ_TIMEOUT_S, deadline - time.monotonic())
            if left <= 0:  # the budget ends a long transfer too
                self.win.delete_property(self.prop)
                return None
            ev = self.wait(lambda e: e.type == X.PropertyNotify and e.window == self.win
                           and e.atom == self.prop and e.state == X.PropertyNewValue, left)
            if ev is None:
                return None
            part = self.win.get_full_property(self.prop, X.AnyPropertyType, sizehint=1 << 20)
            self.win.delete_property(self.prop)
            if part is None:
                return None
            data = _bytes(part)
            if not data:
                return Target(kind or "STRING", fmt, b"".join(chunks))
            kind, fmt = self.name(part.property_type), part.format
            chunks.append(data)


def _id(resource: Any) -> int:
    """Window ids arrive as Xlib resource objects or plain ints."""
    while hasattr(resource, "id"):
        resource = resource.id
    return int(resource)


def _bytes(prop: Any) -> bytes:
    value = prop.value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("latin-1")
    return array("I" if prop.format == 32 else "H", value).tobytes()


def _values(t: Target) -> Any:
    if t.format == 8:
        return t.data
    return array("I" if t.format == 32 else "H", t.data).tolist()
