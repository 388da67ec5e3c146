"""Opening the history SQLite file safely: check it before touching it, never overwrite it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from trayassist.core.history.crypto import FORMAT_VERSION
from trayassist.core.history.errors import DatabaseDamaged, DatabaseTooNew

APPLICATION_ID = 0x54414831  # "TAH1": marks the file as a TrayAssist history
_SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    blob BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS records_ts ON records (ts_ms);
CREATE TABLE IF NOT EXISTS items (
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (kind, item_id)
);
"""


def _check_header(path: Path) -> None:
    """Reject what is not SQLite, or is visibly cut short, before SQLite opens it."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise DatabaseDamaged(f"{path.name} is not a history database (not SQLite); nothing was changed")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    change = header[24:28]
    valid_for = header[92:96]
    # The in-header page count is trusted by SQLite only when these two match.
    if change == valid_for and pages and size < pages * page_size:
        raise DatabaseDamaged(f"{path.name} is truncated; nothing was changed")


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left behind
    conn.execute("PRAGMA temp_store = MEMORY")  # sorts and VACUUM never spill to temp files
    conn.execute("PRAGMA journal_mode = DELETE")  # the journal is removed after each commit
    conn.execute("PRAGMA synchronous = FULL")


def connect(path: Path | None, busy_timeout_s: float) -> sqlite3.Connection:
    """Open (or create) the history database; raise DatabaseDamaged/TooNew without writing."""
    if path is None:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _pragmas(conn)
        _init(conn)
        return conn
    existed = path.exists() and path.stat().st_size > 0
    if existed:
        _check_header(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Create it private before SQLite does (SQLite would honour the umask only).
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    uri = f"file:{path}?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_s, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise DatabaseDamaged(f"cannot open {path.name} ({exc}); nothing was changed") from None
    try:
        if existed:
            _verify(conn, path)
        _pragmas(conn)
        _init(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _verify(conn: sqlite3.Connection, path: Path) -> None:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise DatabaseDamaged(f"{path.name} is some other SQLite database; nothing was changed")
        if version > FORMAT_VERSION:
            raise DatabaseTooNew(
                f"{path.name} was written by a newer TrayAssist (format {version}, this one reads "
                f"{FORMAT_VERSION}); update TrayAssist or start a new history"
            )
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"{path.name} is damaged ({exc}); nothing was changed") from None
    if result != "ok":
        raise DatabaseDamaged(f"{path.name} is damaged (integrity check failed); nothing was changed")


def _init(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == FORMAT_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in SIDE_SUFFIXES]


def unlink_all(path: Path) -> None:
    for p in (path, *side_files(path)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)


def set_aside(path: Path, stamp: str) -> Path | None:
    """Rename the database and its side files (a hot journal belongs with its
    database) to `<name>.aside-<stamp>`, contents untouched; None if there is none."""
    if not path.exists():
        return None
    aside = path.with_name(f"{path.name}.aside-{stamp}")
    for src, dst in zip((path, *side_files(path)), (aside, *side_files(aside)), strict=True):
        if src.exists():
            src.replace(dst)
    return aside
