"""Wipe when the OS keyring cannot be reached (locked, or no D-Bus in an SSH session):
the wipe says "incomplete", keeps what it needs to finish, and finishes at the next
start or wipe once the keyring answers again. A keyring that raises stands in for it."""

from __future__ import annotations

import json
import shutil
import types
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked

from tests.unit.core.history.support import MemoryKeyring, keyring_store
from trayassist.core.config import Settings
from trayassist.core.history import HistoryStore, KeyMissing, WipeIncomplete
from trayassist.core.history.factory import build_store, wipe_without_key
from trayassist.core.paths import Paths

pytestmark = pytest.mark.unit


class FlakyKeyring(MemoryKeyring):
    """A secure keyring that can be made unreachable: locked (every call raises), or gone
    altogether (no D-Bus: `keyring` falls back to its fail backend)."""

    def __init__(self) -> None:
        super().__init__()
        self.state = "ok"

    def _check(self) -> None:
        if self.state == "locked":
            raise KeyringLocked("the collection is locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        super().delete_password(service, username)


def module_for(backend: FlakyKeyring) -> Any:
    return types.SimpleNamespace(
        get_keyring=lambda: fail.Keyring() if backend.state == "gone" else backend)


def flaky_store(data: Path, backend: FlakyKeyring) -> HistoryStore:
    from trayassist.core.history import KeyManager, KeyringProvider

    keys = KeyManager(data / "history-key.json", KeyringProvider(module_for(backend)))
    return HistoryStore(data / "history.sqlite3", keys)


def old_key_of(data: Path) -> str:
    return str(json.loads((data / "history-key.json").read_text())["key_id"])


@pytest.mark.parametrize("why", ["locked", "gone"])
def test_wipe_with_an_unreachable_keyring_is_incomplete_and_finishes_later(
        data_dir: Path, tmp_path: Path, why: str) -> None:
    backend = FlakyKeyring()
    store = flaky_store(data_dir, backend).open()
    store.append("a secret the wipe must make unreadable")
    key_id = old_key_of(data_dir)
    secret = backend.entries[("trayassist", f"history-key-{key_id}")]
    backup = tmp_path / "backup"  # a copy of the data folder taken before the wipe
    shutil.copytree(data_dir, backup)

    backend.state = why
    with pytest.raises(WipeIncomplete, match="wipe incomplete") as caught:
        store.wipe()
    assert "OS keyring" in str(caught.value) and "next start" in str(caught.value)
    assert ("trayassist", f"history-key-{key_id}") in backend.entries  # truly still there
    # What is needed to finish is kept, and nothing more: the id, never the key.
    pending = (data_dir / "history-key.wipe-pending.json").read_text()
    assert key_id in pending and secret not in pending
    assert not (data_dir / "history-key.json").exists()  # the old key is never reused
    assert flaky_store(data_dir, backend).keys.pending()[0]["key_id"] == key_id

    # The keyring answers again: the next start destroys the old key, then makes a new one.
    backend.state = "ok"
    again = flaky_store(data_dir, backend).open()
    assert ("trayassist", f"history-key-{key_id}") not in backend.entries
    assert not (data_dir / "history-key.wipe-pending.json").exists()
    assert again.count() == 0 and old_key_of(data_dir) != key_id
    # The backup no longer opens: its key is gone for good.
    with pytest.raises(KeyMissing):
        flaky_store(backup, backend).open()


def test_a_second_wipe_finishes_the_first(data_dir: Path) -> None:
    backend = FlakyKeyring()
    store = flaky_store(data_dir, backend).open()
    store.append("something")
    key_id = old_key_of(data_dir)
    backend.state = "locked"
    with pytest.raises(WipeIncomplete):
        store.wipe()
    with pytest.raises(WipeIncomplete):  # still locked: still incomplete, still pending
        flaky_store(data_dir, backend).wipe()
    assert flaky_store(data_dir, backend).keys.pending()[0]["key_id"] == key_id
    backend.state = "ok"
    flaky_store(data_dir, backend).wipe()
    assert backend.entries.keys() == {("trayassist", f"history-key-{old_key_of(data_dir)}")}
    assert not (data_dir / "history-key.wipe-pending.json").exists()


def test_opening_while_still_unreachable_keeps_the_pending_record(data_dir: Path) -> None:
    backend = FlakyKeyring()
    store = flaky_store(data_dir, backend).open()
    backend.state = "locked"
    with pytest.raises(WipeIncomplete):
        store.wipe()
    with pytest.raises(Exception, match="keyring"):
        flaky_store(data_dir, backend).open()
    assert (data_dir / "history-key.wipe-pending.json").exists()


def test_keys_kept_aside_are_pending_too(data_dir: Path) -> None:
    """A history set aside by start-fresh has its own keyring key: a wipe must not drop
    its record while that key cannot be destroyed."""
    backend = FlakyKeyring()
    store = flaky_store(data_dir, backend).open()
    first = old_key_of(data_dir)
    (data_dir / "history.sqlite3").write_bytes(b"damage")  # forces start-fresh
    store.close()
    store.start_fresh()
    second = old_key_of(data_dir)
    backend.state = "locked"
    with pytest.raises(WipeIncomplete):
        store.wipe()
    assert {m["key_id"] for m in store.keys.pending()} == {first, second}
    assert not list(data_dir.glob("history-key.json.aside-*"))
    backend.state = "ok"
    flaky_store(data_dir, backend).open()
    assert {u for _s, u in backend.entries} == {f"history-key-{old_key_of(data_dir)}"}


def test_wipe_without_key_reports_incomplete(tmp_path: Path) -> None:
    """The CLI's path when the history cannot even be opened (no keyring to unlock it)."""
    paths = Paths.from_basedir(tmp_path).ensure()
    backend = FlakyKeyring()
    store = build_store(paths, Settings(history_key_backend="keyring"), module_for(backend))
    assert store is not None
    store.open().append("x")
    store.close()
    key_id = old_key_of(paths.data)
    backend.state = "gone"
    with pytest.raises(WipeIncomplete, match="wipe incomplete"):
        wipe_without_key(paths, module_for(backend))
    assert not paths.history_db.exists()
    assert ("trayassist", f"history-key-{key_id}") in backend.entries
    backend.state = "ok"
    assert wipe_without_key(paths, module_for(backend)) is True
    assert backend.entries == {}


def test_a_passphrase_wipe_never_waits_for_an_absent_keyring(data_dir: Path) -> None:
    """Passphrase keys go with their salt: no keyring at all must not make it incomplete."""
    from tests.unit.core.history.support import passphrase_store

    store = passphrase_store(data_dir).open()
    store.append("x")
    store.wipe()
    assert not (data_dir / "history-key.wipe-pending.json").exists()


def test_memory_keyring_store_still_wipes_completely(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    store = keyring_store(data_dir, memory_keyring).open()
    store.append("x")
    store.wipe()
    assert len(memory_keyring.entries) == 1 and store.keys.pending() == []
