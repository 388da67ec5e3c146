"""Builds the HistoryStore the settings ask for (the app and the CLI share this)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings
from trayassist.core.history.database import aside_stamp, utc_now
from trayassist.core.history.errors import WipeIncomplete
from trayassist.core.history.keys import (
    KdfParams,
    KeyManager,
    KeyProvider,
    KeyringProvider,
    provider_for,
)
from trayassist.core.history.store import HistoryStore
from trayassist.core.paths import Paths

KEY_META_NAME = "history-key.json"


def key_meta_path(paths: Paths) -> Path:
    return paths.data / KEY_META_NAME


def build_store(
    paths: Paths,
    settings: Settings,
    keyring_module: Any = None,
    passphrase: str | None = None,
    clock: Callable[[], datetime] = utc_now,
    kdf_params: KdfParams | None = None,
) -> HistoryStore | None:
    """An unopened store (call .open()), or None when history_key_backend is "off".

    Raises KeyUnavailable (e.g. PassphraseNeeded, or no secure keyring with "auto")
    with a message naming the user's choices."""
    meta_path = key_meta_path(paths)
    provider = provider_for(settings.history_key_backend, meta_path, keyring_module,
                            passphrase, kdf_params)
    if provider is None:
        return None
    cleanup: tuple[KeyProvider, ...] = ()
    if keyring_module is not None and provider.name != "keyring":
        # So a wipe also destroys a key an earlier backend left in the keyring.
        cleanup = (KeyringProvider(keyring_module),)
    keys = KeyManager(meta_path, provider, cleanup)
    db = paths.history_db if provider.persistent else None
    return HistoryStore(db, keys, retention=settings.history_retention, clock=clock)


def set_history_aside(paths: Paths, clock: Callable[[], datetime] = utc_now) -> Path | None:
    """Keep the current history aside, untouched, so a new one can start even when it
    cannot be opened at all (damaged file, damaged or missing key record): the database
    with its journal and history-key.json get `.aside-<stamp>` names (`wipe` erases
    them later). Returns where the database went, None if there was none."""
    from trayassist.core.history import dbfile

    meta = key_meta_path(paths)
    stamp = aside_stamp(clock(), paths.history_db, meta)
    aside = dbfile.set_aside(paths.history_db, stamp)
    KeyManager(meta, _DiskOnly()).set_aside(stamp)
    return aside


def wipe_without_key(paths: Paths, keyring_module: Any = None) -> bool:
    """Erase the history when it cannot be unlocked (forgotten passphrase, no keyring):
    destroy a keyring key if one is recorded, drop the key record, delete the database
    and anything kept aside. Returns False when there was nothing to erase; raises
    WipeIncomplete when a keyring key could not be destroyed (it is kept pending)."""
    from trayassist.core.history import dbfile, erase

    meta_path = key_meta_path(paths)
    cleanup: tuple[KeyProvider, ...] = (KeyringProvider(keyring_module),) if keyring_module else ()
    keys = KeyManager(meta_path, _DiskOnly(), cleanup)
    found = meta_path.exists() or paths.history_db.exists() or keys.pending_path.exists()
    keys.destroy()
    dbfile.unlink_all(paths.history_db)
    for path in paths.data.glob(f"{paths.history_db.name}.aside-*"):
        found = True
        dbfile.unlink_all(path)
    for path in paths.data.glob(f"{KEY_META_NAME}.aside-*"):
        found = True
        keys.destroy_aside(path)
    pending = keys.pending()
    if pending:
        raise WipeIncomplete(erase.pending_message(pending))
    return found


class _DiskOnly:
    """A provider that holds nothing but reads, moves and removes the metadata file on disk
    (wiping or setting aside a history whose key cannot be had)."""

    name = "none"
    persistent = True

    def create(self, key_id: str) -> tuple[bytes, dict[str, Any]]:
        raise RuntimeError("a disk-only key manager never creates keys")

    def load(self, key_id: str, meta: dict[str, Any]) -> bytes:
        raise RuntimeError("a disk-only key manager never loads keys")

    def destroy(self, key_id: str, meta: dict[str, Any]) -> None:
        return None

    def holds(self, key_id: str, meta: dict[str, Any]) -> bool:
        return False
