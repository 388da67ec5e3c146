from __future__ import annotations

import pytest

from trayassist.core.assistant import Assistant

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "mode", "out"), [
    ("Type hello world.", "type", "hello world."),
    ("type Dear Sarah, thanks for the flowers.", "type", "Dear Sarah, thanks for the flowers."),
    ("Copy my address is 12 Elm Street.", "clipboard", "my address is 12 Elm Street."),
    ("copy to clipboard the meeting starts at noon", "clipboard", "the meeting starts at noon"),
    ("Type the following: see you tomorrow.", "type", "see you tomorrow."),
    ("Um, type what time is it", "type", "what time is it"),
])
def test_output_override(assistant: Assistant, text: str, mode: str, out: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.performed) == ("dictation", True)
    assert (r.output_override, r.output_text) == (mode, out)


@pytest.mark.parametrize("text", ["Copy that.", "type", "This type of bread is great.",
                                  "She copied the homework.", "copy this"])
def test_not_dictation_commands(assistant: Assistant, text: str) -> None:
    r = assistant.handle(text)
    assert r.skill is None and r.output_override is None
