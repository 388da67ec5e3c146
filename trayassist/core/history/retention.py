"""How long history is kept (`history_retention`) and what "forget the last 5m/today" means."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

RETENTIONS = ("off", "24h", "3m", "18m", "forever")
_SPAN = re.compile(r"^(\d{1,6})([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _months_back(now: datetime, months: int) -> datetime:
    """The same wall-clock moment `months` calendar months earlier (day clamped)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:  # 31 March minus one month: clamp to the month's last day
            day -= 1


def retention_cutoff(retention: str, now: datetime) -> datetime | None:
    """Records older than the cutoff are expired; None keeps everything.

    "off" means keep nothing: every existing record is expired too."""
    if retention == "forever":
        return None
    if retention == "off":
        return now + timedelta(microseconds=1)
    if retention == "24h":
        return now - timedelta(hours=24)
    if retention == "3m":
        return _months_back(now, 3)
    if retention == "18m":
        return _months_back(now, 18)
    raise ValueError(f"unknown retention {retention!r}; expected one of {', '.join(RETENTIONS)}")


def forget_start(spec: str, now: datetime) -> datetime:
    """Start of the span to forget: "5m", "2h", "1d", "30s" back from now, or "today"
    (local midnight of `now`'s day)."""
    spec = spec.strip().lower()
    if spec == "today":
        local = now.astimezone()
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    match = _SPAN.match(spec)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"bad span {spec!r}; use e.g. 5m, 2h, 1d or today")
    return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
