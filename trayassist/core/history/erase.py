"""The mechanics of crypto-erase: erase the rows and side files, then verify that
nothing old is left (HistoryStore.wipe runs them in order, key first)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from trayassist.core.history import dbfile
from trayassist.core.history.errors import WipeIncomplete
from trayassist.core.history.keys import KeyManager, label

Blobs = list[bytes]
TABLES = ("records", "items", "meta")


def blob_samples(conn: sqlite3.Connection | None) -> Blobs:
    """Pieces of current ciphertexts (nonce and the start of the body) to look for
    after the wipe."""
    if conn is None:
        return []
    try:
        rows = conn.execute(
            "SELECT blob FROM records UNION ALL SELECT blob FROM items "
            "UNION ALL SELECT value FROM meta WHERE name = 'check' LIMIT 2000"
        ).fetchall()
    except sqlite3.DatabaseError:
        return []
    return [bytes(r[0])[:29] for r in rows if r[0] is not None and len(r[0]) >= 29]


def erase_rows(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM sqlite_sequence")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    conn.execute("VACUUM")  # rewrite the file: no free pages, no old sizes


def remove_aside_files(db_path: Path | None, keys: KeyManager) -> None:
    """Old databases kept aside by start_fresh, and their key records, go too."""
    if db_path is None:
        return
    for path in db_path.parent.glob(f"{db_path.name}.aside-*"):
        dbfile.unlink_all(path)
    meta = keys.meta_path
    for path in meta.parent.glob(f"{meta.name}.aside-*"):
        keys.destroy_aside(path)


def pending_message(pending: list[dict[str, Any]]) -> str:
    where = " and ".join(sorted({label(str(m.get("backend"))) for m in pending}))
    return (f"wipe incomplete: every record is erased, but the old history key is still in {where}, "
            "which cannot be reached now (locked, or no D-Bus session); it is destroyed at the next "
            "start or `trayassist history wipe --yes` once it can be reached")


def verify_wiped(conn: sqlite3.Connection | None, db_path: Path | None, keys: KeyManager,
                 old_key: tuple[str, str] | None, samples: Blobs) -> None:
    """`old_key` (id, backend) is checked gone from its backend; pending keys are not."""
    if old_key is not None and keys.still_held(*old_key):
        raise WipeIncomplete("wipe could not remove the old key from its backend")
    if conn is not None:
        left = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
        if left:
            raise WipeIncomplete("wipe left rows in the history database")
    if db_path is not None and db_path.exists() and samples:
        data = b"".join(p.read_bytes() for p in (db_path, *dbfile.side_files(db_path)) if p.exists())
        if any(s in data for s in samples):
            raise WipeIncomplete("wipe left old ciphertext in the history file")
    if db_path is not None:
        leftovers = list(db_path.parent.glob(f"{db_path.name}.aside-*"))
        if leftovers:
            raise WipeIncomplete(f"wipe could not remove {leftovers[0].name}")
