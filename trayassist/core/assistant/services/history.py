"""HistoryActions over the encrypted HistoryStore (duck-typed: list/delete/forget_since)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class StoreHistoryActions:
    """Call the assistant before saving the command utterance itself, so "delete what I
    just said" removes the utterance before it, not the command."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def delete_last(self) -> bool:
        latest = self._store.list(limit=1)
        if not latest:
            return False
        return bool(self._store.delete(latest[0].id))

    def forget_since(self, since: datetime) -> int:
        return int(self._store.forget_since(since))
