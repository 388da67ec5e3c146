"""Hallucination filters: stock phrases, tags, silent segments; real model on silence."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from tests.unit.core.transcribe.conftest import read_wav
from trayassist.core.transcribe.filters import FilterOptions, clean_segments, close_released_ending, is_stock_phrase


class Seg(NamedTuple):  # the fields of faster_whisper.transcribe.Segment the filter reads
    text: str
    avg_logprob: float = -0.2
    no_speech_prob: float = 0.01
    compression_ratio: float = 1.2


OPTS = FilterOptions()


@pytest.mark.unit
@pytest.mark.parametrize("text", [
    " Thanks for watching!", "[BLANK_AUDIO]", "(music)", " you", "♪♪",
    "Subtitles by the Amara.org community", "Thank you.", "[Music]",
])
def test_stock_phrases_from_a_low_confidence_segment_are_dropped(text: str) -> None:
    out, dropped = clean_segments([Seg(text, avg_logprob=-0.9, no_speech_prob=0.4)], OPTS)
    assert out == ""
    assert dropped == (text.strip(),)


@pytest.mark.unit
def test_a_confident_thank_you_is_kept_but_tags_never_are() -> None:
    assert clean_segments([Seg("Thank you.")], OPTS)[0] == "Thank you."
    assert clean_segments([Seg("[BLANK_AUDIO]")], OPTS)[0] == ""
    assert clean_segments([Seg("[BLANK_AUDIO] open the notes")], OPTS)[0] == "open the notes"


@pytest.mark.unit
def test_silent_and_looping_segments_are_dropped_real_speech_kept() -> None:
    segs = [Seg("Set a timer for five minutes."),
            Seg("la la la la la la", compression_ratio=3.1),
            Seg("Bye.", avg_logprob=-1.3, no_speech_prob=0.8)]
    assert clean_segments(segs, OPTS)[0] == "Set a timer for five minutes."


@pytest.mark.unit
def test_stock_phrase_detection_is_about_the_whole_text() -> None:
    assert is_stock_phrase("Thanks for watching.")
    assert not is_stock_phrase("Thanks for watching the kids tonight")
    assert not is_stock_phrase("Open the calculator")


@pytest.mark.model
def test_model_says_nothing_for_silence_and_hiss(engine) -> None:
    rng = np.random.default_rng(7)
    for audio in (np.zeros(16000 * 3, dtype=np.float32),
                  (rng.standard_normal(16000 * 3) * 0.003).astype(np.float32)):
        assert engine.transcribe(audio).result(60).text == ""


@pytest.mark.model
def test_model_still_transcribes_speech_through_the_filters(engine, speech_parts: list[Path]) -> None:
    text = engine.transcribe(read_wav(speech_parts[0])).result(60).text.lower()
    assert "remind" in text and "sister" in text


@pytest.mark.parametrize(("heard", "typed"), [
    ("I would like to write a note about the meeting...", "I would like to write a note about the meeting."),
    ("Open the calculator …", "Open the calculator."),
    ("Wait... then go.", "Wait... then go."),
    ("Is it done?...", "Is it done?"),
    ("...", "..."),
    ("Done.", "Done."),
])
def test_a_take_that_ends_in_an_ellipsis_ends_with_a_full_stop(heard: str, typed: str) -> None:
    assert close_released_ending(heard) == typed
