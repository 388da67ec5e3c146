"""Desktop notifications through org.freedesktop.Notifications (jeepney, no Qt).

Every notification is sent with the `transient` hint, so daemons that keep a history
(GNOME, KDE, dunst) let it go once shown. What a notification may say is decided by
the caller (`ui/notifier.py`): by default never the words the user said.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
URGENCY = {"info": 1, "warning": 1, "error": 2}  # low 0, normal 1, critical 2
EXPIRE_MS = 5000


def notify_body(title: str, message: str, level: str, app_name: str = "TrayAssist") -> tuple[Any, ...]:
    """The arguments of Notify (signature susssasa{sv}i)."""
    hints = {"transient": ("b", True), "urgency": ("y", URGENCY.get(level, 1)),
             "desktop-entry": ("s", "trayassist")}
    return (app_name, 0, "trayassist", title, message, [], hints, EXPIRE_MS)


class DesktopNotifications:
    """Sends notifications on the session bus; `available()` says whether a daemon listens.

    One connection, opened on first use and reopened after an error; calls are serialised.
    """

    def __init__(self, env: Mapping[str, str], connect: Callable[[], Any] | None = None) -> None:
        self._env = env
        self._connect = connect or self._open
        self._conn: Any = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        from jeepney.io.blocking import open_dbus_connection

        address = self._env.get("DBUS_SESSION_BUS_ADDRESS")
        if not address:
            raise OSError("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        return open_dbus_connection(bus=address)

    def available(self) -> bool:
        from jeepney.bus_messages import message_bus

        try:
            with self._lock:
                conn = self._connection()
                reply = conn.send_and_get_reply(message_bus.NameHasOwner(BUS_NAME), timeout=2)
            return bool(reply.body[0])
        except Exception as exc:  # no bus, no daemon: the tray balloon is used instead
            log.info("desktop notifications unavailable: %s", type(exc).__name__)
            self._drop()
            return False

    def send(self, title: str, message: str, level: str = "info") -> bool:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(PATH, bus_name=BUS_NAME, interface=BUS_NAME)
        call = new_method_call(address, "Notify", "susssasa{sv}i", notify_body(title, message, level))
        try:
            with self._lock:
                self._connection().send_and_get_reply(call, timeout=3)
            return True
        except Exception as exc:
            log.info("notification not sent: %s", type(exc).__name__)
            self._drop()
            return False

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def close(self) -> None:
        with self._lock:
            self._drop()
