"""Strict readers for the subtitle files we write: an independent parser plus the format's rules."""

from __future__ import annotations

import re

SRT_TIME = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d),(\d{3})$")
VTT_TIME = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d)\.(\d{3})$")

Cue = tuple[float, float, str]


def _seconds(parts: tuple[str, ...]) -> float:
    h, m, s, ms = (int(p) for p in parts)
    return round(h * 3600 + m * 60 + s + ms / 1000, 3)


def _check_order(cues: list[Cue]) -> None:
    for k, (start, end, text) in enumerate(cues):
        assert start < end, f"cue {k + 1} ends before it starts"
        assert text.strip(), f"cue {k + 1} is empty"
        if k:
            assert start >= cues[k - 1][1], f"cue {k + 1} overlaps the one before"


def check_srt(text: str) -> list[Cue]:
    """Every block: its number (1, 2, …), a timing line, text lines; blank line between.
    The `srt` package must read the same cues."""
    import srt

    blocks = text.strip("\n").split("\n\n") if text.strip() else []
    cues: list[Cue] = []
    for n, block in enumerate(blocks, 1):
        lines = block.split("\n")
        assert lines[0] == str(n), f"block {n} is numbered {lines[0]!r}"
        m = SRT_TIME.match(lines[1])
        assert m, f"block {n}: bad timing line {lines[1]!r}"
        assert len(lines) >= 3 and all(line.strip() for line in lines[2:]), f"block {n}: no text"
        cues.append((_seconds(m.groups()[:4]), _seconds(m.groups()[4:]), "\n".join(lines[2:])))
    parsed = list(srt.parse(text, ignore_errors=False))
    assert [(round(p.start.total_seconds(), 3), round(p.end.total_seconds(), 3), p.content)
            for p in parsed] == [(round(a, 3), round(b, 3), t) for a, b, t in cues]
    _check_order(cues)
    return cues


def check_vtt(text: str) -> list[Cue]:
    """`WEBVTT` header, a blank line, then cues of a timing line and text; `webvtt-py`
    must read the same cues (it skips malformed ones silently, hence the count)."""
    import webvtt

    assert text.startswith("WEBVTT\n\n") or text == "WEBVTT\n\n", "no WEBVTT header"
    body = text[len("WEBVTT\n\n"):].strip("\n")
    cues: list[Cue] = []
    timings: list[tuple[str, ...]] = []
    for n, block in enumerate(body.split("\n\n") if body else [], 1):
        lines = block.split("\n")
        m = VTT_TIME.match(lines[0])
        assert m, f"cue {n}: bad timing line {lines[0]!r}"
        assert len(lines) >= 2 and all(line.strip() and "-->" not in line for line in lines[1:])
        cues.append((_seconds(m.groups()[:4]), _seconds(m.groups()[4:]), "\n".join(lines[1:])))
        timings.append(tuple(lines[0].split(" --> ")))
    parsed = list(webvtt.from_string(text))
    assert [(p.start, p.end, p.text) for p in parsed] == [(*t, c[2]) for t, c in zip(timings, cues, strict=True)]
    _check_order(cues)
    return cues
