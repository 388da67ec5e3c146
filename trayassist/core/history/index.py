"""Decrypted records held in memory while the history is unlocked (never written to disk)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from trayassist.core.history.records import Record


class RecordIndex:
    """Records sorted oldest to newest, with case-folded text for search."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._by_id: dict[int, Record] = {r.id: r for r in records}
        self._folded: dict[int, str] = {i: r.text.casefold() for i, r in self._by_id.items()}
        self._keys = sorted((r.ts_ms, r.id) for r in self._by_id.values())

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, record_id: int) -> Record | None:
        return self._by_id.get(record_id)

    def add(self, record: Record) -> None:
        if record.id in self._by_id:
            self.remove([record.id])
        self._by_id[record.id] = record
        self._folded[record.id] = record.text.casefold()
        key = (record.ts_ms, record.id)
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)  # the usual case: the newest record
        else:
            bisect.insort(self._keys, key)

    def remove(self, ids: Iterable[int]) -> None:
        gone = {i for i in ids if i in self._by_id}
        if not gone:
            return
        for i in gone:
            del self._by_id[i]
            del self._folded[i]
        self._keys = [k for k in self._keys if k[1] not in gone]

    def newest(self, limit: int | None = None, offset: int = 0) -> list[Record]:
        end = max(len(self._keys) - offset, 0)
        start = 0 if limit is None else max(0, end - limit)
        return [self._by_id[k[1]] for k in reversed(self._keys[start:end])]

    def oldest_first(self) -> list[Record]:
        return [self._by_id[k[1]] for k in self._keys]

    def search(self, query: str, whole_word: bool = False, limit: int | None = None) -> list[Record]:
        """Case-insensitive substring match, or whole words/phrase; newest first."""
        needle = query.strip().casefold()
        if not needle:
            return self.newest(limit)
        folded = self._folded
        pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)") if whole_word else None
        hits: list[int] = []
        for _, rid in reversed(self._keys):
            text = folded[rid]
            # The plain `in` test first: it is far cheaper than the regex and rejects most.
            if needle in text and (pattern is None or pattern.search(text)):
                hits.append(rid)
                if limit is not None and len(hits) >= limit:
                    break
        return [self._by_id[rid] for rid in hits]
