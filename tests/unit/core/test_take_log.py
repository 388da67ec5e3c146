"""The per-take log line: figures that tell a late or silent mic from unheard speech, and
never a word of what was said (promise 6)."""

from __future__ import annotations

import pytest

from trayassist.core.session import Utterance, describe_take

pytestmark = pytest.mark.unit


def test_a_heard_take_is_described_by_figures_and_a_word_count_only() -> None:
    utt = Utterance("the purple elephant dances", 3.31, 1.84, "tiny.en",
                    {"held": 3.4, "press_to_first_sample": 0.12, "release_to_text": 0.25}, 2)
    line = describe_take(utt)
    assert line == ("take: held 3.40 s, first audio 0.12 s after the press, 3.31 s captured, "
                    "1.84 s of speech, release to text 0.25 s: 4 words")
    assert not {"purple", "elephant", "dances"} & set(line.split())


def test_a_mic_that_never_delivered_reads_as_such_not_as_silence() -> None:
    utt = Utterance("", 0.0, 0.0, "tiny.en", {"held": 3.5, "press_to_first_sample": None}, 0, "no_speech")
    line = describe_take(utt)
    assert "first audio - after the press" in line and "0.00 s captured" in line
    assert line.endswith(": no_speech") and "release to text -" in line
