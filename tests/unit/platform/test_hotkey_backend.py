"""Backend choice from the session environment, and pynput key name translation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from trayassist.platform.hotkeys.backend import (
    CliOnlyBackend,
    HotkeyBackend,
    select_backend,
    session_kind,
)
from trayassist.platform.hotkeys.chord import Chord
from trayassist.platform.hotkeys.pynput_backend import PynputBackend, key_name

pytestmark = pytest.mark.unit


class FakeBackend(HotkeyBackend):
    def __init__(self, name: str, ok: bool, why: str = "") -> None:
        self.name = name
        self._ok = ok
        self._why = why or ("fine" if ok else "broken")

    def available(self) -> tuple[bool, str]:
        return self._ok, self._why

    def start(self, chord: Chord, on_press, on_release, on_cancel=None) -> None:  # type: ignore[no-untyped-def]
        pass

    def stop(self) -> None:
        pass


def factories(**ok: bool) -> dict:  # type: ignore[type-arg]
    out = {name.replace("_", "-"): (lambda n=name, o=o: FakeBackend(n.replace("_", "-"), o))
           for name, o in ok.items()}
    out["cli-only"] = CliOnlyBackend
    return out


@pytest.mark.parametrize(
    ("env", "platform", "kind"),
    [
        ({"DISPLAY": ":0"}, "linux", "x11"),
        ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":1"}, "linux", "x11"),
        ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, "linux", "wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", "wayland"),
        ({}, "linux", "none"),
        ({"XDG_SESSION_TYPE": "tty"}, "linux", "none"),
        ({}, "win32", "windows"),
        ({}, "darwin", "macos"),
    ],
)
def test_session_kind(env: dict[str, str], platform: str, kind: str) -> None:
    assert session_kind(env, platform) == kind


def test_x11_picks_pynput() -> None:
    choice = select_backend({"DISPLAY": ":5"}, "linux", factories=factories(pynput=True))
    assert choice.backend.name == "pynput" and choice.session == "x11"
    assert choice.tried == [("pynput", True, "fine")]


def test_wayland_picks_portal_and_never_pynput() -> None:
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    choice = select_backend(env, "linux", factories=factories(pynput=True, portal=True))
    assert choice.backend.name == "portal"
    assert [t[0] for t in choice.tried] == ["portal"]


def test_wayland_without_portal_falls_back_to_cli_with_logged_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {"XDG_SESSION_TYPE": "wayland"}
    with caplog.at_level("WARNING"):
        choice = select_backend(env, "linux", factories=factories(portal=False))
    assert choice.backend.name == "cli-only"
    assert not choice.backend.is_global
    assert "fell back to cli-only" in caplog.text and "portal: broken" in caplog.text
    text = choice.describe()
    assert "hotkey backend: cli-only (session wayland)" in text
    assert "portal: unavailable - broken" in text
    assert "trayassist ptt toggle" in text


def test_no_display_is_cli_only() -> None:
    choice = select_backend({}, "linux", factories=factories(pynput=True, portal=True))
    assert choice.backend.name == "cli-only" and choice.session == "none"


def test_prefer_is_tried_first_then_normal_order() -> None:
    choice = select_backend({"DISPLAY": ":0"}, "linux", prefer="cli-only",
                            factories=factories(pynput=True))
    assert choice.backend.name == "cli-only"
    choice = select_backend({"DISPLAY": ":0"}, "linux", prefer="nonsense",
                            factories=factories(pynput=True))
    assert choice.backend.name == "pynput"
    assert choice.tried[0] == ("nonsense", False, "unknown backend")


def test_probe_that_raises_is_unavailable_not_fatal() -> None:
    class Boom(FakeBackend):
        def available(self) -> tuple[bool, str]:
            raise OSError("socket gone")

    facts = factories()
    facts["pynput"] = lambda: Boom("pynput", True)
    choice = select_backend({"DISPLAY": ":0"}, "linux", factories=facts)
    assert choice.backend.name == "cli-only"
    assert choice.tried[0] == ("pynput", False, "probe failed: socket gone")


def test_pynput_unavailable_without_display_on_linux() -> None:
    ok, why = PynputBackend({}, platform="linux").available()
    assert not ok and "DISPLAY" in why


def test_pynput_unavailable_on_a_dead_local_display() -> None:
    ok, why = PynputBackend({"DISPLAY": ":4093"}, platform="linux").available()
    assert not ok and "cannot open the X display :4093" in why


def test_real_default_factories_on_a_displayless_session() -> None:
    choice = select_backend({}, "linux")
    assert choice.backend.name == "cli-only"


@pytest.mark.parametrize(
    ("key", "name"),
    [
        (SimpleNamespace(name="ctrl_l"), "ctrl_l"),
        (SimpleNamespace(name="space"), "space"),
        (SimpleNamespace(name="cmd"), "cmd"),
        (SimpleNamespace(char="X", vk=88), "x"),
        (SimpleNamespace(char="!", vk=33), "1"),
        (SimpleNamespace(char="\x01", vk=65), "a"),
        (SimpleNamespace(char=None, vk=269025041), "vk269025041"),
        (SimpleNamespace(char=None, vk=None), None),
        (SimpleNamespace(char=None, vk=0xFFE7), "alt_l"),
    ],
)
def test_pynput_key_name(key: object, name: str | None) -> None:
    assert key_name(key) == name
