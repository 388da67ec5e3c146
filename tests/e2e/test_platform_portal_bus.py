"""PortalBackend over a real private D-Bus daemon, against a stand-in portal service.

The stand-in follows the GlobalShortcuts documentation; it checks our D-Bus plumbing
(match rules, request paths, threads), not the behaviour of a real desktop's portal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields, Message

from tests.support.dbus import private_bus
from tests.support.pulse import wait_for
from trayassist.platform.hotkeys.backend import HotkeyError
from trayassist.platform.hotkeys.chord import parse_chord
from trayassist.platform.hotkeys.portal import (
    PORTAL_BUS,
    PORTAL_PATH,
    REQUEST_IFACE,
    SHORTCUTS_IFACE,
    PortalBackend,
    request_path,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    try:
        with private_bus(tmp_path) as address:
            yield address
    except RuntimeError as exc:
        pytest.fail(str(exc))


class StandInPortal:
    """Owns org.freedesktop.portal.Desktop and answers like the documented portal."""

    def __init__(self, address: str, bind_code: int = 0) -> None:
        self.conn = open_dbus_connection(address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(PORTAL_BUS), timeout=5)
        assert reply.body == (1,)  # primary owner
        self.bind_code = bind_code
        self.bound: list[tuple[str, dict]] = []  # type: ignore[type-arg]
        self.session: str | None = None
        self.closed = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _send(self, msg: Message) -> None:
        with self._lock:
            self.conn.send(msg)

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
        f = msg.header.fields
        member, sender = f[HeaderFields.member], f[HeaderFields.sender]
        if member == "Get":
            self._send(new_method_return(msg, "v", (("u", 2),)))
        elif member == "CreateSession":
            opts = msg.body[0]
            path = request_path(sender, opts["handle_token"][1])
            escaped = sender.lstrip(":").replace(".", "_")
            self.session = f"{PORTAL_PATH}/session/{escaped}/{opts['session_handle_token'][1]}"
            self._send(new_method_return(msg, "o", (path,)))
            self._respond(path, 0, {"session_handle": ("s", self.session)})
        elif member == "BindShortcuts":
            session, shortcuts, _parent, opts = msg.body
            assert session == self.session
            self.bound = shortcuts
            path = request_path(sender, opts["handle_token"][1])
            self._send(new_method_return(msg, "o", (path,)))
            result = [(sid, {"trigger_description": info["preferred_trigger"]})
                      for sid, info in shortcuts]
            self._respond(path, self.bind_code, {"shortcuts": ("a(sa{sv})", result)})
        elif member == "Close" and f[HeaderFields.path] == self.session:
            self._send(new_method_return(msg))
            self.closed.set()

    def _respond(self, path: str, code: int, results: dict) -> None:  # type: ignore[type-arg]
        addr = DBusAddress(path, interface=REQUEST_IFACE)
        self._send(new_signal(addr, "Response", "ua{sv}", (code, results)))

    def emit(self, member: str, shortcut_id: str = "push-to-talk") -> None:
        addr = DBusAddress(PORTAL_PATH, interface=SHORTCUTS_IFACE)
        self._send(new_signal(addr, member, "osta{sv}", (self.session, shortcut_id, 1, {})))

    def shutdown(self) -> None:
        self._stop.set()
        self.thread.join(timeout=2)
        self.conn.close()


def test_backend_binds_and_turns_signals_into_press_release(bus: str) -> None:
    portal = StandInPortal(bus)
    backend = PortalBackend({"DBUS_SESSION_BUS_ADDRESS": bus}, timeout_s=10)
    events: list[str] = []
    threads: set[str] = set()

    def record(name: str) -> None:
        threads.add(threading.current_thread().name)
        events.append(name)

    try:
        assert backend.available() == (True, "GlobalShortcuts portal version 2")
        backend.start(parse_chord("ctrl+alt+space"), lambda: record("press"),
                      lambda: record("release"))
        assert portal.bound == [("push-to-talk", {
            "description": ("s", "TrayAssist: push to talk"),
            "preferred_trigger": ("s", "CTRL+ALT+space")})]
        assert backend.protocol is not None and backend.protocol.trigger == "CTRL+ALT+space"
        portal.emit("Activated", "another-app-shortcut")
        portal.emit("Activated")
        assert wait_for(lambda: events == ["press"], 5)
        portal.emit("Deactivated")
        assert wait_for(lambda: events == ["press", "release"], 5)
        assert threads == {"portal-hotkey"}
        backend.stop()
        assert portal.closed.wait(5)  # the session is closed on the portal side too
    finally:
        backend.stop()
        portal.shutdown()


def test_cancelled_bind_raises_with_reason(bus: str) -> None:
    portal = StandInPortal(bus, bind_code=1)
    backend = PortalBackend({"DBUS_SESSION_BUS_ADDRESS": bus}, timeout_s=10)
    try:
        with pytest.raises(HotkeyError, match="bind: the request was cancelled"):
            backend.start(parse_chord("super+h"), lambda: None, lambda: None)
    finally:
        backend.stop()
        portal.shutdown()


def test_bus_without_portal_is_unavailable(bus: str) -> None:
    ok, why = PortalBackend({"DBUS_SESSION_BUS_ADDRESS": bus}).available()
    assert not ok
    assert "no GlobalShortcuts portal" in why
