"""Transcripts as files: plain text, JSON with segment and word times, SubRip (.srt) and WebVTT (.vtt)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trayassist.core.transcribe.decoding import TimedSegment, TimedWord

FORMATS = ("txt", "json", "srt", "vtt")
# Common subtitle guidance (e.g. the BBC's and Netflix's): at most two lines of about 42
# characters, on screen for at most about 7 seconds.
LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 7.0
MIN_CUE_S = 0.5


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # may hold one line break


def cues(segments: Sequence[TimedSegment]) -> list[Cue]:
    """Segments cut at word times into readable cues, in order, never overlapping."""
    out: list[Cue] = []
    for seg in segments:
        out.extend(_split(seg))
    # In whole milliseconds (what the files hold): each cue at least MIN_CUE_S when there is
    # room, ending no later than the next one starts, and never before it starts.
    fixed: list[Cue] = []
    prev_end = 0
    for k, c in enumerate(out):
        start = max(round(c.start * 1000), prev_end)
        end = max(round(c.end * 1000), start + round(MIN_CUE_S * 1000))
        if k + 1 < len(out):
            end = min(end, max(round(out[k + 1].start * 1000), start + 1))
        fixed.append(Cue(start / 1000, end / 1000, c.text))
        prev_end = end
    return fixed


def _split(seg: TimedSegment) -> list[Cue]:
    limit = LINE_CHARS * MAX_LINES
    if not seg.words or (len(seg.text) <= limit and seg.end - seg.start <= MAX_CUE_S):
        return [Cue(seg.start, seg.end, _wrap(seg.text))]
    groups: list[list[TimedWord]] = [[]]
    for w in seg.words:
        group = groups[-1]
        text = " ".join(x.word for x in [*group, w])
        if group and (len(text) > limit or w.end - group[0].start > MAX_CUE_S):
            groups.append([w])
        else:
            group.append(w)
    return [Cue(g[0].start, g[-1].end, _wrap(" ".join(w.word for w in g))) for g in groups if g]


def _wrap(text: str) -> str:
    """Two balanced lines when the text is longer than one."""
    text = " ".join(text.split())
    if len(text) <= LINE_CHARS:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(segments: Sequence[TimedSegment]) -> str:
    blocks = [f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n"
              for n, c in enumerate(cues(segments), 1)]
    return "\n".join(blocks)


def to_vtt(segments: Sequence[TimedSegment]) -> str:
    # "-->" may not appear in a cue's text; Whisper never writes it, but keep the file valid.
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{c.text.replace('-->', '->')}\n"
              for c in cues(segments)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def segments_to_dicts(segments: Sequence[TimedSegment]) -> list[dict[str, Any]]:
    return [{"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text,
             "words": [{"start": round(w.start, 3), "end": round(w.end, 3), "word": w.word,
                        "probability": round(w.probability, 3)} for w in s.words]}
            for s in segments]


def render(fmt: str, text: str, segments: Sequence[TimedSegment], meta: dict[str, Any]) -> str:
    """One file's transcript in `fmt` (json: `meta` plus the segments)."""
    if fmt == "txt":
        return text + "\n"
    if fmt == "json":
        return json.dumps(meta | {"segments": segments_to_dicts(segments)}, ensure_ascii=False,
                          indent=2) + "\n"
    if fmt == "srt":
        return to_srt(segments)
    if fmt == "vtt":
        return to_vtt(segments)
    raise ValueError(f"unknown format {fmt!r}")
