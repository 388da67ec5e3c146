"""Global hotkey through the XDG GlobalShortcuts portal (Wayland), over D-Bus with jeepney.

PortalProtocol is the pure message logic (unit-tested against D-Bus fixtures);
PortalBackend owns the connection and a receive thread. Not verified against a live
Wayland compositor here: only against fixtures and a stand-in portal on a private bus.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, new_method_call
from jeepney.low_level import Message

from trayassist.platform.hotkeys.backend import Callback, HotkeyBackend, HotkeyError
from trayassist.platform.hotkeys.chord import Chord

log = logging.getLogger(__name__)

PORTAL_BUS = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS_IFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST_IFACE = "org.freedesktop.portal.Request"
SESSION_IFACE = "org.freedesktop.portal.Session"
REGISTRY_IFACE = "org.freedesktop.host.portal.Registry"
SHORTCUT_ID = "push-to-talk"
PORTAL = DBusAddress(PORTAL_PATH, bus_name=PORTAL_BUS, interface=SHORTCUTS_IFACE)
_RESPONSE_CODES = {1: "the request was cancelled", 2: "the portal refused the request"}


def request_path(unique_name: str, token: str) -> str:
    """Where the portal puts the Request object for a call made with handle_token=token."""
    sender = unique_name.lstrip(":").replace(".", "_")
    return f"{PORTAL_PATH}/request/{sender}/{token}"


def match_rules() -> list[MatchRule]:
    return [
        MatchRule(type="signal", sender=PORTAL_BUS, interface=REQUEST_IFACE, member="Response"),
        MatchRule(type="signal", sender=PORTAL_BUS, interface=SHORTCUTS_IFACE),
        MatchRule(type="signal", sender=PORTAL_BUS, interface=SESSION_IFACE, member="Closed"),
    ]


def _variant(results: Any, key: str) -> Any:
    # jeepney decodes a{sv} values as (signature, value) pairs.
    item = results.get(key) if isinstance(results, dict) else None
    return item[1] if isinstance(item, tuple) and len(item) == 2 else None


class PortalProtocol:
    """CreateSession -> BindShortcuts -> Activated/Deactivated as press/release.

    `send(message) -> serial` transmits a call. `handle(message)` consumes every message
    received on the connection; callbacks run on the thread calling handle().
    """

    def __init__(
        self,
        unique_name: str,
        chord: Chord,
        send: Callable[[Message], int],
        on_press: Callback,
        on_release: Callback,
        token: Callable[[str], str] = lambda kind: f"trayassist_{kind}_{secrets.token_hex(4)}",
        description: str = "TrayAssist: push to talk",
        app_id: str | None = None,
    ) -> None:
        self.unique_name = unique_name
        self.app_id = app_id
        self.chord = chord
        self._send = send
        self._on_press = on_press
        self._on_release = on_release
        self._token = token
        self.description = description
        self.state = "new"  # new, creating, binding, bound, failed, closed
        self.error: str | None = None
        self.session_handle: str | None = None
        self.trigger: str | None = None  # what the desktop says triggers it, if anything
        self.active = False
        self._calls: dict[int, str] = {}  # serial -> "create" | "bind"
        self._requests: dict[str, str] = {}  # request object path -> "create" | "bind"

    def begin(self) -> None:
        if self.app_id:
            # Portals >= 1.19 identify unsandboxed apps only if they register first
            # (the id must match an installed <app_id>.desktop). Older portals answer
            # with an error, which is ignored: it is not a tracked call.
            registry = DBusAddress(PORTAL_PATH, bus_name=PORTAL_BUS, interface=REGISTRY_IFACE)
            self._send(new_method_call(registry, "Register", "sa{sv}", (self.app_id, {})))
        token = self._token("create")
        msg = new_method_call(PORTAL, "CreateSession", "a{sv}", ({
            "handle_token": ("s", token),
            "session_handle_token": ("s", self._token("session")),
        },))
        self._call("create", msg, token)
        self.state = "creating"

    def close_message(self) -> Message | None:
        if not self.session_handle:
            return None
        addr = DBusAddress(self.session_handle, bus_name=PORTAL_BUS, interface=SESSION_IFACE)
        return new_method_call(addr, "Close")

    def _call(self, kind: str, msg: Message, token: str) -> None:
        self._requests[request_path(self.unique_name, token)] = kind
        self._calls[self._send(msg)] = kind

    def _bind(self) -> None:
        token = self._token("bind")
        shortcut = (SHORTCUT_ID, {
            "description": ("s", self.description),
            "preferred_trigger": ("s", self.chord.portal_trigger()),
        })
        msg = new_method_call(PORTAL, "BindShortcuts", "oa(sa{sv})sa{sv}", (
            self.session_handle, [shortcut], "", {"handle_token": ("s", token)},
        ))
        self._call("bind", msg, token)
        self.state = "binding"

    def _fail(self, why: str) -> None:
        self.state = "failed"
        self.error = why
        log.warning("GlobalShortcuts portal: %s", why)
        self._set_active(False)

    def _set_active(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            (self._on_press if active else self._on_release)()

    def handle(self, msg: Message) -> None:
        hdr = msg.header
        kind = hdr.message_type
        if kind in (MessageType.method_return, MessageType.error):
            self._handle_reply(msg)
        elif kind == MessageType.signal:
            self._handle_signal(msg)

    def _handle_reply(self, msg: Message) -> None:
        from jeepney.low_level import HeaderFields

        call = self._calls.pop(msg.header.fields.get(HeaderFields.reply_serial, -1), None)
        if call is None:
            return
        if msg.header.message_type == MessageType.error:
            name = msg.header.fields.get(HeaderFields.error_name, "error")
            text = msg.body[0] if msg.body and isinstance(msg.body[0], str) else ""
            self._fail(f"{call} call failed: {name}: {text}".rstrip(": "))
            return
        # Portals older than 0.9 may not use the predictable path: trust the reply.
        handle = msg.body[0] if msg.body else None
        if isinstance(handle, str) and handle not in self._requests:
            self._requests = {p: k for p, k in self._requests.items() if k != call}
            self._requests[handle] = call

    def _handle_signal(self, msg: Message) -> None:
        from jeepney.low_level import HeaderFields

        fields = msg.header.fields
        iface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        path = fields.get(HeaderFields.path)
        if iface == REQUEST_IFACE and member == "Response":
            call = self._requests.pop(path, None)
            if call is not None:
                self._response(call, *msg.body)
        elif iface == SHORTCUTS_IFACE and member in ("Activated", "Deactivated"):
            session, shortcut_id = msg.body[0], msg.body[1]
            if session == self.session_handle and shortcut_id == SHORTCUT_ID:
                self._set_active(member == "Activated")
        elif iface == SHORTCUTS_IFACE and member == "ShortcutsChanged":
            if msg.body and msg.body[0] == self.session_handle:
                self._read_trigger(msg.body[1])
        elif iface == SESSION_IFACE and member == "Closed" and path == self.session_handle:
            self.state = "closed"
            self.error = "the desktop closed the shortcuts session"
            self.session_handle = None  # later signals for it are stale
            self._set_active(False)

    def _response(self, call: str, code: int, results: dict[str, Any]) -> None:
        if code != 0:
            self._fail(f"{call}: {_RESPONSE_CODES.get(code, f'response code {code}')}")
            return
        if call == "create":
            handle = _variant(results, "session_handle")
            if not isinstance(handle, str) or not handle:
                self._fail("create: the portal returned no session handle")
                return
            self.session_handle = handle
            self._bind()
        elif call == "bind":
            self._read_trigger(_variant(results, "shortcuts") or [])
            self.state = "bound"

    def _read_trigger(self, shortcuts: Any) -> None:
        for entry in shortcuts:
            if entry[0] == SHORTCUT_ID:
                self.trigger = _variant(entry[1], "trigger_description") or ""
                return
        self.trigger = None  # the user left it unassigned


class PortalBackend(HotkeyBackend):
    """Runs PortalProtocol on a session-bus connection; callbacks on its receive thread."""

    name = "portal"

    def __init__(self, env: Mapping[str, str], timeout_s: float = 30.0,
                 app_id: str | None = None) -> None:
        self._env = env
        self.app_id = app_id
        self.timeout_s = timeout_s  # BindShortcuts may wait for the user in a dialog
        self._conn: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.protocol: PortalProtocol | None = None

    def _address(self) -> str | None:
        addr = self._env.get("DBUS_SESSION_BUS_ADDRESS")
        if addr:
            return addr
        runtime = self._env.get("XDG_RUNTIME_DIR")
        return f"unix:path={runtime}/bus" if runtime else None

    def _connect(self) -> Any:
        from jeepney.io.blocking import open_dbus_connection

        addr = self._address()
        if addr is None:
            raise HotkeyError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        try:
            return open_dbus_connection(addr)
        except (OSError, ValueError) as exc:
            raise HotkeyError(f"cannot reach the D-Bus session bus: {exc}") from exc

    def available(self) -> tuple[bool, str]:
        try:
            conn = self._connect()
        except HotkeyError as exc:
            return False, str(exc)
        try:
            props = DBusAddress(PORTAL_PATH, bus_name=PORTAL_BUS,
                                interface="org.freedesktop.DBus.Properties")
            reply = conn.send_and_get_reply(
                new_method_call(props, "Get", "ss", (SHORTCUTS_IFACE, "version")), timeout=3)
            if reply.header.message_type == MessageType.error:
                return False, f"no GlobalShortcuts portal: {reply.body[0] if reply.body else ''}"
            return True, f"GlobalShortcuts portal version {reply.body[0][1]}"
        except TimeoutError:
            return False, "the desktop portal did not answer within 3 s"
        finally:
            conn.close()

    def start(self, chord: Chord, on_press: Callback, on_release: Callback,
              on_cancel: Callback | None = None) -> None:
        # The portal delivers only the bound shortcut: Escape cannot be seen without
        # binding it for the whole desktop, so cancel stays with the tray and the CLI.
        from jeepney.bus_messages import message_bus

        self.stop()
        conn = self._connect()

        def send(msg: Message) -> int:
            serial: int = next(conn.outgoing_serial)
            conn.send(msg, serial=serial)
            return serial

        proto = PortalProtocol(conn.unique_name, chord, send, on_press, on_release,
                               app_id=self.app_id)
        for rule in match_rules():
            send(message_bus.AddMatch(rule))  # processed before our calls: same connection
        ready = threading.Event()
        self._stopping.clear()
        self._conn, self.protocol = conn, proto
        self._thread = threading.Thread(
            target=self._run, args=(conn, proto, ready), name="portal-hotkey", daemon=True)
        proto.begin()
        self._thread.start()
        if not ready.wait(self.timeout_s):
            self.stop()
            raise HotkeyError(f"the portal did not bind the shortcut within {self.timeout_s:g} s")
        if proto.state != "bound":
            error = proto.error or proto.state
            self.stop()
            raise HotkeyError(f"GlobalShortcuts portal: {error}")
        log.info("portal hotkey bound (trigger %r)", proto.trigger)

    def _run(self, conn: Any, proto: PortalProtocol, ready: threading.Event) -> None:
        while not self._stopping.is_set():
            try:
                msg = conn.receive(timeout=0.25)
            except TimeoutError:
                continue
            except (OSError, ValueError):
                break  # connection closed by stop() or the bus went away
            try:
                proto.handle(msg)
            except Exception:  # a malformed message must not kill the hotkey
                log.exception("portal message handling failed")
            if proto.state in ("bound", "failed", "closed"):
                ready.set()
        if proto.state not in ("bound", "failed", "closed"):
            proto.state, proto.error = "failed", proto.error or "connection closed"
        ready.set()

    def stop(self) -> None:
        conn, proto, thread = self._conn, self.protocol, self._thread
        self._conn = self._thread = None
        self._stopping.set()
        if conn is not None and proto is not None:
            close = proto.close_message()
            if close is not None:
                try:
                    conn.send(close)
                except OSError:
                    pass
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        if conn is not None:
            conn.close()
