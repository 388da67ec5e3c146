"""Getting a transcript to the user: typing, pasting, the clipboard, and the focus guard."""

from trayassist.platform.output.clipboard import (
    HINT_TARGETS,
    Clipboard,
    NoClipboard,
    Snapshot,
    X11Clipboard,
)
from trayassist.platform.output.focus import TERMINALS, FocusTracker
from trayassist.platform.output.keyboard import Keyboard
from trayassist.platform.output.shell import RunResult, Shell, SubprocessShell
from trayassist.platform.output.text_output import MODES, OutputResult, TextOutput, make_clipboard

__all__ = [
    "HINT_TARGETS", "MODES", "TERMINALS", "Clipboard", "FocusTracker", "Keyboard", "NoClipboard",
    "OutputResult", "RunResult", "Shell", "Snapshot", "SubprocessShell", "TextOutput",
    "X11Clipboard", "make_clipboard",
]
