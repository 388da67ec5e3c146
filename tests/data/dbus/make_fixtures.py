"""Writes the GlobalShortcuts portal D-Bus messages in tests/data/dbus/ as wire bytes.

These are hand-authored from the xdg-desktop-portal GlobalShortcuts and Request
documentation (version 2 of the interface), with the headers a session bus delivers
(sender = the portal's unique name, destination = ours). They were NOT captured from a
live portal: no Wayland session is available where they were made. Re-run with
`.venv/bin/python tests/data/dbus/make_fixtures.py` after changing anything here.
"""

from __future__ import annotations

import json
from pathlib import Path

from jeepney.low_level import Endianness, Header, HeaderFields, Message, MessageType

HERE = Path(__file__).parent
OURS = ":1.57"  # our unique name in these recordings
PORTAL_UNIQUE = ":1.12"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
REQ = f"{PORTAL_PATH}/request/1_57"
SESSION = f"{PORTAL_PATH}/session/1_57/trayassist_session"
GS = "org.freedesktop.portal.GlobalShortcuts"
CREATE_SERIAL, BIND_SERIAL = 10, 11  # serials of our CreateSession and BindShortcuts calls


def message(kind: MessageType, serial: int, signature: str, body: tuple, **fields: object) -> Message:
    f = {HeaderFields.sender: PORTAL_UNIQUE, HeaderFields.destination: OURS}
    for name, value in fields.items():
        f[HeaderFields[name]] = value
    if signature:
        f[HeaderFields.signature] = signature
    return Message(Header(Endianness.little, kind, 0, 1, 0, serial, f), body)


def signal(serial: int, path: str, iface: str, member: str, sig: str, body: tuple) -> Message:
    return message(MessageType.signal, serial, sig, body, path=path, interface=iface, member=member)


def reply(serial: int, to: int, sig: str, body: tuple) -> Message:
    return message(MessageType.method_return, serial, sig, body, reply_serial=to)


FIXTURES: dict[str, Message] = {
    "create_session_return": reply(301, CREATE_SERIAL, "o", (f"{REQ}/trayassist_create",)),
    "create_session_response": signal(
        302, f"{REQ}/trayassist_create", "org.freedesktop.portal.Request", "Response",
        "ua{sv}", (0, {"session_handle": ("s", SESSION)})),
    "bind_return": reply(303, BIND_SERIAL, "o", (f"{REQ}/trayassist_bind",)),
    "bind_response": signal(
        304, f"{REQ}/trayassist_bind", "org.freedesktop.portal.Request", "Response",
        "ua{sv}", (0, {"shortcuts": ("a(sa{sv})", [
            ("push-to-talk", {"description": ("s", "TrayAssist: push to talk"),
                              "trigger_description": ("s", "Ctrl+Alt+Space")}),
        ])})),
    "bind_response_unassigned": signal(
        304, f"{REQ}/trayassist_bind", "org.freedesktop.portal.Request", "Response",
        "ua{sv}", (0, {"shortcuts": ("a(sa{sv})", [])})),
    "bind_response_cancelled": signal(
        304, f"{REQ}/trayassist_bind", "org.freedesktop.portal.Request", "Response",
        "ua{sv}", (1, {})),
    "activated": signal(
        305, PORTAL_PATH, GS, "Activated", "osta{sv}", (SESSION, "push-to-talk", 1732690000123, {})),
    "deactivated": signal(
        306, PORTAL_PATH, GS, "Deactivated", "osta{sv}", (SESSION, "push-to-talk", 1732690001456, {})),
    "activated_other_shortcut": signal(
        307, PORTAL_PATH, GS, "Activated", "osta{sv}", (SESSION, "something-else", 1732690002000, {})),
    "activated_other_session": signal(
        308, PORTAL_PATH, GS, "Activated", "osta{sv}",
        (f"{PORTAL_PATH}/session/1_99/other", "push-to-talk", 1732690003000, {})),
    "shortcuts_changed": signal(
        309, PORTAL_PATH, GS, "ShortcutsChanged", "oa(sa{sv})", (SESSION, [
            ("push-to-talk", {"description": ("s", "TrayAssist: push to talk"),
                              "trigger_description": ("s", "Super+F9")}),
        ])),
    "session_closed": signal(
        310, SESSION, "org.freedesktop.portal.Session", "Closed", "a{sv}", ({},)),
    "create_unknown_interface": message(
        MessageType.error, 311, "s",
        ("No such interface \u201corg.freedesktop.portal.GlobalShortcuts\u201d",),
        reply_serial=CREATE_SERIAL, error_name="org.freedesktop.DBus.Error.UnknownMethod"),
}


def main() -> None:
    index = {}
    for name, msg in FIXTURES.items():
        data = msg.serialise()
        (HERE / f"{name}.bin").write_bytes(data)
        index[name] = {"bytes": len(data), "type": msg.header.message_type.name}
    (HERE / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
