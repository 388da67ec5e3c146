"""Tampering with stored ciphertext fails loudly: swapped, flipped, re-labelled, truncated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.unit.core.history.support import MemoryKeyring, keyring_store
from trayassist.core.history import HistoryStore, RecordTampered
from trayassist.core.history.crypto import RecordCipher, record_aad

pytestmark = pytest.mark.unit

KEY = bytes(range(32))


def test_seal_open_roundtrip_and_fresh_nonce() -> None:
    c = RecordCipher(KEY, "k1")
    a = c.seal("utterance", 1, 1000, b"hello")
    b = c.seal("utterance", 1, 1000, b"hello")
    assert a != b  # a new random nonce each time
    assert c.open("utterance", 1, 1000, a) == b"hello"
    assert b"hello" not in a


@pytest.mark.parametrize(
    ("kind", "rid", "ts", "key_id"),
    [("item/x", 1, 1000, "k1"), ("utterance", 2, 1000, "k1"),
     ("utterance", 1, 1001, "k1"), ("utterance", 1, 1000, "k2")],
)
def test_every_aad_field_is_bound(kind: str, rid: int, ts: int, key_id: str) -> None:
    blob = RecordCipher(KEY, "k1").seal("utterance", 1, 1000, b"hello")
    with pytest.raises(RecordTampered) as info:
        RecordCipher(KEY, key_id).open(kind, rid, ts, blob)
    assert info.value.ids == [rid]


def test_aad_fields_cannot_run_into_each_other() -> None:
    assert record_aad("ab", 1, 5, "k") != record_aad("a", "b1", 5, "k")
    assert record_aad("a", 12, 3, "k") != record_aad("a", 1, 23, "k")


def test_wrong_key_and_short_blob() -> None:
    blob = RecordCipher(KEY, "k1").seal("utterance", 1, 1000, b"hello")
    with pytest.raises(RecordTampered):
        RecordCipher(bytes(32), "k1").open("utterance", 1, 1000, blob)
    with pytest.raises(RecordTampered):
        RecordCipher(KEY, "k1").open("utterance", 1, 1000, blob[:20])
    with pytest.raises(ValueError):
        RecordCipher(b"short", "k1")


@pytest.fixture
def filled(data_dir: Path, memory_keyring: MemoryKeyring) -> HistoryStore:
    store = keyring_store(data_dir, memory_keyring).open()
    for i in range(4):
        store.append(f"utterance number {i}", duration_s=1.0 + i, model="tiny.en")
    store.close()
    return store


def _raw(store: HistoryStore) -> sqlite3.Connection:
    assert store.db_path is not None
    return sqlite3.connect(store.db_path, isolation_level=None)


def _all_reads_fail(store: HistoryStore, bad_ids: list[int]) -> None:
    store.open()
    for bad in bad_ids:
        with pytest.raises(RecordTampered) as info:
            store.get(bad)
        assert info.value.ids == [bad]
    for read in (lambda: store.list(), lambda: store.search("utterance"),
                 lambda: store.export(None, "json")):
        with pytest.raises(RecordTampered) as info:
            read()
        assert info.value.ids == sorted(bad_ids)
        assert "failed authentication" in str(info.value)


def test_swapped_blobs_between_rows(filled: HistoryStore) -> None:
    with _raw(filled) as db:
        b1 = db.execute("SELECT blob FROM records WHERE id = 1").fetchone()[0]
        b2 = db.execute("SELECT blob FROM records WHERE id = 2").fetchone()[0]
        db.execute("UPDATE records SET blob = ? WHERE id = 1", (b2,))
        db.execute("UPDATE records SET blob = ? WHERE id = 2", (b1,))
    _all_reads_fail(filled, [1, 2])
    assert filled.get(3).text == "utterance number 2"  # untouched rows still open


def test_flipped_byte(filled: HistoryStore) -> None:
    with _raw(filled) as db:
        blob = bytearray(db.execute("SELECT blob FROM records WHERE id = 3").fetchone()[0])
        blob[-5] ^= 0x01
        db.execute("UPDATE records SET blob = ? WHERE id = 3", (bytes(blob),))
    _all_reads_fail(filled, [3])


@pytest.mark.parametrize("change", ["ts_ms = ts_ms + 1", "kind = 'note'", "id = 99"])
def test_changed_metadata_columns(filled: HistoryStore, change: str) -> None:
    with _raw(filled) as db:
        db.execute(f"UPDATE records SET {change} WHERE id = 4")
    _all_reads_fail(filled, [99 if change.startswith("id") else 4])


def test_item_blob_moved_into_records(filled: HistoryStore) -> None:
    filled.open()
    filled.put_item("notes", "4", {"text": "a note"})
    filled.close()
    with _raw(filled) as db:
        db.execute("UPDATE records SET blob = (SELECT blob FROM items WHERE item_id = '4'), "
                   "ts_ms = (SELECT ts_ms FROM items WHERE item_id = '4') WHERE id = 4")
    _all_reads_fail(filled, [4])


def test_truncated_blob(filled: HistoryStore) -> None:
    with _raw(filled) as db:
        blob = db.execute("SELECT blob FROM records WHERE id = 2").fetchone()[0]
        db.execute("UPDATE records SET blob = ? WHERE id = 2", (blob[: len(blob) - 3],))
    _all_reads_fail(filled, [2])


def test_tampered_record_can_be_deleted_then_rest_reads(filled: HistoryStore) -> None:
    with _raw(filled) as db:
        db.execute("UPDATE records SET blob = x'00' WHERE id = 2")
    filled.open()
    with pytest.raises(RecordTampered):
        filled.search("number")
    assert filled.delete(2)
    assert [r.id for r in filled.search("number")] == [4, 3, 1]


def test_items_are_bound_to_kind_and_id(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    store = keyring_store(data_dir, memory_keyring).open()
    store.put_item("notes", "a", {"text": "first"})
    store.put_item("notes", "b", {"text": "second"})
    store.put_item("timeline", "a", {"event": "mic"})
    store.close()
    with _raw(store) as db:
        a = db.execute("SELECT blob FROM items WHERE kind='notes' AND item_id='a'").fetchone()[0]
        db.execute("UPDATE items SET blob = ? WHERE kind='timeline' AND item_id='a'", (a,))
        b = db.execute("SELECT blob FROM items WHERE kind='notes' AND item_id='b'").fetchone()[0]
        db.execute("UPDATE items SET blob = ? WHERE kind='notes' AND item_id='a'", (b,))
    store.open()
    with pytest.raises(RecordTampered) as info:
        store.get_items("timeline")
    assert info.value.ids == ["a"] and info.value.kind == "timeline"
    with pytest.raises(RecordTampered) as info:
        store.get_items("notes")
    assert info.value.ids == ["a"]
