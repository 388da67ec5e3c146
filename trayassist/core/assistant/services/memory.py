"""ItemStore kept in memory: notes and timers when the encrypted history is off or
could not be opened. Nothing touches the disk; everything is gone when the app quits."""

from __future__ import annotations

import copy
import threading
from typing import Any


class MemoryItemStore:
    """ItemStore in a dict, returning the same envelopes as HistoryStore, oldest first.

    Thread-safe: the assistant writes from its worker while timers fire and delete
    from theirs."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, dict[str, Any]]] = {}
        self._seq = 0
        self._lock = threading.Lock()

    def put_item(self, kind: str, item_id: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            self.items.setdefault(kind, {}).pop(item_id, None)
            self.items[kind][item_id] = {"id": item_id, "kind": kind, "time": str(self._seq),
                                         "data": copy.deepcopy(data)}

    def get_items(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(d) for d in self.items.get(kind, {}).values()]

    def delete_item(self, kind: str, item_id: str) -> bool:
        with self._lock:
            return self.items.get(kind, {}).pop(item_id, None) is not None
