"""The GlobalShortcuts portal message handling, fed recorded D-Bus wire messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from jeepney.low_level import HeaderFields, Message, MessageType, Parser

from trayassist.platform.hotkeys.chord import parse_chord
from trayassist.platform.hotkeys.portal import (
    PortalBackend,
    PortalProtocol,
    match_rules,
    request_path,
)

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[2] / "data" / "dbus"
SESSION = "/org/freedesktop/portal/desktop/session/1_57/trayassist_session"


def fixture(name: str) -> Message:
    parser = Parser()
    parser.add_data((DATA / f"{name}.bin").read_bytes())
    msg = parser.get_next_message()
    assert msg is not None, name
    return msg


class Harness:
    def __init__(self, chord: str = "ctrl+alt+space", app_id: str | None = None,
                 first_serial: int = 10) -> None:
        self.first_serial = first_serial
        self.sent: list[Message] = []
        self.events: list[str] = []
        self.proto = PortalProtocol(
            ":1.57", parse_chord(chord), self.send,
            lambda: self.events.append("press"), lambda: self.events.append("release"),
            token=lambda kind: f"trayassist_{kind}", app_id=app_id,
        )

    def send(self, msg: Message) -> int:
        self.sent.append(msg)
        # The fixtures answer serial 10 (CreateSession) and 11 (BindShortcuts).
        return self.first_serial - 1 + len(self.sent)

    def feed(self, *names: str) -> list[str]:
        for name in names:
            self.proto.handle(fixture(name))
        return self.events

    def bound(self) -> Harness:
        self.proto.begin()
        self.feed("create_session_return", "create_session_response", "bind_return",
                  "bind_response")
        assert self.proto.state == "bound"
        return self


def test_request_path_follows_the_portal_convention() -> None:
    assert request_path(":1.57", "tok") == "/org/freedesktop/portal/desktop/request/1_57/tok"


def test_create_session_call() -> None:
    h = Harness()
    h.proto.begin()
    (msg,) = h.sent
    f = msg.header.fields
    assert f[HeaderFields.destination] == "org.freedesktop.portal.Desktop"
    assert f[HeaderFields.interface] == "org.freedesktop.portal.GlobalShortcuts"
    assert f[HeaderFields.member] == "CreateSession"
    assert msg.body == ({"handle_token": ("s", "trayassist_create"),
                         "session_handle_token": ("s", "trayassist_session")},)
    assert h.proto.state == "creating"


def test_full_handshake_binds_with_preferred_trigger() -> None:
    h = Harness()
    h.proto.begin()
    h.feed("create_session_return", "create_session_response")
    assert h.proto.session_handle == SESSION
    bind = h.sent[1]
    assert bind.header.fields[HeaderFields.member] == "BindShortcuts"
    assert bind.header.fields[HeaderFields.signature] == "oa(sa{sv})sa{sv}"
    session, shortcuts, parent, options = bind.body
    assert session == SESSION and parent == ""
    assert shortcuts == [("push-to-talk", {
        "description": ("s", "TrayAssist: push to talk"),
        "preferred_trigger": ("s", "CTRL+ALT+space")})]
    assert options == {"handle_token": ("s", "trayassist_bind")}
    h.feed("bind_return", "bind_response")
    assert h.proto.state == "bound"
    assert h.proto.trigger == "Ctrl+Alt+Space"
    assert h.events == []


def test_the_sent_messages_serialise_to_valid_dbus() -> None:
    h = Harness()
    h.proto.begin()
    h.feed("create_session_response")
    for i, msg in enumerate(h.sent):
        parser = Parser()
        parser.add_data(msg.serialise(serial=50 + i))
        assert parser.get_next_message().body == msg.body  # type: ignore[union-attr]


def test_activated_and_deactivated_are_press_and_release() -> None:
    h = Harness().bound()
    assert h.feed("activated") == ["press"]
    assert h.feed("activated") == ["press"]  # a repeated Activated is not a second press
    assert h.feed("deactivated") == ["press", "release"]
    assert h.feed("deactivated") == ["press", "release"]


def test_other_shortcut_and_other_session_are_ignored() -> None:
    h = Harness().bound()
    assert h.feed("activated_other_shortcut", "activated_other_session") == []


def test_activation_before_session_exists_is_ignored() -> None:
    h = Harness()
    h.proto.begin()
    assert h.feed("activated") == []


def test_bind_cancelled_fails_with_reason() -> None:
    h = Harness()
    h.proto.begin()
    h.feed("create_session_response", "bind_response_cancelled")
    assert h.proto.state == "failed"
    assert h.proto.error == "bind: the request was cancelled"


def test_unassigned_shortcut_is_bound_without_trigger() -> None:
    h = Harness()
    h.proto.begin()
    h.feed("create_session_response", "bind_response_unassigned")
    assert h.proto.state == "bound" and h.proto.trigger is None


def test_portal_without_global_shortcuts_fails_on_error_reply() -> None:
    h = Harness()
    h.proto.begin()
    h.feed("create_unknown_interface")
    assert h.proto.state == "failed"
    assert "org.freedesktop.DBus.Error.UnknownMethod" in (h.proto.error or "")
    assert "No such interface" in (h.proto.error or "")


def test_error_for_unrelated_serial_is_ignored() -> None:
    h = Harness()  # no calls made: serial 10 is not ours
    h.feed("create_unknown_interface")
    assert h.proto.state == "new"


def test_shortcuts_changed_updates_trigger() -> None:
    h = Harness().bound()
    h.feed("shortcuts_changed")
    assert h.proto.trigger == "Super+F9"


def test_session_closed_while_held_releases() -> None:
    h = Harness().bound()
    h.feed("activated", "session_closed")
    assert h.events == ["press", "release"]
    assert h.proto.state == "closed"
    assert h.feed("activated") == ["press", "release"]


def test_response_on_unexpected_path_from_old_portal_is_followed() -> None:
    # An old portal returns a different request path in the method reply; the
    # Response signal then arrives on that path, which the reply taught us.
    h = Harness()
    h.proto.begin()
    reply = fixture("create_session_return")
    reply.body = ("/org/freedesktop/portal/desktop/request/1_57/legacy1",)
    h.proto.handle(reply)
    response = fixture("create_session_response")
    response.header.fields[HeaderFields.path] = "/org/freedesktop/portal/desktop/request/1_57/legacy1"
    h.proto.handle(response)
    assert h.proto.session_handle == SESSION and h.proto.state == "binding"


def test_close_message_targets_the_session() -> None:
    h = Harness()
    assert h.proto.close_message() is None
    h.bound()
    close = h.proto.close_message()
    assert close is not None
    assert close.header.fields[HeaderFields.path] == SESSION
    assert close.header.fields[HeaderFields.member] == "Close"
    assert close.header.message_type == MessageType.method_call


def test_match_rules_only_accept_the_portal() -> None:
    rules = [r.serialise() for r in match_rules()]
    assert all("sender='org.freedesktop.portal.Desktop'" in r for r in rules)
    assert any("member='Response'" in r for r in rules)


def test_backend_unavailable_without_a_session_bus() -> None:
    ok, why = PortalBackend({}).available()
    assert not ok and "DBUS_SESSION_BUS_ADDRESS" in why


def test_backend_unavailable_when_bus_socket_is_missing(tmp_path: Path) -> None:
    ok, why = PortalBackend({"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/nobus"}).available()
    assert not ok and "cannot reach the D-Bus session bus" in why


def test_register_app_id_first_and_ignore_its_error_reply() -> None:
    h = Harness(app_id="org.trayassist.TrayAssist", first_serial=9)
    h.proto.begin()
    register, create = h.sent
    assert register.header.fields[HeaderFields.interface] == "org.freedesktop.host.portal.Registry"
    assert register.body == ("org.trayassist.TrayAssist", {})
    assert create.header.fields[HeaderFields.member] == "CreateSession"
    # serial 9 (Register) errors on an old portal; serial 10 (CreateSession) goes on.
    error = fixture("create_unknown_interface")
    error.header.fields[HeaderFields.reply_serial] = 9
    h.proto.handle(error)
    assert h.proto.state == "creating"
    h.feed("create_session_response", "bind_response", "activated")
    assert h.proto.state == "bound" and h.events == ["press"]
