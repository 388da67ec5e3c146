"""Getting a transcript to the user: typing, pasting, the clipboard, and the focus guard."""

from trayassist.platform.output.clipboard import Clipboard
from trayassist.platform.output.focus import TERMINALS, FocusTracker
from trayassist.platform.output.keyboard import Keyboard
from trayassist.platform.output.shell import RunResult, Shell, SubprocessShell
from trayassist.platform.output.text_output import MODES, OutputResult, TextOutput

__all__ = [
    "MODES", "TERMINALS", "Clipboard", "FocusTracker", "Keyboard", "OutputResult",
    "RunResult", "Shell", "SubprocessShell", "TextOutput",
]
