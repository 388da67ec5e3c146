"""Chord parsing and matching: exact keys only, left/right equivalent, repeats ignored."""

from __future__ import annotations

import pytest

from trayassist.platform.hotkeys.chord import (
    Chord,
    ChordError,
    ChordMatcher,
    chord_from_keys,
    parse_chord,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "keys", "canonical"),
    [
        ("ctrl+alt+space", {"ctrl", "alt", "space"}, "ctrl+alt+space"),
        ("Ctrl+Shift+X", {"ctrl", "shift", "x"}, "ctrl+shift+x"),
        ("super+h", {"super", "h"}, "super+h"),
        ("Control + Alt + Space", {"ctrl", "alt", "space"}, "ctrl+alt+space"),
        ("alt+ctrl+SPACE", {"ctrl", "alt", "space"}, "ctrl+alt+space"),
        ("Meta+H", {"super", "h"}, "super+h"),
        ("cmd+shift+5", {"super", "shift", "5"}, "shift+super+5"),
        ("ctrl_r+alt_l+f9", {"ctrl", "alt", "f9"}, "ctrl+alt+f9"),
        ("f9", {"f9"}, "f9"),
        ("ctrl++", {"ctrl", "+"}, "ctrl++"),
        ("ctrl+alt", {"ctrl", "alt"}, "ctrl+alt"),
        ("Ctrl+Return", {"ctrl", "enter"}, "ctrl+enter"),
    ],
)
def test_parse_accepts_and_normalises(text: str, keys: set[str], canonical: str) -> None:
    chord = parse_chord(text)
    assert chord.keys == frozenset(keys)
    assert str(chord) == canonical
    assert parse_chord(str(chord)) == chord  # canonical form round-trips


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ctrl+", "empty key"),
        ("ctrl++alt", "empty key"),
        ("ctrl+ctrl_r+x", "twice"),
        ("ctrl+a+b", "more than one"),
        ("ctrl+bogus", "unknown key"),
        ("x", "needs a modifier"),
    ],
)
def test_parse_rejects_with_reason(text: str, reason: str) -> None:
    with pytest.raises(ChordError, match=reason):
        parse_chord(text)


def test_portal_trigger_uses_shortcuts_spec_names() -> None:
    assert parse_chord("ctrl+alt+space").portal_trigger() == "CTRL+ALT+space"
    assert parse_chord("super+shift+f9").portal_trigger() == "SHIFT+LOGO+F9"
    assert parse_chord("ctrl+enter").portal_trigger() == "CTRL+Return"


class Recorder:
    def __init__(self, chord: str) -> None:
        self.events: list[str] = []
        self.matcher = ChordMatcher(
            parse_chord(chord), lambda: self.events.append("press"),
            lambda: self.events.append("release"),
        )

    def feed(self, spec: str) -> list[str]:
        """spec like "+ctrl_l +alt_l +space -space": + is down, - is up."""
        self.matcher.feed(("down" if t[0] == "+" else "up", t[1:]) for t in spec.split())
        return self.events


def test_exact_chord_fires_press_then_release_once() -> None:
    r = Recorder("ctrl+alt+space")
    assert r.feed("+ctrl_l +alt_l +space -space -alt_l -ctrl_l") == ["press", "release"]


def test_press_order_does_not_matter() -> None:
    r = Recorder("ctrl+alt+space")
    assert r.feed("+space +alt_r +ctrl_r") == ["press"]


def test_extra_modifier_does_not_fire_smaller_chord() -> None:
    r = Recorder("ctrl+x")
    assert r.feed("+ctrl_l +shift_l +x -x -shift_l -ctrl_l") == []


def test_extra_modifier_does_not_fire_for_ctrl_alt_space() -> None:
    r = Recorder("ctrl+alt+space")
    assert r.feed("+ctrl_l +shift_l +alt_l +space -space -alt_l -shift_l -ctrl_l") == []


def test_missing_modifier_does_not_fire() -> None:
    r = Recorder("ctrl+shift+x")
    assert r.feed("+ctrl_l +x -x -ctrl_l") == []


def test_wrong_key_does_not_fire() -> None:
    r = Recorder("ctrl+alt+space")
    assert r.feed("+ctrl_l +alt_l +enter -enter +space") == ["press"]  # enter up first


def test_left_and_right_modifiers_are_equivalent() -> None:
    r = Recorder("ctrl+alt+space")
    assert r.feed("+ctrl_r +alt_r +space -space") == ["press", "release"]


