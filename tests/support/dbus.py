"""A private D-Bus session bus for tests, and a stand-in notification daemon on it."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jeepney import MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields, Message


@contextmanager
def private_bus(directory: Path) -> Iterator[str]:
    """A dbus-daemon of our own; yields its address. RuntimeError when dbus-daemon is missing."""
    if not shutil.which("dbus-daemon"):
        raise RuntimeError("dbus-daemon missing (Debian package dbus)")
    sock = directory / "bus"
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1",
                             f"--address=unix:path={sock}"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()  # printed once the socket listens
        assert address.startswith("unix:"), address
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


class StandInNotifications:
    """Owns org.freedesktop.Notifications and records every Notify call, like a daemon
    that keeps a history would (GNOME, KDE, dunst all do)."""

    def __init__(self, address: str) -> None:
        self.conn = open_dbus_connection(address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"), timeout=5)
        assert reply.body == (1,)  # primary owner
        self.received: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self._stop = threading.Event()
        self._next_id = 1
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type == MessageType.method_call:
                self._call(msg)

    def _call(self, msg: Message) -> None:
        member = msg.header.fields[HeaderFields.member]
        if member == "Notify":
            app, _replaces, _icon, summary, body, _actions, hints, timeout = msg.body
            self.received.append({"app": app, "summary": summary, "body": body, "hints": hints,
                                  "timeout": timeout})
            self.conn.send(new_method_return(msg, "u", (self._next_id,)))
            self._next_id += 1
            self.arrived.set()
        elif member == "GetCapabilities":
            self.conn.send(new_method_return(msg, "as", (["body"],)))
        elif member == "GetServerInformation":
            self.conn.send(new_method_return(msg, "ssss", ("stand-in", "tests", "1", "1.2")))

    def text(self) -> str:
        return "\n".join(f"{n['summary']}\n{n['body']}" for n in self.received)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.conn.close()
