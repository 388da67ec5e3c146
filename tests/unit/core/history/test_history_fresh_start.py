"""`history start-fresh` and the app's start_new_history: a history that cannot be
opened is kept aside byte for byte and a new one starts; a healthy one is never moved."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.unit.core.history.support import MemoryKeyring, keyring_module, keyring_store, passphrase_store
from tests.unit.core.history.test_history_cli import harness
from trayassist.builder import Remedy, ServiceBuilder
from trayassist.core.config import Settings
from trayassist.core.history.factory import set_history_aside
from trayassist.core.paths import Paths

pytestmark = pytest.mark.unit
PW = "fresh start passphrase"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.from_basedir(tmp_path / "base").ensure()


@pytest.fixture
def pw_file(paths: Paths, tmp_path: Path) -> Path:
    store = passphrase_store(paths.data, PW, clock=lambda: datetime.now(UTC)).open()
    store.append("the old words")
    store.close()
    f = tmp_path / "pw"
    f.write_text(PW + "\n")
    return f


def aside_files(paths: Paths, name: str) -> list[Path]:
    return sorted(p for p in paths.data.glob(f"{name}.aside-*") if not p.name.endswith("-journal"))


def test_damaged_database_is_kept_aside_and_a_new_history_works(paths: Paths, pw_file: Path) -> None:
    paths.history_db.write_bytes(b"SQLite format 3\x00" + b"\x17" * 5000)
    damaged = sha(paths.history_db)
    key_record = sha(paths.data / "history-key.json")
    code, _, err = harness(["history", "list", "--passphrase-file", str(pw_file)], paths)
    assert code == 1 and err.count("\n") == 1
    assert "nothing was changed" in err and "`trayassist history start-fresh` starts a new history" in err

    code, out, err = harness(["history", "start-fresh", "--passphrase-file", str(pw_file)], paths)
    assert (code, err) == (0, ""), err
    [old_db] = aside_files(paths, paths.history_db.name)
    [old_key] = aside_files(paths, "history-key.json")
    assert f"kept aside as {old_db}" in out and out.count("\n") == 1
    assert sha(old_db) == damaged and sha(old_key) == key_record  # untouched, byte for byte
    assert old_key.name.split(".aside-")[1] == old_db.name.split(".aside-")[1]  # one stamp pairs them

    code, out, _ = harness(["history", "list", "--json", "--passphrase-file", str(pw_file)], paths)
    assert (code, json.loads(out)) == (0, [])
    code, _, err = harness(["history", "start-fresh", "--passphrase-file", str(pw_file)], paths)
    assert code == 1 and "opens fine" in err and aside_files(paths, paths.history_db.name) == [old_db]

    code, out, _ = harness(["history", "wipe", "--yes", "--passphrase-file", str(pw_file)], paths)
    assert code == 0 and not aside_files(paths, paths.history_db.name)
    assert not aside_files(paths, "history-key.json")


def test_damaged_key_record_with_the_keyring(paths: Paths) -> None:
    kr = MemoryKeyring()
    store = keyring_store(paths.data, kr, clock=lambda: datetime.now(UTC)).open()
    store.append("kept with the keyring")
    store.close()
    (paths.data / "history-key.json").write_text("{ not json")
    db = sha(paths.history_db)
    module = keyring_module(kr)
    builder = ServiceBuilder(paths, {}, keyring_module=module)
    opening = builder.open_history(Settings())
    assert opening.store is None and opening.remedy is Remedy.FRESH_START
    assert "history-key.json" in (opening.problem or "")
    opening = builder.start_new_history(Settings())
    assert opening.store is not None and opening.store.count() == 0
    opening.store.append("new words")
    opening.store.close()
    assert sha(Path(opening.aside or "")) == db
    assert (paths.data / "history-key.json").exists()


def test_wrong_passphrase_or_newer_database_is_never_set_aside(paths: Paths, pw_file: Path,
                                                                tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    before = {p.name: sha(p) for p in paths.data.iterdir()}
    code, _, err = harness(["history", "start-fresh", "--passphrase-file", str(wrong)], paths)
    assert code == 1 and "wrong history passphrase; nothing was set aside" in err
    conn = sqlite3.connect(paths.history_db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = {p.name: sha(p) for p in paths.data.iterdir()}
    code, _, err = harness(["history", "start-fresh", "--passphrase-file", str(pw_file)], paths)
    assert code == 1 and "newer TrayAssist" in err and "nothing was set aside" in err
    assert {p.name: sha(p) for p in paths.data.iterdir()} == before


def test_nothing_to_set_aside(paths: Paths) -> None:
    code, out, _ = harness(["history", "start-fresh"], paths)
    assert (code, out) == (0, "there is no history yet, so nothing was set aside\n")
    assert list(paths.data.iterdir()) == []


def test_two_set_asides_in_one_second_keep_both(paths: Paths) -> None:
    now = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
    first = b"first damaged file"
    paths.history_db.write_bytes(first)
    a = set_history_aside(paths, clock=lambda: now)
    paths.history_db.write_bytes(b"second damaged file")
    b = set_history_aside(paths, clock=lambda: now)
    assert a is not None and b is not None and a != b
    assert a.read_bytes() == first and b.read_bytes() == b"second damaged file"
    assert set_history_aside(paths, clock=lambda: now) is None  # nothing left to move
