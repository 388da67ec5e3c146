"""The encrypted history on a real SQLite file (passphrase key): append, search 100k, wipe."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.report import Budget, Figure
from trayassist.core.config import Settings
from trayassist.core.history.factory import build_store
from trayassist.core.history.store import HistoryStore
from trayassist.core.paths import Paths

WORDS = ("meeting", "alice", "budget", "remind", "tomorrow", "groceries", "call", "sister", "timer",
         "notes", "project", "draft", "music", "library", "saturday", "colour", "garden", "invoice",
         "holiday", "train", "ticket", "doctor")
QUERIES = ("alice", "budget", "sister tomorrow", "zebra", "invoice", "notes project", "no such words here")
PASSPHRASE = "correct horse battery staple"


def _open(paths: Paths) -> HistoryStore:
    settings = Settings(history_key_backend="passphrase", history_retention="forever")
    store = build_store(paths, settings, passphrase=PASSPHRASE)
    assert store is not None
    return store.open()


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))


def run(records: int, appends: int, out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    rng = random.Random(9)
    with tempfile.TemporaryDirectory(prefix="ta-bench-history-") as tmp:
        paths = Paths.from_basedir(Path(tmp)).ensure()
        store = _open(paths)
        # Filling 100 000 rows through append() with fsync per row would take minutes;
        # the fill goes through the same append() with synchronous=OFF, then back to FULL.
        conn = store._conn
        assert conn is not None
        conn.execute("PRAGMA synchronous = OFF")
        t0 = time.perf_counter()
        for _ in range(records - appends):
            store.append(_sentence(rng))
        fill_s = time.perf_counter() - t0
        conn.execute("PRAGMA synchronous = FULL")
        append_ms: list[float] = []
        for _ in range(appends):  # what the app pays per utterance, fsync included
            t = time.perf_counter()
            store.append(_sentence(rng))
            append_ms.append((time.perf_counter() - t) * 1000)
        conn.execute("PRAGMA synchronous = OFF")
        nosync_ms: list[float] = []
        for _ in range(appends):  # the same without fsync: the CPU part (crypto + SQL)
            t = time.perf_counter()
            store.append(_sentence(rng))
            nosync_ms.append((time.perf_counter() - t) * 1000)
        conn.execute("PRAGMA synchronous = FULL")
        store.close()
        fsync_ms = _fsync_probe(paths.data, appends)
        size_mb = paths.history_db.stat().st_size / 1e6

        t = time.perf_counter()
        store = _open(paths)
        open_s = time.perf_counter() - t
        t = time.perf_counter()
        store.warm()  # the app decrypts everything once, off the GUI thread, at start
        warm_s = time.perf_counter() - t
        search_ms: list[float] = []
        hits: dict[str, int] = {}
        for _ in range(3):
            for q in QUERIES:
                t = time.perf_counter()
                found = store.search(q)
                search_ms.append((time.perf_counter() - t) * 1000)
                hits[q] = len(found)
        count = store.count()
        t = time.perf_counter()
        store.wipe()
        wipe_s = time.perf_counter() - t
        after = store.count()
        store.close()
    out(f"  history: {count} records ({size_mb:.0f} MB file), fill {fill_s:.1f} s; open {open_s:.2f} s, "
        f"decrypt-all {warm_s:.2f} s; search hits {hits}; wipe {wipe_s:.2f} s leaves {after}")
    figures = [
        Figure("history", "append one utterance (fsync, 100k rows)", "ms", append_ms, Budget(5.0, "p50")),
        Figure("history", "  the same without fsync (crypto + SQL only)", "ms", nosync_ms),
        Figure("history", "  one bare fsync() on this disk", "ms", fsync_ms),
        Figure("history", f"search {count} records (warm index)", "ms", search_ms, Budget(300, "p50")),
        Figure("history", f"unlock + decrypt all {count} (at start, off the GUI thread)", "s",
               [open_s + warm_s]),
        Figure("history", f"wipe {count} records", "s", [wipe_s], Budget(1.0, "max", "≤ 1.0 s")),
    ]
    return figures, {"records": count, "file_mb": size_mb, "fill_s": fill_s, "open_s": open_s,
                     "warm_s": warm_s, "hits": hits, "append_ms": append_ms, "append_nosync_ms": nosync_ms,
                     "fsync_ms": fsync_ms, "search_ms": search_ms,
                     "wipe_s": wipe_s, "after_wipe": after}


def _fsync_probe(where: Path, n: int) -> list[float]:
    """What one write + fsync costs on this disk right now (the floor under append)."""
    import os

    path = where / "fsync-probe"
    times: list[float] = []
    with open(path, "wb") as f:
        for _ in range(n):
            f.write(b"x" * 512)
            t = time.perf_counter()
            f.flush()
            os.fsync(f.fileno())
            times.append((time.perf_counter() - t) * 1000)
    path.unlink()
    return times
