"""Subtitle and JSON rendering from timed segments (no model): valid files, readable cues."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.subtitles import check_srt, check_vtt
from trayassist.core.transcribe.decoding import TimedSegment, TimedWord
from trayassist.core.transcribe.subtitles import LINE_CHARS, MAX_CUE_S, cues, render, to_srt, to_vtt

pytestmark = pytest.mark.unit


def segment(start: float, words: list[str] | str, step: float = 0.4) -> TimedSegment:
    if isinstance(words, str):
        words = words.split()
    timed = tuple(TimedWord(start + k * step, start + (k + 1) * step - 0.05, w, 0.9)
                  for k, w in enumerate(words))
    return TimedSegment(start, timed[-1].end if timed else start + 1, " ".join(words), timed)


SHORT = segment(0.5, "Hello there.")
LONG = segment(3.0, ("This sentence goes on and on for quite a while, much longer than a "
                     "subtitle should ever be on screen at once, so it must be cut."))


def test_srt_and_vtt_are_valid_and_carry_every_word() -> None:
    segs = [SHORT, LONG]
    srt_cues = check_srt(to_srt(segs))
    vtt_cues = check_vtt(to_vtt(segs))
    assert [(a, b) for a, b, _ in srt_cues] == [(a, b) for a, b, _ in vtt_cues]
    joined = " ".join(t.replace("\n", " ") for _, _, t in srt_cues)
    assert joined.split() == (SHORT.text + " " + LONG.text).split()
    assert srt_cues[0][:2] == (0.5, SHORT.end)


def test_long_segments_are_cut_at_word_times_into_short_two_line_cues() -> None:
    out = cues([LONG])
    assert len(out) >= 2
    for c in out:
        lines = c.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= LINE_CHARS + 12 for line in lines)
        assert c.end - c.start <= MAX_CUE_S
    starts = {w.start for w in LONG.words}
    assert all(c.start in starts for c in out)  # cut between words, at their times


def test_times_past_an_hour_and_millisecond_rounding() -> None:
    seg = TimedSegment(3725.0004, 3727.9996, "Late words.")
    assert "01:02:05,000 --> 01:02:08,000" in to_srt([seg])
    assert "01:02:05.000 --> 01:02:08.000" in to_vtt([seg])


def test_overlapping_or_instant_segments_still_make_a_valid_file() -> None:
    segs = [TimedSegment(1.0, 1.0, "blink"), TimedSegment(0.8, 2.0, "overlap"),
            TimedSegment(2.0, 2.1, "next")]
    check_srt(to_srt(segs))
    check_vtt(to_vtt(segs))


def test_no_speech_gives_empty_but_valid_files() -> None:
    assert check_srt(to_srt([])) == [] and check_vtt(to_vtt([])) == []


def test_json_has_segment_and_word_times() -> None:
    data = json.loads(render("json", "Hello there.", [SHORT], {"file": "a.wav", "text": "Hello there."}))
    assert data["file"] == "a.wav" and data["segments"][0]["text"] == "Hello there."
    words = data["segments"][0]["words"]
    assert [w["word"] for w in words] == ["Hello", "there."]
    assert words[0]["start"] == 0.5 and words[0]["end"] < words[1]["start"]


def test_txt_is_the_text() -> None:
    assert render("txt", "Hello.", [SHORT], {}) == "Hello.\n"
    with pytest.raises(ValueError):
        render("doc", "", [], {})


@st.composite
def timelines(draw: st.DrawFn) -> list[TimedSegment]:
    t = 0.0
    segs = []
    for _ in range(draw(st.integers(0, 8))):
        t += draw(st.floats(0, 5))
        n = draw(st.integers(1, 40))
        words = [draw(st.sampled_from(["a", "word", "longer-word", "Reykjavik,", "ok."])) for _ in range(n)]
        segs.append(segment(t, words, draw(st.floats(0.05, 1.0))))
        t = segs[-1].end - draw(st.floats(0, 0.5))  # Whisper's segments may overlap a little
    return segs


@settings(max_examples=150, deadline=None)
@given(timelines())
def test_any_timeline_renders_valid_files(segs: list[TimedSegment]) -> None:
    srt_cues = check_srt(to_srt(segs))
    check_vtt(to_vtt(segs))
    assert " ".join(t.replace("\n", " ") for _, _, t in srt_cues).split() == " ".join(s.text for s in segs).split()
