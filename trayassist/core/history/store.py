"""HistoryStore: the encrypted utterance history and item collection on SQLite.

Only ciphertext and coarse metadata (id, time, duration, kind) reach the file.
Call it from one worker thread; another process (the CLI) may use the same file.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trayassist.core.history import dbfile
from trayassist.core.history.crypto import RecordCipher
from trayassist.core.history.errors import (
    DatabaseDamaged,
    HistoryError,
    KeyMismatch,
    KeyMissing,
    RecordNotFound,
    RecordTampered,
    WipeIncomplete,
)
from trayassist.core.history.index import RecordIndex
from trayassist.core.history.keys import KeyManager, MasterKey
from trayassist.core.history.records import (
    UTTERANCE,
    Record,
    encode_payload,
    export_records,
    from_ms,
    split_payload,
    to_ms,
)
from trayassist.core.history.retention import RETENTIONS, retention_cutoff

_CHECK_PLAINTEXT = b"trayassist history key check"
# Aliases: the method HistoryStore.list shadows the builtin inside the class body.
Records = list[Record]
Items = list[dict[str, Any]]
Blobs = list[bytes]
Ids = list[int]
Names = list[str]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _item_kind(kind: str) -> str:
    return "item/" + kind  # records and items can never open as each other


def aside_stamp(now: datetime, *paths: Path | None) -> str:
    """Local time to the second, for `<name>.aside-<stamp>`; a suffix keeps a second
    set-aside within the same second from replacing the first."""
    base = now.astimezone().strftime("%Y%m%d-%H%M%S")
    stamp, n = base, 1
    while any(p is not None and p.with_name(f"{p.name}.aside-{stamp}").exists() for p in paths):
        n += 1
        stamp = f"{base}-{n}"
    return stamp


class HistoryStore:
    """Open with open(); every error is a HistoryError with a one-line message."""

    def __init__(
        self,
        db_path: Path | None,
        keys: KeyManager,
        retention: str = "forever",
        clock: Callable[[], datetime] = utc_now,
        busy_timeout_s: float = 5.0,
    ) -> None:
        if retention not in RETENTIONS:
            raise ValueError(f"unknown retention {retention!r}")
        self.db_path = db_path  # None: in memory (session-only key)
        self.keys = keys
        self.retention = retention
        self.clock = clock
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._cipher: RecordCipher | None = None
        self._index: RecordIndex | None = None
        self._data_version = 0

    # ---- opening -----------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._conn is not None and self._cipher is not None

    def open(self) -> HistoryStore:
        """Open the file and unlock the key; purges expired records. Raises
        DatabaseDamaged/DatabaseTooNew (file untouched) or a KeyUnavailable."""
        with self._lock:
            if self.is_open:
                return self
            if self._conn is None:
                self._conn = dbfile.connect(self.db_path, self._busy_timeout_s)
            self._unlock()
            self._data_version = self._read_data_version()
            self.purge_expired()
            return self

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._cipher = None
            self._index = None

    def _unlock(self) -> None:
        stored_id = self._meta_value("key_id")
        master = self.keys.unlock(create=stored_id is None)
        if master is None:
            raise KeyMissing("history-key.json is missing, so the key of this history cannot be "
                             "found; start a new history (the old one is kept aside)")
        if stored_id is None:
            self._install_key(master)
            return
        if stored_id != master.key_id:
            raise KeyMismatch(f"the history key {master.key_id} does not belong to this database "
                              f"(it needs {stored_id}); start a new history (the old one is kept aside)")
        cipher = RecordCipher(master.key, master.key_id)
        try:
            cipher.open("check", "key-check", 0, bytes(self._meta_value("check") or b""))
        except RecordTampered:
            raise KeyMismatch("the history key does not open this database; "
                              "start a new history (the old one is kept aside)") from None
        self._cipher = cipher

    def _install_key(self, master: MasterKey) -> None:
        cipher = RecordCipher(master.key, master.key_id)
        check = cipher.seal("check", "key-check", 0, _CHECK_PLAINTEXT)
        with self._write() as c:
            c.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('key_id', ?)", (master.key_id,))
            c.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('check', ?)", (check,))
        self._cipher = cipher

    def start_fresh(self) -> Path | None:
        """The user's choice after a damaged file or a key problem: keep the old
        database (and its key record) aside, renamed with a timestamp, and open a new
        empty history with a new key. Returns where the old file went."""
        with self._lock:
            self.close()
            stamp = aside_stamp(self.clock(), self.db_path, self.keys.meta_path)
            aside = dbfile.set_aside(self.db_path, stamp) if self.db_path is not None else None
            self.keys.set_aside(stamp)
            self.open()
            return aside

    # ---- plumbing --------------------------------------------------------------
    def _require_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError("the history is not open")
        return self._conn

    def _require_cipher(self) -> RecordCipher:
        self._sync()
        if self._cipher is None:
            raise HistoryError("the history is locked")
        return self._cipher

    def _meta_value(self, name: str) -> Any:
        row = self._require_conn().execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def _read_data_version(self) -> int:
        return int(self._require_conn().execute("PRAGMA data_version").fetchone()[0])

    def _sync(self) -> None:
        """Notice writes by another process (the CLI): drop the cache, and re-unlock
        if that process wiped the history and made a new key."""
        if self._conn is None:
            return
        version = self._read_data_version()
        if version == self._data_version:
            return
        self._data_version = version
        self._index = None
        if self._cipher is not None and self._meta_value("key_id") != self._cipher.key_id:
            self._cipher = None
            self._unlock()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._require_conn()
        conn.execute("BEGIN IMMEDIATE")  # take the write lock now; waits busy_timeout
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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

    def _delete_where(self, where: str, arg: int) -> int:
        with self._lock:
            self._sync()
            with self._write() as c:
                ids = [r[0] for r in c.execute(f"SELECT id FROM records WHERE {where}", (arg,))]
                c.execute(f"DELETE FROM records WHERE {where}", (arg,))
                items = c.execute(f"DELETE FROM items WHERE {where}", (arg,)).rowcount
            if self._index is not None:
                self._index.remove(ids)
            return len(ids) + max(items, 0)

    def forget_since(self, since: datetime) -> int:
        """Delete records and items from `since` on; returns how many went."""
        return self._delete_where("ts_ms >= ?", to_ms(since))

    def purge_expired(self, retention: str | None = None, now: datetime | None = None) -> int:
        """Delete records and items older than the retention; "off" deletes everything."""
        cutoff = retention_cutoff(retention or self.retention, now or self.clock())
        if cutoff is None:
            return 0
        return self._delete_where("ts_ms < ?", to_ms(cutoff))

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
        with self._lock:
            cipher = self._require_cipher()
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
        Works on a locked or damaged history too."""
        with self._lock:
            samples = self._blob_samples()
            key_error: HistoryError | None = None
            try:
                old_key_id = self.keys.destroy()
            except HistoryError as exc:  # still erase the rows; report afterwards
                key_error, old_key_id = exc, None
            self._cipher = None
            self._index = None
            if self._conn is not None:
                with self._write() as c:
                    for table in ("records", "items", "meta"):
                        c.execute(f"DELETE FROM {table}")
                    c.execute("DELETE FROM sqlite_sequence")
                self._conn.execute("VACUUM")  # rewrite the file: no free pages, no old sizes
            elif self.db_path is not None:
                dbfile.unlink_all(self.db_path)
            self._remove_aside_files()
            self._verify_wiped(old_key_id, samples)
            if key_error is not None:
                raise WipeIncomplete(f"history rows were erased but the key was not: {key_error}")
            self.close()
            self.open()

    def _blob_samples(self) -> Blobs:
        """Pieces of current ciphertexts (nonce and the start of the body) to look for
        after the wipe."""
        if self._conn is None:
            return []
        try:
            rows = self._conn.execute(
                "SELECT blob FROM records UNION ALL SELECT blob FROM items "
                "UNION ALL SELECT value FROM meta WHERE name = 'check' LIMIT 2000"
            ).fetchall()
        except sqlite3.DatabaseError:
            return []
        return [bytes(r[0])[:29] for r in rows if r[0] is not None and len(r[0]) >= 29]

    def _remove_aside_files(self) -> None:
        """Old databases kept aside by start_fresh, and their key records, go too."""
        if self.db_path is None:
            return
        for path in self.db_path.parent.glob(f"{self.db_path.name}.aside-*"):
            dbfile.unlink_all(path)
        meta = self.keys.meta_path
        for path in meta.parent.glob(f"{meta.name}.aside-*"):
            self.keys.destroy_aside(path)

    def _verify_wiped(self, old_key_id: str | None, samples: Blobs) -> None:
        if old_key_id is not None and self.keys.still_held(old_key_id):
            raise WipeIncomplete("wipe could not remove the old key from its backend")
        if self._conn is not None:
            left = sum(self._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                       for t in ("records", "items", "meta"))
            if left:
                raise WipeIncomplete("wipe left rows in the history database")
        if self.db_path is not None and self.db_path.exists() and samples:
            data = b"".join(p.read_bytes() for p in (self.db_path, *dbfile.side_files(self.db_path))
                            if p.exists())
            if any(s in data for s in samples):
                raise WipeIncomplete("wipe left old ciphertext in the history file")
        if self.db_path is not None:
            leftovers = list(self.db_path.parent.glob(f"{self.db_path.name}.aside-*"))
            if leftovers:
                raise WipeIncomplete(f"wipe could not remove {leftovers[0].name}")


__all__ = ["HistoryStore", "DatabaseDamaged", "utc_now"]
