"""Retention cut-offs and "forget the last ..." spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trayassist.core.history.retention import forget_start, retention_cutoff

pytestmark = pytest.mark.unit

NOW = datetime(2025, 5, 31, 10, 30, tzinfo=UTC)


def test_cutoffs() -> None:
    assert retention_cutoff("forever", NOW) is None
    assert retention_cutoff("24h", NOW) == NOW - timedelta(hours=24)
    assert retention_cutoff("3m", NOW) == datetime(2025, 2, 28, 10, 30, tzinfo=UTC)  # day clamped
    assert retention_cutoff("18m", NOW) == datetime(2023, 11, 30, 10, 30, tzinfo=UTC)
    off = retention_cutoff("off", NOW)
    assert off is not None and off > NOW  # keeps nothing, not even this instant
    with pytest.raises(ValueError):
        retention_cutoff("1y", NOW)


@pytest.mark.parametrize(("spec", "delta"), [("5m", timedelta(minutes=5)), ("2h", timedelta(hours=2)),
                                             ("1d", timedelta(days=1)), ("30s", timedelta(seconds=30)),
                                             (" 10M ", timedelta(minutes=10))])
def test_forget_spans(spec: str, delta: timedelta) -> None:
    assert forget_start(spec, NOW) == NOW - delta


def test_forget_today_is_local_midnight() -> None:
    start = forget_start("today", NOW)
    local = NOW.astimezone()
    assert start.tzinfo is not None and start <= NOW
    assert (start.date(), start.hour, start.minute) == (local.date(), 0, 0)


@pytest.mark.parametrize("bad", ["", "5", "m", "0m", "5w", "-5m", "yesterday", "5 m"])
def test_bad_spans(bad: str) -> None:
    with pytest.raises(ValueError, match="bad span"):
        forget_start(bad, NOW)
