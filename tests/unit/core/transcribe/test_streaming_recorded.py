"""The commit policy replayed on decodes recorded from the real model: tiny.en on espeak-ng
speech (the six test sentences, 0.1 s apart and 0.8 s apart), every call the live loop
made on `Agreement` (update, reopen at a cut, finish), in order. Recorded by running
`LiveTranscriber` on the model; replayed here without it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.speech import word_error_rate, words
from trayassist.core.transcribe.streaming import Agreement, Word

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).resolve().parents[3] / "data" / "streaming" / "decodes.json"
DISTINCT = ("sister", "calculator", "meeting", "library", "favourite", "timer")  # once per sentence


def recorded() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def as_words(rows: list[list[Any]]) -> list[Word]:
    return [Word(float(a), float(b), str(t)) for a, b, t in rows]


def replay(calls: list[dict[str, Any]], after_each: Any = None) -> Agreement:
    ag = Agreement()
    for call in calls:
        if "update" in call:
            ag.update(as_words(call["update"]), call["start"], call["until"])
        elif "finish" in call:
            ag.finish(None if call["finish"] is None else as_words(call["finish"]), call["start"])
        elif "reopen" in call:
            ag.reopen(call["reopen"])
        elif "force" in call:
            ag.force(call["force"])
        if after_each is not None:
            after_each(call, ag)
    return ag


@pytest.mark.parametrize("regime", ["continuous", "paused"])
def test_replaying_the_decodes_gives_the_text_the_live_loop_gave(regime: str) -> None:
    rec = recorded()[regime]
    assert replay(rec["calls"]).text == rec["text"]


@pytest.mark.parametrize("regime", ["continuous", "paused"])
def test_no_word_is_lost_or_doubled_where_the_buffer_was_cut(regime: str) -> None:
    rec = recorded()[regime]
    cuts = [c["reopen"] for c in rec["calls"] if "reopen" in c]
    assert cuts, "the recording should include cuts"
    ag = replay(rec["calls"])
    heard = words(ag.text)
    for word in DISTINCT:
        assert heard.count(word) <= 1, f"{word!r} doubled: {ag.text}"
    assert sum(heard.count(w) for w in DISTINCT) >= len(DISTINCT) - 1, ag.text
    for a, b in zip(ag.committed, ag.committed[1:], strict=False):
        assert b.start >= a.start - 0.3, (a, b)  # in the order they were said
        assert not (a.key == b.key and b.start < a.end - 0.05), (a, b)  # the same word twice at one place
    assert word_error_rate(rec["script"], ag.text) <= 0.25, ag.text


@pytest.mark.parametrize("regime", ["continuous", "paused"])
def test_committed_text_only_grows_except_what_a_cut_reopens(regime: str) -> None:
    rec = recorded()[regime]
    seen: list[list[str]] = []

    def check(call: dict[str, Any], ag: Agreement) -> None:
        now = [w.key for w in ag.committed]
        if seen and "reopen" not in call:
            assert now[: len(seen[-1])] == seen[-1], "committed words changed"
        seen.append(now)

    replay(rec["calls"], check)
