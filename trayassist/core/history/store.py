"""HistoryStore: the encrypted utterance history and item collection on SQLite.

Only ciphertext and coarse metadata (id, time, duration, kind) reach the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from trayassist.core.history import dbfile, erase
from trayassist.core.history.crypto import RecordCipher
from trayassist.core.history.database import HistoryDatabase, aside_stamp, utc_now
from trayassist.core.history.errors import (
    DatabaseDamaged,
    HistoryError,
    RecordNotFound,
    RecordTampered,
    WipeIncomplete,
)
from trayassist.core.history.index import RecordIndex
from trayassist.core.history.records import (
    UTTERANCE,
    Record,
    encode_payload,
    export_records,
    from_ms,
    split_payload,
    to_ms,
)
from trayassist.core.history.retention import retention_cutoff

# Aliases: the method HistoryStore.list shadows the builtin inside the class body.
Records = list[Record]
Items = list[dict[str, Any]]
Ids = list[int]
Names = list[str]


PRIVACY_EVENT = "privacy_event"
# Items that follow the transcript retention; the assistant's notes, lists and timers do not.
EXPIRING_ITEM_KINDS = (PRIVACY_EVENT,)


def _item_kind(kind: str) -> str:
    return "item/" + kind  # records and items can never open as each other


class HistoryStore(HistoryDatabase):
    """The utterance records, the items (notes, lists, timers, privacy events), retention
    and wipe, on top of the encrypted database."""

    _index: RecordIndex | None = None  # every record decrypted, once searched

    def _opened(self) -> None:
        self.purge_expired()

    def _drop_caches(self) -> None:
        self._index = None

    @staticmethod
    def _decrypt_row(cipher: RecordCipher, rid: int, ts_ms: int, duration_ms: int, kind: str,
                     blob: bytes) -> Record:
        # The row's own kind goes into the AAD: relabelling a row fails loudly, it is not
        # filtered out of sight.
        raw = cipher.open(kind, rid, ts_ms, blob)
        try:
            text, meta = split_payload(raw)
        except ValueError:
            raise RecordTampered([rid]) from None  # authentic but unreadable: still report
        return Record(rid, ts_ms, duration_ms, text, meta)

    def _decrypt_rows(self, rows: Sequence[tuple[int, int, int, str, bytes]]) -> Records:
        """All rows, or RecordTampered naming every row that failed."""
        cipher = self._require_cipher()
        good: Records = []
        bad: Ids = []
        for row in rows:
            try:
                good.append(self._decrypt_row(cipher, *row))
            except RecordTampered:
                bad.append(row[0])
        if bad:
            raise RecordTampered(bad)
        return good

    def _load_index(self) -> RecordIndex:
        self._require_cipher()
        if self._index is not None:
            return self._index
        rows = self._require_conn().execute(
            "SELECT id, ts_ms, duration_ms, kind, blob FROM records").fetchall()
        self._index = RecordIndex(self._decrypt_rows(rows))
        return self._index

    # ---- records -------------------------------------------------------------------
    def append(
        self,
        text: str,
        when: datetime | None = None,
        duration_s: float = 0.0,
        model: str = "",
        action: dict[str, Any] | None = None,
    ) -> int | None:
        """Store one utterance; returns its id, or None when retention is "off"."""
        with self._lock:
            cipher = self._require_cipher()
            if self.retention == "off":
                return None
            when = when or self.clock()
            ts_ms = to_ms(when)
            duration_ms = max(0, round(duration_s * 1000))
            payload = encode_payload(text, model, action)
            with self._write() as c:
                # The id is part of the AAD, so take it first and seal afterwards.
                rid = c.execute(
                    "INSERT INTO records (ts_ms, duration_ms, kind, blob) VALUES (?, ?, ?, x'')",
                    (ts_ms, duration_ms, UTTERANCE),
                ).lastrowid
                assert rid is not None
                c.execute("UPDATE records SET blob = ? WHERE id = ?",
                          (cipher.seal(UTTERANCE, rid, ts_ms, payload), rid))
            if self._index is not None:
                self._index.add(Record(rid, ts_ms, duration_ms, *split_payload(payload)))
            return rid

    def save_utterance(self, text: str, utterance: Any = None, assistant_result: Any = None) -> int | None:
        """Adapter for the controller: duck-typed utterance and assistant result."""
        duration = getattr(utterance, "duration_s", None) or getattr(utterance, "duration", 0.0) or 0.0
        model = getattr(utterance, "model", "") or ""
        when = getattr(utterance, "started_at", None)
        action = None
        if assistant_result is not None:
            action = assistant_result.to_dict() if hasattr(assistant_result, "to_dict") else dict(assistant_result)
        return self.append(text, when=when if isinstance(when, datetime) else None,
                           duration_s=float(duration), model=str(model), action=action)

    def count(self) -> int:
        with self._lock:
            self._sync()
            return int(self._require_conn().execute("SELECT count(*) FROM records").fetchone()[0])

    def list(self, limit: int | None = 50, offset: int = 0) -> Records:
        """Newest first."""
        with self._lock:
            self._require_cipher()
            if self._index is not None:
                return self._index.newest(limit, offset)
            rows = self._require_conn().execute(
                "SELECT id, ts_ms, duration_ms, kind, blob FROM records "
                "ORDER BY ts_ms DESC, id DESC LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            ).fetchall()
            return self._decrypt_rows(rows)

    def get(self, record_id: int) -> Record:
        with self._lock:
            self._require_cipher()
            if self._index is not None:
                found = self._index.get(record_id)
                if found is None:
                    raise RecordNotFound(record_id)
                return found
            row = self._require_conn().execute(
                "SELECT id, ts_ms, duration_ms, kind, blob FROM records WHERE id = ?", (record_id,)
            ).fetchone()
            if row is None:
                raise RecordNotFound(record_id)
            return self._decrypt_rows([row])[0]

    def search(self, query: str, whole_word: bool = False, limit: int | None = None) -> Records:
        """Case-insensitive substring (or whole word/phrase) search, newest first.
        The first call decrypts every record into memory; later calls scan that."""
        with self._lock:
            return self._load_index().search(query, whole_word, limit)

    def warm(self) -> int:
        """Decrypt everything into the in-memory index now (call from the worker)."""
        with self._lock:
            return len(self._load_index())

    def delete(self, record_id: int) -> bool:
        with self._lock:
            self._sync()
            with self._write() as c:
                gone = c.execute("DELETE FROM records WHERE id = ?", (record_id,)).rowcount > 0
            if self._index is not None:
                self._index.remove([record_id])
            return gone

    def _delete_where(self, where: str, arg: int, item_kinds: Sequence[str] | None) -> int:
        """Records matching `where`, and items of `item_kinds` (all kinds when None)."""
        if item_kinds is not None:
            where_items = f"{where} AND kind IN ({', '.join('?' * len(item_kinds))})"
            item_args: tuple[Any, ...] = (arg, *item_kinds)
        else:
            where_items, item_args = where, (arg,)
        with self._lock:
            self._sync()
            with self._write() as c:
                ids = [r[0] for r in c.execute(f"SELECT id FROM records WHERE {where}", (arg,))]
                c.execute(f"DELETE FROM records WHERE {where}", (arg,))
                items = c.execute(f"DELETE FROM items WHERE {where_items}", item_args).rowcount
            if self._index is not None:
                self._index.remove(ids)
            return len(ids) + max(items, 0)

    def forget_since(self, since: datetime) -> int:
        """Delete records and items of every kind from `since` on (the user asked for
        exactly this span to go); returns how many went."""
        return self._delete_where("ts_ms >= ?", to_ms(since), None)

    def purge_expired(self, retention: str | None = None, now: datetime | None = None) -> int:
        """Delete transcripts and privacy events older than the retention; "off" deletes
        them all. Notes, lists and timers stay until the user removes them (or wipes)."""
        cutoff = retention_cutoff(retention or self.retention, now or self.clock())
        if cutoff is None:
            return 0
        return self._delete_where("ts_ms < ?", to_ms(cutoff), EXPIRING_ITEM_KINDS)

    def export(self, ids: Sequence[int] | None, fmt: str) -> str:
        """Plaintext Markdown or JSON of the given records (all when None), oldest first."""
        if fmt not in ("md", "json"):
            raise ValueError(f"unknown export format {fmt!r}; expected md or json")
        with self._lock:
            if ids is None:
                records = self._load_index().oldest_first()
            else:
                records = sorted((self.get(i) for i in dict.fromkeys(ids)),
                                 key=lambda r: (r.ts_ms, r.id))
            return export_records(records, fmt, self.clock())

    # ---- items: the assistant's and the privacy timeline's encrypted data -------------
    def put_item(self, kind: str, item_id: str, data: dict[str, Any]) -> None:
        """Store (or replace) one item; privacy events are not kept when retention is "off"."""
        with self._lock:
            cipher = self._require_cipher()
            if self.retention == "off" and kind in EXPIRING_ITEM_KINDS:
                return
            ts_ms = to_ms(self.clock())
            raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            blob = cipher.seal(_item_kind(kind), item_id, ts_ms, raw)
            with self._write() as c:
                c.execute("INSERT OR REPLACE INTO items (kind, item_id, ts_ms, blob) VALUES (?, ?, ?, ?)",
                          (kind, item_id, ts_ms, blob))

    def get_items(self, kind: str) -> Items:
        """Oldest first: [{"id", "kind", "time", "data"}]; raises RecordTampered if any fails."""
        with self._lock:
            cipher = self._require_cipher()
            rows = self._require_conn().execute(
                "SELECT item_id, ts_ms, blob FROM items WHERE kind = ? ORDER BY ts_ms, item_id", (kind,)
            ).fetchall()
            out: Items = []
            bad: Names = []
            for item_id, ts_ms, blob in rows:
                try:
                    data = json.loads(cipher.open(_item_kind(kind), item_id, ts_ms, blob))
                except (RecordTampered, ValueError):
                    bad.append(item_id)
                    continue
                out.append({"id": item_id, "kind": kind, "time": from_ms(ts_ms).isoformat(), "data": data})
            if bad:
                raise RecordTampered(bad, kind=kind)
            return out

    def delete_item(self, kind: str, item_id: str) -> bool:
        with self._lock:
            self._sync()
            with self._write() as c:
                return c.execute("DELETE FROM items WHERE kind = ? AND item_id = ?",
                                 (kind, item_id)).rowcount > 0

    # ---- wipe ------------------------------------------------------------------------
    def wipe(self) -> None:
        """Crypto-erase: destroy the key in its backend first, then delete every row and
        side file, VACUUM, verify that nothing old remains, and start with a fresh key.
        Works on a locked or damaged history too. A key whose backend cannot be reached
        (a locked keyring, no D-Bus) is kept pending and the wipe raises WipeIncomplete:
        the next start or wipe destroys it."""
        with self._lock:
            samples = erase.blob_samples(self._conn)
            key_error: HistoryError | None = None
            old: tuple[str, str] | None = None
            try:
                old = self.keys.destroy()
            except HistoryError as exc:  # still erase the rows; report afterwards
                key_error = exc
            self._cipher = None
            self._index = None
            if self._conn is not None:
                erase.erase_rows(self._conn)
            elif self.db_path is not None:
                dbfile.unlink_all(self.db_path)
            erase.remove_aside_files(self.db_path, self.keys)
            pending = self.keys.pending()
            held = old if old is not None and all(m.get("key_id") != old[0] for m in pending) else None
            erase.verify_wiped(self._conn, self.db_path, self.keys, held, samples)
            if key_error is not None:
                raise WipeIncomplete(f"history rows were erased but the key was not: {key_error}")
            self.close()
            if pending:  # no fresh key either while the keyring is out of reach
                raise WipeIncomplete(erase.pending_message(pending))
            self.open()


__all__ = ["HistoryStore", "DatabaseDamaged", "aside_stamp", "utc_now"]