def test_auto_repeat_does_not_restart() -> None:
    r = Recorder("ctrl+alt+space")
    r.feed("+ctrl_l +alt_l +space")
    r.feed(" ".join(["+space"] * 30))  # held: the X server repeats the key down
    assert r.events == ["press"]
    assert r.feed("-space") == ["press", "release"]


def test_release_fires_on_first_chord_key_up_in_any_order() -> None:
    for first_up in ("ctrl_l", "alt_l", "space"):
        r = Recorder("ctrl+alt+space")
        r.feed(f"+ctrl_l +alt_l +space -{first_up}")
        assert r.events == ["press", "release"], first_up
        r.feed("-ctrl_l -alt_l -space")
        assert r.events == ["press", "release"], first_up


def test_both_ctrl_keys_held_lifting_one_keeps_chord() -> None:
    r = Recorder("ctrl+space")
    r.feed("+ctrl_l +ctrl_r +space")
    # Two ctrls down means held set == {ctrl, space}: still the chord.
    assert r.events == ["press"]
    assert r.feed("-ctrl_l") == ["press"]
    assert r.feed("-ctrl_r") == ["press", "release"]


def test_extra_key_while_held_keeps_listening_until_chord_key_up() -> None:
    r = Recorder("ctrl+alt+space")
    r.feed("+ctrl_l +alt_l +space +shift_l -shift_l")
    assert r.events == ["press"]
    assert r.feed("-alt_l") == ["press", "release"]


def test_retap_key_with_modifiers_held_fires_again() -> None:
    r = Recorder("ctrl+alt+space")
    r.feed("+ctrl_l +alt_l +space -space +space -space")
    assert r.events == ["press", "release", "press", "release"]


def test_key_up_without_down_is_ignored() -> None:
    r = Recorder("ctrl+alt+space")
    assert r.feed("-space -ctrl_l +ctrl_l +alt_l +space") == ["press"]


def test_modifier_only_chord() -> None:
    r = Recorder("ctrl+alt")
    assert r.feed("+alt_l +ctrl_l -ctrl_l") == ["press", "release"]


def test_reset_releases_and_forgets_stuck_keys() -> None:
    r = Recorder("ctrl+alt+space")
    r.feed("+ctrl_l +alt_l +space")
    r.matcher.reset()
    assert r.events == ["press", "release"]
    assert r.matcher.held() == frozenset()
    r.feed("+ctrl_l +alt_l +space")
    assert r.events == ["press", "release", "press"]


def test_shifted_letter_matches_lowercase_chord_key() -> None:
    r = Recorder("ctrl+shift+x")
    assert r.feed("+ctrl_l +shift_l +X -X") == ["press", "release"]


def test_chord_modifiers_and_key() -> None:
    chord = parse_chord("ctrl+alt+space")
    assert chord.modifiers == frozenset({"ctrl", "alt"})
    assert chord.key == "space"
    assert Chord(frozenset({"ctrl", "alt"})).key is None


def test_key_released_under_another_name_does_not_stick() -> None:
    r = Recorder("ctrl+alt+space")
    # Down as meta_l (Shift held turns Alt into Meta on X11), up as alt_l.
    r.feed("+ctrl_l +shift_l +meta_l +space -ctrl_l -shift_l -alt_l -space")
    assert r.events == [] and r.matcher.held() == frozenset()
    assert r.feed("+ctrl_l +alt_l +space") == ["press"]


def test_chord_from_recorded_keys() -> None:
    assert str(chord_from_keys(["Control_R", "Alt_L", "space"])) == "ctrl+alt+space"
    assert str(chord_from_keys(["shift_l", "X", "ctrl_l"])) == "ctrl+shift+x"
    assert str(chord_from_keys(["ctrl_l", "plus"])) == "ctrl++"
    with pytest.raises(ChordError, match="no keys"):
        chord_from_keys([])
    with pytest.raises(ChordError, match="needs a modifier"):
        chord_from_keys(["q"])


@pytest.mark.parametrize(
    ("qt_text", "canonical"),
    [  # QKeySequence.toString(PortableText) spellings, as a settings dialog records them
        ("Ctrl+Alt+Space", "ctrl+alt+space"),
        ("Meta+H", "super+h"),
        ("Ctrl+PgDown", "ctrl+page_down"),
        ("Shift+Ins", "shift+insert"),
        ("Ctrl+Esc", "ctrl+escape"),
        ("Alt+NumLock", "alt+num_lock"),
        ("Ctrl+Shift+F12", "ctrl+shift+f12"),
    ],
)
def test_qt_key_sequence_strings_parse(qt_text: str, canonical: str) -> None:
    assert str(parse_chord(qt_text)) == canonical
