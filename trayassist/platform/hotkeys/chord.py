"""Hotkey chords: parse "ctrl+alt+space", and match key down/up events against one.

Key names are canonical lower-case strings ("ctrl", "alt", "shift", "super", "space",
"x", "f9"); backends translate their native events into these names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

MODIFIERS = ("ctrl", "alt", "shift", "super")

# Left/right variants and common spellings collapse to one name, so "ctrl_r" matches "ctrl".
_ALIASES: dict[str, str] = {
    "control": "ctrl", "ctl": "ctrl", "lctrl": "ctrl", "rctrl": "ctrl",
    "ctrl_l": "ctrl", "ctrl_r": "ctrl", "control_l": "ctrl", "control_r": "ctrl",
    "option": "alt", "lalt": "alt", "ralt": "alt", "alt_l": "alt", "alt_r": "alt",
    "meta_l": "alt", "meta_r": "alt",
    "lshift": "shift", "rshift": "shift", "shift_l": "shift", "shift_r": "shift",
    "win": "super", "windows": "super", "cmd": "super", "command": "super", "logo": "super",
    "meta": "super", "mod4": "super", "cmd_l": "super", "cmd_r": "super",
    "super_l": "super", "super_r": "super", "lsuper": "super", "rsuper": "super",
    "alt_gr": "altgr", "iso_level3_shift": "altgr",
    "return": "enter", "esc": "escape", "spacebar": "space", " ": "space",
    "del": "delete", "ins": "insert", "pgup": "page_up", "pageup": "page_up", "prior": "page_up",
    "pgdn": "page_down", "pgdown": "page_down", "pagedown": "page_down", "next": "page_down",
    "numlock": "num_lock", "sysreq": "print_screen",
    "backspace": "backspace", "caps_lock": "caps_lock", "capslock": "caps_lock",
    "scrolllock": "scroll_lock", "pause": "pause", "break": "pause",
    "print": "print_screen", "printscreen": "print_screen", "prtsc": "print_screen",
    "plus": "+", "minus": "-", "comma": ",", "period": ".", "slash": "/",
    "semicolon": ";", "apostrophe": "'", "grave": "`", "backslash": "\\",
    "bracketleft": "[", "bracketright": "]", "equal": "=",
}

# Named keys accepted in a chord besides single characters and modifiers.
NAMED_KEYS = frozenset(
    {"space", "enter", "tab", "escape", "backspace", "delete", "insert", "home", "end",
     "page_up", "page_down", "up", "down", "left", "right", "caps_lock", "scroll_lock",
     "num_lock", "pause", "print_screen", "menu", "altgr"}
    | {f"f{n}" for n in range(1, 25)}
)


class ChordError(ValueError):
    """A chord string that cannot be used as a hotkey."""


def normalize_key(name: str) -> str:
    """Canonical name of one key: lower case, left/right modifiers merged."""
    if len(name) == 1:
        lowered = name.lower()
        return _ALIASES.get(lowered, lowered)
    lowered = name.strip().lower().replace("-", "_")
    return _ALIASES.get(lowered, lowered)


@dataclass(frozen=True)
class Chord:
    """A set of keys that must be down together, nothing more and nothing less."""

    keys: frozenset[str]

    @property
    def modifiers(self) -> frozenset[str]:
        return frozenset(k for k in self.keys if k in MODIFIERS)

    @property
    def key(self) -> str | None:
        """The non-modifier key, or None for a modifier-only chord."""
        rest = self.keys - self.modifiers
        return next(iter(rest)) if rest else None

    def __str__(self) -> str:
        ordered = [m for m in MODIFIERS if m in self.keys]
        if self.key is not None:
            ordered.append(self.key)
        return "+".join(ordered)

    def portal_trigger(self) -> str:
        """The chord in the XDG "shortcuts" spec form used by the GlobalShortcuts portal."""
        names = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "super": "LOGO"}
        parts = [names[m] for m in MODIFIERS if m in self.keys]
        if self.key is not None:
            parts.append(_XKB_NAMES.get(self.key, self.key))
        return "+".join(parts)


# xkb keysym names for keys whose canonical name differs.
_XKB_NAMES = {
    "enter": "Return", "escape": "Escape", "backspace": "BackSpace", "delete": "Delete",
    "tab": "Tab", "page_up": "Prior", "page_down": "Next", "print_screen": "Print",
    "home": "Home", "end": "End", "insert": "Insert", "up": "Up", "down": "Down",
    "left": "Left", "right": "Right", "menu": "Menu", "pause": "Pause",
    **{f"f{n}": f"F{n}" for n in range(1, 25)},
}


def parse_chord(text: str) -> Chord:
    """Parse "Ctrl+Alt+Space"-style text; raises ChordError with a one-line reason."""
    if not isinstance(text, str) or not text.strip():
        raise ChordError("empty hotkey")
    raw = text.strip()
    # "ctrl++" means ctrl and the plus key.
    parts = raw[:-2].split("+") + ["+"] if raw.endswith("++") else raw.split("+")
    keys: list[str] = []
    for part in parts:
        if not part.strip() and part != " ":
            raise ChordError(f"empty key in hotkey {text!r}")
        name = normalize_key(part if len(part) == 1 else part.strip())
        if len(name) != 1 and name not in MODIFIERS and name not in NAMED_KEYS:
            raise ChordError(f"unknown key {part.strip()!r} in hotkey {text!r}")
        if name in keys:
            raise ChordError(f"key {name!r} appears twice in hotkey {text!r}")
        keys.append(name)
    others = [k for k in keys if k not in MODIFIERS]
    if len(others) > 1:
        raise ChordError(f"hotkey {text!r} has more than one non-modifier key")
    if not [k for k in keys if k in MODIFIERS] and others and len(others[0]) == 1:
        # A bare letter would fire while typing ordinary text.
        raise ChordError(f"hotkey {text!r} needs a modifier (ctrl, alt, shift or super)")
    return Chord(frozenset(keys))


def chord_from_keys(keys: Iterable[str]) -> Chord:
    """The chord for keys held together, e.g. as the settings dialog records them.

    Raises ChordError for the same combinations parse_chord() refuses.
    """
    names = {normalize_key(k) for k in keys}
    if not names:
        raise ChordError("no keys pressed")
    ordered = [m for m in MODIFIERS if m in names] + sorted(names - set(MODIFIERS))
    return parse_chord("+".join(ordered))


class ChordMatcher:
    """Turns a stream of key events into chord press/release callbacks.

    Press fires once when the set of held keys becomes exactly the chord; release fires
    once when any chord key goes up. A repeated down of a key already held (auto-repeat)
    is ignored. Physical keys are tracked by raw name, so holding both Ctrl keys and
    lifting one keeps "ctrl" held. Not thread-safe: feed it from one thread.
    """

    def __init__(
        self, chord: Chord, on_press: Callable[[], None], on_release: Callable[[], None],
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        self.chord = chord
        self._on_press = on_press
        self._on_release = on_release
        # Escape discards the utterance being spoken (the controller ignores it when idle);
        # a chord that contains Escape keeps it for itself.
        self._on_cancel = on_cancel if "escape" not in chord.keys else None
        self._down: set[str] = set()  # raw physical names, lower-cased
        self.active = False

    def held(self) -> frozenset[str]:
        return frozenset(normalize_key(k) for k in self._down)

    def key_down(self, raw: str) -> None:
        physical = raw.lower()
        if physical in self._down:
            return  # auto-repeat
        self._down.add(physical)
        if self._on_cancel is not None and normalize_key(raw) == "escape":
            self._on_cancel()
            return
        if not self.active and self.held() == self.chord.keys:
            self.active = True
            self._on_press()

    def key_up(self, raw: str) -> None:
        name = normalize_key(raw)
        physical = raw.lower()
        if physical in self._down:
            self._down.discard(physical)
        else:
            # Went down under another name (Shift turned Alt_L into Meta_L): drop the
            # same key by its canonical name so no phantom stays held.
            self._down -= {k for k in self._down if normalize_key(k) == name}
        if self.active and name in self.chord.keys and name not in self.held():
            self.active = False
            self._on_release()

    def feed(self, events: Iterable[tuple[str, str]]) -> None:
        """Replay ("down"|"up", key) pairs; handy for tests and the settings recorder."""
        for kind, key in events:
            (self.key_down if kind == "down" else self.key_up)(key)

    def reset(self) -> None:
        """Forget held keys (after a grab or focus loss hid some key-ups); releases if active."""
        self._down.clear()
        if self.active:
            self.active = False
            self._on_release()
