"""Global push-to-talk hotkey: chord matching, hold/toggle/hybrid logic, per-OS backends."""

from trayassist.platform.hotkeys.backend import (
    CLI_HINT,
    BackendChoice,
    CliOnlyBackend,
    HotkeyBackend,
    HotkeyError,
    select_backend,
)
from trayassist.platform.hotkeys.chord import (
    Chord,
    ChordError,
    ChordMatcher,
    chord_from_keys,
    parse_chord,
)
from trayassist.platform.hotkeys.controller import MODES, HotkeyController

__all__ = [
    "CLI_HINT", "MODES", "BackendChoice", "Chord", "ChordError", "ChordMatcher",
    "CliOnlyBackend", "HotkeyBackend", "HotkeyController", "HotkeyError", "chord_from_keys",
    "parse_chord",
    "select_backend",
]
