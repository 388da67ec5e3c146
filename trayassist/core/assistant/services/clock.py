"""The system clock in the local (or a given) time zone."""

from __future__ import annotations

from datetime import datetime, tzinfo


class SystemClock:
    def __init__(self, tz: tzinfo | None = None) -> None:
        self._tz = tz

    def now(self) -> datetime:
        if self._tz is not None:
            return datetime.now(self._tz)
        return datetime.now().astimezone()
