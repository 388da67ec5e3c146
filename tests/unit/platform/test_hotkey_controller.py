"""Hold, toggle and hybrid push-to-talk logic with an injected clock."""

from __future__ import annotations

import pytest

from trayassist.platform.hotkeys.chord import ChordMatcher, parse_chord
from trayassist.platform.hotkeys.controller import HotkeyController

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(mode: str) -> tuple[HotkeyController, list[str], Clock]:
    calls: list[str] = []
    clock = Clock()
    ctl = HotkeyController(mode, lambda: calls.append("start"), lambda: calls.append("stop"),
                           clock=clock)
    return ctl, calls, clock


def test_hold_starts_on_press_stops_on_release() -> None:
    ctl, calls, _ = make("hold")
    ctl.press()
    assert calls == ["start"] and ctl.listening
    ctl.release()
    assert calls == ["start", "stop"] and not ctl.listening


def test_hold_ignores_press_while_already_listening_from_tray() -> None:
    ctl, calls, _ = make("hold")
    ctl.sync(True)
    ctl.press()
    ctl.release()
    assert calls == [] and ctl.listening


def test_toggle_flips_on_each_press_and_ignores_release() -> None:
    ctl, calls, _ = make("toggle")
    ctl.press()
    ctl.release()
    assert calls == ["start"]
    ctl.press()
    ctl.release()
    assert calls == ["start", "stop"]


def test_toggle_respects_external_stop() -> None:
    ctl, calls, _ = make("toggle")
    ctl.press()
    ctl.sync(False)  # e.g. `trayassist ptt release` stopped it
    ctl.press()
    assert calls == ["start", "start"]


def test_hybrid_long_press_acts_as_hold() -> None:
    ctl, calls, clock = make("hybrid")
    ctl.press()
    clock.now += 1.5
    ctl.release()
    assert calls == ["start", "stop"]


def test_hybrid_tap_toggles_on_then_next_press_stops() -> None:
    ctl, calls, clock = make("hybrid")
    ctl.press()
    clock.now += 0.15
    ctl.release()
    assert calls == ["start"] and ctl.listening
    clock.now += 3.0
    ctl.press()
    assert calls == ["start", "stop"]
    clock.now += 2.0  # even a long second press only stops once
    ctl.release()
    assert calls == ["start", "stop"] and not ctl.listening


@pytest.mark.parametrize(("held", "stops"), [(0.39, False), (0.40, False), (0.41, True)])
def test_hybrid_threshold_boundary(held: float, stops: bool) -> None:
    ctl, calls, clock = make("hybrid")
    ctl.press()
    clock.now += held
    ctl.release()
    assert (calls == ["start", "stop"]) is stops


def test_release_without_press_does_nothing() -> None:
    for mode in ("hold", "toggle", "hybrid"):
        ctl, calls, _ = make(mode)
        ctl.release()
        assert calls == []


def test_set_mode_validates() -> None:
    ctl, _, _ = make("hold")
    ctl.set_mode("toggle")
    assert ctl.mode == "toggle"
    with pytest.raises(ValueError, match="hold, toggle, hybrid"):
        ctl.set_mode("sticky")
    with pytest.raises(ValueError):
        HotkeyController("bogus", lambda: None, lambda: None)


def test_callback_may_call_back_into_controller() -> None:
    ctl: HotkeyController
    calls: list[str] = []
    ctl = HotkeyController("hold", lambda: ctl.sync(True), lambda: calls.append("stop"))
    ctl.press()  # would deadlock with a non-reentrant lock
    ctl.release()
    assert calls == ["stop"]


def test_matcher_and_controller_held_chord_with_repeats_records_once() -> None:
    ctl, calls, clock = make("hold")
    m = ChordMatcher(parse_chord("ctrl+alt+space"), ctl.press, ctl.release)
    m.feed([("down", "ctrl_l"), ("down", "alt_l"), ("down", "space")])
    for _ in range(20):
        clock.now += 0.03
        m.key_down("space")
    m.key_up("ctrl_l")
    m.key_up("space")
    assert calls == ["start", "stop"]


def test_matcher_and_hybrid_tap_with_wrong_chord_in_between() -> None:
    ctl, calls, clock = make("hybrid")
    m = ChordMatcher(parse_chord("ctrl+alt+space"), ctl.press, ctl.release)
    m.feed([("down", "ctrl_l"), ("down", "alt_l"), ("down", "space"), ("up", "space")])
    m.feed([("down", "shift_l"), ("down", "space"), ("up", "space"), ("up", "shift_l")])
    assert calls == ["start"]  # ctrl+alt+shift+space is not the chord
    clock.now += 5
    m.feed([("down", "space")])
    assert calls == ["start", "stop"]


@pytest.mark.parametrize("mode", ["hold", "toggle", "hybrid"])
def test_escape_while_listening_cancels_and_the_release_then_does_nothing(mode: str) -> None:
    calls: list[str] = []
    ctl = HotkeyController(mode, lambda: calls.append("start"), lambda: calls.append("stop"),
                           on_cancel=lambda: calls.append("cancel"))
    matcher = ChordMatcher(parse_chord("ctrl+alt+space"), ctl.press, ctl.release, ctl.cancel)
    matcher.feed([("down", "ctrl"), ("down", "alt"), ("down", "space"), ("down", "esc"), ("up", "esc"),
                  ("up", "space"), ("up", "alt"), ("up", "ctrl")])
    assert calls == ["start", "cancel"] and not ctl.listening
    matcher.feed([("down", "esc"), ("up", "esc")])  # Escape when idle belongs to the focused app
    assert calls == ["start", "cancel"]
    matcher.feed([("down", "ctrl"), ("down", "alt"), ("down", "space")])  # the next press works
    assert calls == ["start", "cancel", "start"]


def test_a_chord_with_escape_keeps_escape_for_itself() -> None:
    calls: list[str] = []
    matcher = ChordMatcher(parse_chord("ctrl+escape"), lambda: calls.append("press"), lambda: calls.append("release"),
                           lambda: calls.append("cancel"))
    matcher.feed([("down", "ctrl"), ("down", "esc"), ("up", "esc")])
    assert calls == ["press", "release"]


def test_listening_with_no_key_held_is_announced_as_a_latch() -> None:
    calls: list[str] = []
    clock = Clock()
    toggle = HotkeyController("toggle", lambda: calls.append("start"), lambda: calls.append("stop"),
                              clock=clock, on_latch=lambda: calls.append("latch"))
    toggle.press()
    toggle.release()
    toggle.press()
    assert calls == ["start", "latch", "stop"]
    calls.clear()
    hybrid = HotkeyController("hybrid", lambda: calls.append("start"), lambda: calls.append("stop"),
                              clock=clock, on_latch=lambda: calls.append("latch"))
    hybrid.press()
    clock.now += 0.1
    hybrid.release()  # a tap: listening goes on without the key
    hybrid.press()
    assert calls == ["start", "latch", "stop"]
    calls.clear()
    hybrid.press()
    clock.now += 1.0
    hybrid.release()  # held: push-to-talk, no latch
    assert calls == ["start", "stop"]
