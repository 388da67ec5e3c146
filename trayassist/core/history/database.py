"""HistoryDatabase: the history's SQLite file and the key that opens it (open, unlock,
notice another process's writes, start fresh). HistoryStore adds what is stored in it."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from trayassist.core.history import dbfile
from trayassist.core.history.crypto import RecordCipher
from trayassist.core.history.errors import HistoryError, KeyMismatch, KeyMissing, RecordTampered
from trayassist.core.history.keys import KeyManager, MasterKey
from trayassist.core.history.retention import RETENTIONS

_CHECK_PLAINTEXT = b"trayassist history key check"


def utc_now() -> datetime:
    return datetime.now(UTC)


def aside_stamp(now: datetime, *paths: Path | None) -> str:
    """Local time to the second, for `<name>.aside-<stamp>`; a suffix keeps a second
    set-aside within the same second from replacing the first."""
    base = now.astimezone().strftime("%Y%m%d-%H%M%S")
    stamp, n = base, 1
    while any(p is not None and p.with_name(f"{p.name}.aside-{stamp}").exists() for p in paths):
        n += 1
        stamp = f"{base}-{n}"
    return stamp


class HistoryDatabase:
    """Open with open(); every error is a HistoryError with a one-line message.
    Call it from one worker thread; another process (the CLI) may use the same file."""

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
        self._data_version = 0

    @property
    def is_open(self) -> bool:
        return self._conn is not None and self._cipher is not None

    def open(self) -> Self:
        """Open the file and unlock the key; purges expired records. Raises
        DatabaseDamaged/DatabaseTooNew (file untouched) or a KeyUnavailable."""
        with self._lock:
            if self.is_open:
                return self
            if self._conn is None:
                self._conn = dbfile.connect(self.db_path, self._busy_timeout_s)
            self._unlock()
            self._data_version = self._read_data_version()
            self._opened()
            return self

    def _opened(self) -> None:
        """Runs once the history is open and unlocked (HistoryStore purges expired data)."""

    def _drop_caches(self) -> None:
        """Forget anything decrypted and kept in memory (HistoryStore's search index)."""

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._cipher = None
            self._drop_caches()

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
        self._drop_caches()
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
