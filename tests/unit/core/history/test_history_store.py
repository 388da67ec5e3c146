"""HistoryStore on real SQLite: records, search, forget, retention, items, export, wipe,
damaged files, and two processes on one file."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from tests.unit.core.history.support import (
    T0,
    Clock,
    MemoryKeyring,
    keyring_store,
    passphrase_store,
)
from trayassist.core.assistant.services.timers import ITEM_KIND as TIMER_KIND
from trayassist.core.assistant.skills.notes import LIST_KIND, NOTE_KIND
from trayassist.core.history import (
    DatabaseDamaged,
    DatabaseTooNew,
    HistoryStore,
    KeyManager,
    KeyMismatch,
    KeyMissing,
    RecordNotFound,
    RecordTampered,
    SessionProvider,
)
from trayassist.core.history.crypto import RecordCipher
from trayassist.core.history.store import PRIVACY_EVENT

pytestmark = pytest.mark.unit


@pytest.fixture
def store(data_dir: Path, memory_keyring: MemoryKeyring, clock: Clock) -> HistoryStore:
    s = keyring_store(data_dir, memory_keyring, clock).open()
    yield s
    s.close()


def test_append_get_list_newest_first(store: HistoryStore, clock: Clock) -> None:
    a = store.append("first thing", duration_s=1.25, model="tiny.en",
                     action={"skill": "timer", "reply": "Timer set for 5 minutes"})
    clock.advance(seconds=10)
    b = store.append("second thing")
    assert a is not None and b is not None and b > a
    rec = store.get(a)
    assert (rec.text, rec.duration_s, rec.model, rec.time) == ("first thing", 1.25, "tiny.en", T0)
    assert rec.action == {"skill": "timer", "reply": "Timer set for 5 minutes"}
    assert rec.reply == "Timer set for 5 minutes"
    assert [r.id for r in store.list()] == [b, a]
    assert [r.id for r in store.list(limit=1, offset=1)] == [a]
    assert store.count() == 2
    assert "first thing" not in repr(rec)  # reprs reach logs; text must not
    with pytest.raises(RecordNotFound, match="no history record with id 999"):
        store.get(999)


def test_only_ciphertext_and_coarse_metadata_in_the_file(store: HistoryStore) -> None:
    store.append("zebra crossing canary", duration_s=2.0, model="tiny.en", action={"reply": "okapi"})
    assert store.db_path is not None
    assert stat.S_IMODE(store.db_path.stat().st_mode) == 0o600
    raw = store.db_path.read_bytes()
    for secret in (b"zebra", b"okapi", b"tiny.en"):
        assert secret not in raw
    with sqlite3.connect(store.db_path) as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(records)")]
        assert cols == ["id", "ts_ms", "duration_ms", "kind", "blob"]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_search_substring_and_whole_word(store: HistoryStore, clock: Clock) -> None:
    ids = []
    for text in ("Buy MILK tomorrow", "milkshake recipe", "call mom", "Ünïcode Straße here"):
        ids.append(store.append(text))
        clock.advance(seconds=1)
    assert [r.id for r in store.search("milk")] == [ids[1], ids[0]]
    assert [r.id for r in store.search("MILK", whole_word=True)] == [ids[0]]
    assert [r.id for r in store.search("call mom", whole_word=True)] == [ids[2]]
    assert [r.id for r in store.search("strasse")] == [ids[3]]  # casefold
    assert store.search("nothing like it") == []
    assert [r.id for r in store.search("milk", limit=1)] == [ids[1]]
    # The in-memory index follows appends and deletes.
    new = store.append("more milk please")
    assert store.search("milk")[0].id == new
    store.delete(new)
    assert new not in [r.id for r in store.search("milk")]


def test_delete_and_forget_since(store: HistoryStore, clock: Clock) -> None:
    old = store.append("an hour ago")
    clock.advance(minutes=56)
    recent = [store.append("four minutes ago")]
    store.put_item("notes", "n1", {"text": "a recent note"})
    clock.advance(minutes=4)
    recent.append(store.append("just now"))
    assert store.delete(old) is True
    assert store.delete(old) is False
    keep = store.append("kept", when=clock() - timedelta(minutes=30))
    assert store.forget_since(clock() - timedelta(minutes=5)) == 3  # two records and the note
    assert [r.id for r in store.list()] == [keep]
    assert store.get_items("notes") == []


def test_retention_with_injected_clock(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    clock = Clock()
    store = keyring_store(data_dir, memory_keyring, clock, retention="24h").open()
    store.append("two days old", when=T0 - timedelta(days=2))
    store.append("23 hours old", when=T0 - timedelta(hours=23))
    store.put_item(PRIVACY_EVENT, "t", {"event": "old"})
    assert store.purge_expired() == 1
    assert [r.text for r in store.list()] == ["23 hours old"]
    clock.advance(hours=2)
    assert store.purge_expired() == 1
    clock.advance(days=1)
    assert store.purge_expired() == 1  # the privacy event expires too
    assert store.count() == 0
    # Explicit retention and now; "forever" keeps, "off" keeps nothing.
    store.append("month old", when=clock() - timedelta(days=31))
    assert store.purge_expired("forever", clock()) == 0
    assert store.purge_expired("3m", clock()) == 0
    assert store.purge_expired("off", clock()) == 1
    store.close()
    # Expired records are removed at start.
    store.retention = "forever"
    store.open()
    store.append("ancient", when=T0 - timedelta(days=400))
    store.close()
    store.retention = "3m"
    store.open()
    assert store.count() == 0


def test_retention_off_stores_nothing(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    store = keyring_store(data_dir, memory_keyring, retention="off").open()
    assert store.append("not kept") is None
    store.put_item(PRIVACY_EVENT, "e1", {"kind": "mic", "name": "parec"})
    assert store.count() == 0 and store.get_items(PRIVACY_EVENT) == []


ASSISTANT_KINDS = (NOTE_KIND, LIST_KIND, TIMER_KIND)


def _assistant_items(store: HistoryStore) -> dict[str, list[str]]:
    return {kind: [i["id"] for i in store.get_items(kind)] for kind in ASSISTANT_KINDS}


def test_notes_lists_and_timers_outlive_the_transcript_retention(data_dir: Path,
                                                                  memory_keyring: MemoryKeyring) -> None:
    """With "24 h" a timer for the day after tomorrow must still ring; notes stay."""
    clock = Clock()
    store = keyring_store(data_dir, memory_keyring, clock, retention="24h").open()
    store.append("set a timer for the day after tomorrow")
    store.put_item(TIMER_KIND, "t1", {"due": (T0 + timedelta(days=2)).isoformat()})
    store.put_item(NOTE_KIND, "n1", {"text": "remember the lavender soap"})
    store.put_item(LIST_KIND, "l1", {"list": "shopping", "text": "milk"})
    store.put_item(PRIVACY_EVENT, "e1", {"kind": "mic"})
    clock.advance(days=2)
    assert store.purge_expired() == 2  # the transcript and the privacy event
    assert store.count() == 0 and store.get_items(PRIVACY_EVENT) == []
    assert _assistant_items(store) == {NOTE_KIND: ["n1"], LIST_KIND: ["l1"], TIMER_KIND: ["t1"]}
    store.close()
    clock.advance(days=400)
    store.retention = "18m"
    store.open()  # opening purges too
    assert _assistant_items(store) == {NOTE_KIND: ["n1"], LIST_KIND: ["l1"], TIMER_KIND: ["t1"]}
    # The user removes them: one by one, or everything with a wipe.
    assert store.delete_item(LIST_KIND, "l1") is True
    store.wipe()
    assert _assistant_items(store) == {NOTE_KIND: [], LIST_KIND: [], TIMER_KIND: []}


def test_notes_survive_dont_save(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    """"Don't save" keeps no transcript, but a note asked for is kept, across restarts."""
    clock = Clock()
    store = keyring_store(data_dir, memory_keyring, clock, retention="off").open()
    store.put_item(NOTE_KIND, "n1", {"text": "a note I asked for"})
    assert store.append("note that I asked for a note") is None
    clock.advance(seconds=1)
    assert store.purge_expired() == 0
    store.close()
    clock.advance(minutes=5)
    store.open()
    assert [i["data"] for i in store.get_items(NOTE_KIND)] == [{"text": "a note I asked for"}]


def test_items(store: HistoryStore, clock: Clock) -> None:
    store.put_item("notes", "a", {"text": "note a", "n": 1})
    clock.advance(seconds=1)
    store.put_item("notes", "b", {"text": "note b"})
    store.put_item("timers", "a", {"seconds": 300})
    notes = store.get_items("notes")
    assert [(i["id"], i["kind"], i["data"]) for i in notes] == [
        ("a", "notes", {"text": "note a", "n": 1}), ("b", "notes", {"text": "note b"})]
    clock.advance(seconds=1)
    store.put_item("notes", "a", {"text": "changed"})  # now the most recently changed
    assert store.get_items("notes")[-1]["data"] == {"text": "changed"}
    assert store.delete_item("notes", "a") is True
    assert store.delete_item("notes", "a") is False
    assert [i["id"] for i in store.get_items("notes")] == ["b"]
    assert store.get_items("timers")[0]["data"] == {"seconds": 300}
    assert store.get_items("nothing") == []


def test_export_md_and_json(store: HistoryStore, clock: Clock) -> None:
    a = store.append("hello export", duration_s=1.5, model="tiny.en", action={"reply": "Hi!"})
    clock.advance(seconds=5)
    b = store.append("second line")
    doc = json.loads(store.export(None, "json"))
    assert doc["format"] == "trayassist-history"
    assert [r["id"] for r in doc["records"]] == [a, b]  # oldest first
    assert doc["records"][0] == {"id": a, "time": T0.isoformat(), "duration_s": 1.5,
                                 "model": "tiny.en", "text": "hello export", "action": {"reply": "Hi!"}}
    md = store.export([b], "md")
    assert "second line" in md and "hello export" not in md and md.startswith("# TrayAssist history")
    assert "> Assistant: Hi!" in store.export([a], "md")
    assert json.loads(store.export([], "json"))["records"] == []
    with pytest.raises(RecordNotFound):
        store.export([a, 12345], "md")
    with pytest.raises(ValueError):
        store.export(None, "csv")


def test_wipe_crypto_erases_a_copy_made_before(data_dir: Path, memory_keyring: MemoryKeyring,
                                                tmp_path: Path) -> None:
    store = keyring_store(data_dir, memory_keyring).open()
    for i in range(50):
        store.append(f"secret number {i}")
    store.put_item("notes", "x", {"text": "secret note"})
    old_meta = json.loads((data_dir / "history-key.json").read_text())
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    with sqlite3.connect(copy / "history.sqlite3") as db:
        old_rows = db.execute("SELECT id, ts_ms, kind, blob FROM records").fetchall()

    store.wipe()

    assert store.count() == 0 and store.get_items("notes") == []
    new_meta = json.loads((data_dir / "history-key.json").read_text())
    assert new_meta["key_id"] != old_meta["key_id"]
    assert all(old_meta["key_id"] not in user for _, user in memory_keyring.entries)
    with sqlite3.connect(data_dir / "history.sqlite3") as db:
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    raw = (data_dir / "history.sqlite3").read_bytes()
    assert not any(bytes(blob)[1:13] in raw for *_, blob in old_rows)  # no old nonce left
    # The pre-wipe copy: its key is gone from the keyring...
    copy_store = keyring_store(copy, memory_keyring)
    with pytest.raises(KeyMissing):
        copy_store.open()
    # ...and no key that exists now opens any of its records.
    [(_, user)] = memory_keyring.entries
    new_key = RecordCipher(base64.b64decode(memory_keyring.entries[("trayassist", user)]),
                           old_meta["key_id"])
    for rid, ts, kind, blob in old_rows:
        with pytest.raises(RecordTampered):
            new_key.open(kind, rid, ts, blob)
    # The store is usable at once with the fresh key.
    assert store.append("after wipe") == 1


def test_wipe_with_passphrase_and_when_locked(data_dir: Path, tmp_path: Path) -> None:
    store = passphrase_store(data_dir, "pw one").open()
    store.append("before")
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    store.close()
    # Forgot the passphrase: the wipe still works and the new passphrase takes over.
    locked = passphrase_store(data_dir, "pw two")
    with pytest.raises(Exception, match="wrong history passphrase"):
        locked.open()
    locked.wipe()
    assert locked.count() == 0
    with pytest.raises(Exception, match="wrong history passphrase"):
        passphrase_store(data_dir, "pw one").open()
    # The old copy's salt is gone from the live metadata: it does not open with it.
    shutil.copy(data_dir / "history-key.json", copy / "history-key.json")
    with pytest.raises(KeyMismatch):
        passphrase_store(copy, "pw two").open()


def test_wipe_of_a_damaged_file_removes_it(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    (data_dir / "history.sqlite3").write_bytes(b"garbage" * 100)
    store = keyring_store(data_dir, memory_keyring)
    with pytest.raises(DatabaseDamaged):
        store.open()
    store.wipe()
    assert store.is_open and store.count() == 0


@pytest.mark.parametrize("damage", ["not_sqlite", "truncated", "newer", "foreign"])
def test_damaged_or_newer_file_is_left_untouched(data_dir: Path, memory_keyring: MemoryKeyring,
                                                  damage: str) -> None:
    db_path = data_dir / "history.sqlite3"
    s = keyring_store(data_dir, memory_keyring).open()
    for i in range(300):
        s.append(f"row {i} " + "x" * 200)
    s.close()
    if damage == "not_sqlite":
        db_path.write_bytes(b"this is not a database at all\n" * 50)
    elif damage == "truncated":
        data = db_path.read_bytes()
        db_path.write_bytes(data[: len(data) // 2])
    elif damage == "newer":
        with sqlite3.connect(db_path) as db:
            db.execute("PRAGMA user_version = 99")
    else:
        with sqlite3.connect(db_path) as db:
            db.execute("PRAGMA application_id = 1234")
    before = db_path.read_bytes()
    store = keyring_store(data_dir, memory_keyring)
    expected = DatabaseTooNew if damage == "newer" else DatabaseDamaged
    with pytest.raises(expected) as info:
        store.open()
    message = str(info.value)
    assert "\n" not in message and "history.sqlite3" in message
    assert db_path.read_bytes() == before
    assert [p.name for p in data_dir.iterdir() if p.name.startswith("history.sqlite3")] == ["history.sqlite3"]
    # Only when the user chooses: kept aside with a timestamp, and a new history starts.
    aside = store.start_fresh()
    assert aside is not None and aside.read_bytes() == before
    assert store.count() == 0 and store.append("fresh") is not None


def test_a_second_process_sees_changes(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    app = keyring_store(data_dir, memory_keyring).open()
    cli = keyring_store(data_dir, memory_keyring).open()
    ids = [app.append(f"line {i}") for i in range(3)]
    assert len(app.search("line")) == 3  # the app's index is warm
    assert cli.delete(ids[0])
    assert [r.id for r in app.search("line")] == ids[:0:-1]
    cli.wipe()  # the CLI wipes while the app runs: the app follows the new key
    assert app.search("line") == []
    assert app.append("after the cli wiped") is not None
    assert cli.list()[0].text == "after the cli wiped"


def test_key_of_another_database_is_refused(data_dir: Path, memory_keyring: MemoryKeyring,
                                             tmp_path: Path) -> None:
    keyring_store(data_dir, memory_keyring).open().append("a")
    other = tmp_path / "other"
    other.mkdir()
    keyring_store(other, memory_keyring).open().append("b")
    shutil.copy(other / "history-key.json", data_dir / "history-key.json")
    with pytest.raises(KeyMismatch, match="does not belong to this database"):
        keyring_store(data_dir, memory_keyring).open()


def test_session_store_never_touches_disk(data_dir: Path) -> None:
    keys = KeyManager(data_dir / "history-key.json", SessionProvider())
    store = HistoryStore(None, keys).open()
    store.append("only in memory")
    assert store.search("memory")[0].text == "only in memory"
    store.wipe()
    assert store.count() == 0
    assert os.listdir(data_dir) == []
