"""The app's side of the X11 selection-owner helper (x11_owner.py): start it, ask, hear events."""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
import threading
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import IO, Any

log = logging.getLogger(__name__)

OWNER_MODULE = "trayassist.platform.output.x11_owner"
OWNER_FLAG = "--x11-selection-owner"  # the frozen app runs the helper with this (trayassist_main.py)


def owner_command() -> list[str]:
    """argv of the helper. No user text here: it travels over the helper's stdin."""
    if getattr(sys, "frozen", False):
        return [sys.executable, OWNER_FLAG]
    return [sys.executable, "-m", OWNER_MODULE]


@dataclass(frozen=True)
class SelectionTarget:
    """One target (X11) or MIME type (Wayland) with the data served for it."""

    name: str
    data: bytes
    type: str = ""  # the reply type; defaults to the target's own name
    format: int = 8

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type or self.name, "format": self.format,
                "data": base64.b64encode(self.data).decode("ascii")}



@dataclass
class _Ownership:
    fetched: list[str] = field(default_factory=list)
    lost: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)


class HelperError(RuntimeError):
    """The helper could not be started or answered an error."""


class X11Selections:
    """Owns X selections through one long-lived helper process, started on first use.

    A separate process rather than a thread or Qt: it serves pastes while our GUI thread
    is busy, it keeps what we copied (and the user's restored clipboard) alive after the
    app quits, as xclip would, and user text reaches it over a pipe, never argv.
    """

    def __init__(self, env: Mapping[str, str], command: Sequence[str] | None = None,
                 timeout: float = 5.0) -> None:
        self._env = dict(env)
        self._command = list(command) if command is not None else owner_command()
        self._timeout = timeout
        self._lock = threading.Lock()
        self._alive = False
        self._stdin: IO[bytes] | None = None
        self._next = 0
        self._waiting: dict[int, Future[dict[str, Any]]] = {}
        self._owned: dict[int, _Ownership] = {}
        self._ready: Future[dict[str, Any]] | None = None

    # ---- the process ---------------------------------------------------------------
    def start(self) -> None:
        """Start the helper if it is not running (cheap when it is); raises HelperError."""
        with self._lock:
            if self._alive:
                return
            try:
                proc = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=self._env, close_fds=True,
                                        start_new_session=True)
            except OSError as exc:
                raise HelperError(f"the clipboard helper could not start: {exc.strerror}") from exc
            try:
                proc.wait(self._timeout)  # it forks and exits at once; its copy keeps the pipes
            except subprocess.TimeoutExpired:
                pass  # an unforking stand-in: it stays our child
            assert proc.stdin is not None and proc.stdout is not None
            self._stdin, self._alive = proc.stdin, True
            # Close our end when this object goes, so nothing is left to the garbage collector.
            weakref.finalize(self, _close_quietly, proc.stdin)
            self._ready = Future()
            threading.Thread(target=self._read, args=(proc.stdout, self._ready),
                             name="x11-selection-reader", daemon=True).start()

    def _ensure_ready(self) -> None:
        self.start()
        assert self._ready is not None
        try:
            first = self._ready.result(self._timeout)
        except FutureTimeout as exc:
            raise HelperError("the clipboard helper did not start in time") from exc
        if first.get("event") != "ready":
            raise HelperError(f"the clipboard helper failed: {first.get('message', 'no display')}")

    def _read(self, out: IO[bytes], ready: Future[dict[str, Any]]) -> None:
        with out:
            self._read_lines(out, ready)
        self._alive = False
        if not ready.done():
            ready.set_result({"event": "error", "message": "it exited"})
        for waiter in list(self._waiting.values()):  # the helper died: nobody will answer
            if not waiter.done():
                waiter.set_result({"ok": False, "error": "the clipboard helper exited"})
        self._waiting.clear()

    def _read_lines(self, out: IO[bytes], ready: Future[dict[str, Any]]) -> None:
        for line in out:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if not ready.done():
                ready.set_result(msg)
            elif "id" in msg:
                waiter = self._waiting.pop(msg["id"], None)
                if waiter is not None:
                    waiter.set_result(msg)
            elif msg.get("event") in ("fetched", "lost"):
                self._on_event(msg)

    def _on_event(self, msg: Mapping[str, Any]) -> None:
        own = self._owned.get(int(msg.get("own", -1)))
        if own is None:
            return
        with own.changed:
            if msg["event"] == "lost":
                own.lost = True
            else:
                own.fetched.append(str(msg.get("target")))
            own.changed.notify_all()

    def _call(self, op: str, track: bool = False, **args: Any) -> dict[str, Any]:
        self._ensure_ready()
        with self._lock:
            self._next += 1
            rid = self._next
            waiter: Future[dict[str, Any]] = Future()
            self._waiting[rid] = waiter
            if track:  # an ownership's events may arrive right after the reply
                self._owned[rid] = _Ownership()
            line = json.dumps({"id": rid, "op": op, **args}).encode() + b"\n"
            try:
                assert self._stdin is not None
                self._stdin.write(line)
                self._stdin.flush()
            except (OSError, ValueError) as exc:
                self._waiting.pop(rid, None)
                raise HelperError("the clipboard helper exited") from exc
        try:
            reply = waiter.result(self._timeout)
        except FutureTimeout as exc:
            self._waiting.pop(rid, None)
            raise HelperError(f"the clipboard helper did not answer {op}") from exc
        reply.setdefault("id", rid)
        return reply

    def close(self) -> None:
        """Let the helper go: it keeps serving what it owns until another program copies."""
        with self._lock:
            if self._stdin is not None:
                _close_quietly(self._stdin)
            self._stdin, self._alive = None, False

    # ---- selections ----------------------------------------------------------------
    def own(self, selection: str, targets: Sequence[SelectionTarget]) -> int:
        """Become the owner offering `targets`; returns the ownership's id (its fetches and
        loss are tracked until forget()). Raises HelperError."""
        reply = self._call("own", track=True, selection=selection, targets=[t.to_json() for t in targets])
        serial = int(reply["id"])
        if not reply.get("ok"):
            self._owned.pop(serial, None)
            raise HelperError(f"could not own the {selection.lower()} selection")
        return serial

    def replace(self, selection: str, targets: Sequence[SelectionTarget] | int, if_own: int) -> bool:
        """Offer `targets` (or snapshot id `targets`, kept in the helper) instead, only while
        ownership `if_own` holds: False when someone copied since (theirs stays). Not
        tracked. Raises HelperError."""
        what: dict[str, Any] = {"snapshot": targets} if isinstance(targets, int) else \
            {"targets": [t.to_json() for t in targets]}
        reply = self._call("own", selection=selection, if_own=if_own, **what)
        if not reply.get("ok") and not reply.get("skipped"):
            raise HelperError(f"could not own the {selection.lower()} selection")
        return bool(reply.get("ok"))

    def snapshot(self, selection: str, data: bool = False) -> tuple[bool, list[SelectionTarget], int]:
        """(complete, targets, snapshot id) of the current owner; no targets when empty.

        The data stays in the helper (restore by the id) unless `data` asks for it: then
        each target's data is filled in, else it is b"".
        """
        reply = self._call("snapshot", selection=selection, data=data)
        if not reply.get("ok"):
            raise HelperError(str(reply.get("error", "snapshot failed")))
        targets = [SelectionTarget(str(t["name"]), base64.b64decode(t.get("data", "")), str(t["type"]),
                                   int(t["format"])) for t in reply["targets"]]
        return bool(reply.get("complete")), targets, int(reply["id"])

    def clear(self, selection: str, serial: int) -> bool:
        """Empty the selection if it still holds ownership `serial` (nobody copied since)."""
        self._owned.pop(serial, None)
        return bool(self._call("clear", selection=selection, own=serial).get("cleared"))

    def wait_fetched(self, serial: int, targets: frozenset[str], since: int, timeout: float) -> bool:
        """True once a requestor fetched one of `targets` (after the first `since` fetches)."""
        own = self._owned.get(serial)
        if own is None:
            return False
        with own.changed:
            return own.changed.wait_for(
                lambda: own.lost or any(t in targets for t in own.fetched[since:]), timeout) \
                and any(t in targets for t in own.fetched[since:])

    def fetch_count(self, serial: int) -> int:
        own = self._owned.get(serial)
        return len(own.fetched) if own is not None else 0

    def forget(self, serial: int) -> None:
        self._owned.pop(serial, None)


def _close_quietly(f: IO[bytes]) -> None:
    try:
        f.close()
    except OSError:
        pass
