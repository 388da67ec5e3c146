"""The training tool's thresholds come from the whole assistant's out-of-fold decisions: a threshold
that lets unsupported requests act loses to one that misses a few commands."""

from __future__ import annotations

import pytest

from tools.intent_data import Example
from tools.intent_oof import Decided, chosen
from tools.train_intent_model import choose_thresholds

pytestmark = pytest.mark.unit
LABELS = ["time", "timers.set", "notes.remove", "none"]


def _row(source: str, label: str, p: float, proposed: str = "time", clarify: bool = False) -> Decided:
    skill = None if label == "none" else label.split(".")[0]
    acted = skill or proposed.split(".")[0]
    return Decided(Example("x", label, source), proposed, p, above=acted, below=None,
                   intent_above="time", clarify=clarify)


def test_chosen_follows_the_threshold_and_the_question_back_floor() -> None:
    d = _row("clinc:time", "time", 0.7)
    assert chosen(d, {"time": 0.6}) == "time"
    assert chosen(d, {"time": 0.8}) is None
    asks = _row("clinc:time", "time", 0.7, clarify=True)
    assert chosen(asks, {"time": 0.6, "clarify": 0.75}) is None
    assert chosen(asks, {"time": 0.6, "clarify": 0.65}) == "time"


def test_thresholds_rise_above_what_unsupported_requests_reach() -> None:
    rows = []
    for source in ("clinc:x", "slurp:x"):
        rows += [_row(source, "time", 0.95) for _ in range(10)]
        rows.append(_row(source, "time", 0.55))  # a command the model is unsure of
        rows += [_row(source, "none", 0.6) for _ in range(10)]  # look-alikes it is as unsure of
    th = choose_thresholds(rows, LABELS)
    assert 0.6 < th["time"] <= 0.95
    assert th["timers.set"] == th["time"]
    assert "notes.remove" not in th  # destructive labels keep their own rule
    assert [chosen(r, th) for r in rows].count(None) == 22  # the unsure command and every look-alike


def test_thresholds_stay_low_when_nothing_unsupported_reaches_them() -> None:
    rows = []
    for source in ("clinc:x", "slurp:x"):
        rows += [_row(source, "time", 0.52) for _ in range(5)]
        rows += [_row(source, "none", 0.3, proposed="none") for _ in range(5)]
    th = choose_thresholds(rows, LABELS)
    assert th["time"] <= 0.52
