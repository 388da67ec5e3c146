"""Key providers: OS keyring (secure or not), passphrase, session; backend changes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring

from tests.unit.core.history.support import (
    CHEAP_KDF,
    MemoryKeyring,
    keyring_module,
    keyring_store,
    passphrase_store,
)
from trayassist.core.config import Settings
from trayassist.core.history import (
    KeyBackendChanged,
    KeyManager,
    KeyMissing,
    KeyUnavailable,
    PassphraseNeeded,
    PassphraseProvider,
    SessionProvider,
    WrongPassphrase,
)
from trayassist.core.history.factory import build_store
from trayassist.core.history.keys import KeyringProvider, provider_for, secure_backend
from trayassist.core.paths import Paths

pytestmark = pytest.mark.unit


@pytest.fixture
def plaintext_keyring(tmp_path: Path) -> PlaintextKeyring:
    kr = PlaintextKeyring()
    kr.file_path = str(tmp_path / "keyring_pass.cfg")  # never the real home
    return kr


def test_insecure_backends_are_refused(data_dir: Path, plaintext_keyring: PlaintextKeyring) -> None:
    for backend in (keyring.backends.null.Keyring(), keyring.backends.fail.Keyring(), plaintext_keyring):
        module = keyring_module(backend)
        assert secure_backend(module) is None
        store = keyring_store(data_dir, backend)
        with pytest.raises(KeyUnavailable) as info:
            store.open()
        assert "no secure OS keyring" in str(info.value)
        assert "passphrase, session or off" in str(info.value)
        assert not (data_dir / "history-key.json").exists()
        store.close()
    assert not Path(plaintext_keyring.file_path).exists()  # nothing was written to it


def test_auto_without_secure_keyring_names_the_choices(data_dir: Path) -> None:
    with pytest.raises(KeyUnavailable) as info:
        provider_for("auto", data_dir / "history-key.json", keyring_module(keyring.backends.fail.Keyring()))
    assert "passphrase, session or off" in str(info.value)
    assert provider_for("off", data_dir / "k.json") is None
    with pytest.raises(PassphraseNeeded):
        provider_for("passphrase", data_dir / "k.json")
    assert isinstance(provider_for("session", data_dir / "k.json"), SessionProvider)


class _PlaintextInChain(PlaintextKeyring):
    priority = 9  # ranks above the secure one: must still never be chosen


def test_chainer_uses_the_secure_child_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secure = MemoryKeyring()
    plain = _PlaintextInChain()
    plain.file_path = str(tmp_path / "plain.cfg")
    monkeypatch.setattr(ChainerBackend, "backends", [plain, secure])
    module = keyring_module(ChainerBackend())
    assert secure_backend(module) is secure
    store = keyring_store(tmp_path, ChainerBackend()).open()
    store.append("hello")
    assert len(secure.entries) == 1
    assert not Path(plain.file_path).exists()


def test_keyring_key_and_metadata(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    store = keyring_store(data_dir, memory_keyring).open()
    store.append("something private")
    meta_file = data_dir / "history-key.json"
    meta = json.loads(meta_file.read_text())
    assert meta["backend"] == "keyring"
    assert stat.S_IMODE(meta_file.stat().st_mode) == 0o600
    [(service, user)] = memory_keyring.entries
    assert service == "trayassist" and user == f"history-key-{meta['key_id']}"
    secret = memory_keyring.entries[(service, user)]
    assert secret not in meta_file.read_text()
    store.close()
    # Reopening loads the same key.
    again = keyring_store(data_dir, memory_keyring).open()
    assert again.list()[0].text == "something private"
    # The key vanished from the keyring: a clear error, the file stays as it was.
    before = (data_dir / "history.sqlite3").read_bytes()
    again.close()
    memory_keyring.entries.clear()
    with pytest.raises(KeyMissing) as info:
        keyring_store(data_dir, memory_keyring).open()
    assert "missing from the OS keyring" in str(info.value)
    assert (data_dir / "history.sqlite3").read_bytes() == before


def test_passphrase_right_and_wrong(data_dir: Path) -> None:
    store = passphrase_store(data_dir, "right one").open()
    rid = store.append("passphrase protected")
    store.close()
    meta = json.loads((data_dir / "history-key.json").read_text())
    assert meta["backend"] == "passphrase" and meta["kdf"] == "argon2id"
    assert {"salt", "verifier", "memory_cost_kib", "iterations", "lanes"} <= meta.keys()
    with pytest.raises(WrongPassphrase) as info:
        passphrase_store(data_dir, "wrong one").open()
    assert str(info.value) == "wrong history passphrase"
    assert passphrase_store(data_dir, "right one").open().get(rid).text == "passphrase protected"


def test_empty_passphrase_refused() -> None:
    with pytest.raises(KeyUnavailable):
        PassphraseProvider("", CHEAP_KDF)


def test_damaged_kdf_params_are_refused(data_dir: Path) -> None:
    passphrase_store(data_dir).open().close()
    meta_file = data_dir / "history-key.json"
    meta = json.loads(meta_file.read_text())
    meta["memory_cost_kib"] = 10**12
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(KeyUnavailable, match="bad memory_cost_kib"):
        passphrase_store(data_dir).open()


def test_backend_change_prompts_instead_of_locking_out(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    store = keyring_store(data_dir, memory_keyring).open()
    rid = store.append("kept in the keyring")
    store.close()
    with pytest.raises(KeyBackendChanged) as info:
        passphrase_store(data_dir).open()
    assert str(info.value).startswith("the history key was kept in the OS keyring, now a passphrase is active")
    # Switching back works: nothing was lost or overwritten.
    assert keyring_store(data_dir, memory_keyring).open().get(rid).text == "kept in the keyring"
    # Or the user starts fresh: the old history and its key record are kept aside.
    fresh = passphrase_store(data_dir)
    with pytest.raises(KeyBackendChanged):
        fresh.open()
    aside = fresh.start_fresh()
    assert aside is not None and aside.exists() and ".aside-" in aside.name
    assert fresh.count() == 0
    assert list(data_dir.glob("history-key.json.aside-*"))
    assert json.loads((data_dir / "history-key.json").read_text())["backend"] == "passphrase"


def test_session_key_lives_in_memory_only(data_dir: Path) -> None:
    provider = SessionProvider()
    keys = KeyManager(data_dir / "history-key.json", provider)
    master = keys.unlock()
    assert master is not None and master.backend == "session"
    assert not (data_dir / "history-key.json").exists()
    assert keys.unlock() == master
    keys.destroy()
    assert not provider.holds(master.key_id, {})


def test_build_store_follows_settings(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    paths = Paths.from_basedir(tmp_path).ensure()
    module = keyring_module(memory_keyring)
    assert build_store(paths, Settings(history_key_backend="off"), module) is None
    session = build_store(paths, Settings(history_key_backend="session"), module)
    assert session is not None and session.db_path is None
    session.open().append("only in memory")
    assert not paths.history_db.exists()
    auto = build_store(paths, Settings(), module)
    assert auto is not None and isinstance(auto.keys.provider, KeyringProvider)
    auto.open().append("in the keyring")
    # With the keyring gone, "auto" still follows what history-key.json recorded.
    gone = keyring_module(keyring.backends.fail.Keyring())
    follow = build_store(paths, Settings(), gone)
    assert follow is not None and follow.keys.backend == "keyring"
    with pytest.raises(KeyUnavailable, match="no secure OS keyring"):
        follow.open()
