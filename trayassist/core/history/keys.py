"""Where the history master key lives: OS keyring, a passphrase, memory only, or nowhere.

`<data>/history-key.json` (0600) records the key id and which backend holds the key,
plus the passphrase salt, KDF parameters and a verifier; never the key itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from trayassist.core.atomic import write_atomic
from trayassist.core.history.crypto import KEY_BYTES
from trayassist.core.history.errors import (
    FRESH_HINT,
    KeyBackendChanged,
    KeyMissing,
    KeyRecordDamaged,
    KeyUnavailable,
)
from trayassist.core.history.keyring_key import (
    CHOICES_HINT,
    KeyringProvider,
    describe_backend,
    is_secure_backend,
    secure_backend,
)
from trayassist.core.history.passphrase_key import KdfParams, PassphraseProvider

# The providers live in their own modules; callers may keep importing them from here.
__all__ = ["KdfParams", "KeyringProvider", "PassphraseProvider", "describe_backend", "is_secure_backend",
           "secure_backend"]

META_VERSION = 1
# Backends holding keys outside our files: destroying their key needs them reachable.
EXTERNAL_BACKENDS = ("keyring",)
_PENDING_FIELDS = ("key_id", "backend", "keyring_service")
BACKEND_LABELS = {
    "keyring": "the OS keyring",
    "passphrase": "a passphrase",
    "session": "memory only (this session)",
}


@dataclass(frozen=True)
class MasterKey:
    key: bytes
    key_id: str
    backend: str


class KeyProvider(Protocol):
    name: str
    persistent: bool  # False: the key (and so the history) dies with the process

    def create(self, key_id: str) -> tuple[bytes, dict[str, Any]]: ...
    def load(self, key_id: str, meta: dict[str, Any]) -> bytes: ...
    def destroy(self, key_id: str, meta: dict[str, Any]) -> None: ...
    def holds(self, key_id: str, meta: dict[str, Any]) -> bool: ...


def label(backend: str) -> str:
    return BACKEND_LABELS.get(backend, backend)


# ---- memory only ------------------------------------------------------------------
class SessionProvider:
    """Key lives only in this process; at quit the history becomes noise."""

    name = "session"
    persistent = False

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}

    def create(self, key_id: str) -> tuple[bytes, dict[str, Any]]:
        self._keys[key_id] = secrets.token_bytes(KEY_BYTES)
        return self._keys[key_id], {}

    def load(self, key_id: str, meta: dict[str, Any]) -> bytes:
        try:
            return self._keys[key_id]
        except KeyError:
            raise KeyMissing("the session-only history key is gone (it never outlives the app)") from None

    def destroy(self, key_id: str, meta: dict[str, Any]) -> None:
        self._keys.pop(key_id, None)

    def holds(self, key_id: str, meta: dict[str, Any]) -> bool:
        return key_id in self._keys


# ---- choosing a provider -------------------------------------------------------------
class PassphraseNeeded(KeyUnavailable):
    def __init__(self) -> None:
        super().__init__("the history is locked with a passphrase; enter it to unlock")


def read_meta(path: Path) -> dict[str, Any] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise KeyRecordDamaged(f"{path.name} is unreadable or damaged; {FRESH_HINT}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("key_id"), str) \
            or raw.get("backend") not in BACKEND_LABELS:
        raise KeyRecordDamaged(f"{path.name} is damaged; {FRESH_HINT}")
    return raw


def provider_for(
    setting: str,
    meta_path: Path,
    keyring_module: Any = None,
    passphrase: str | None = None,
    passphrase_params: KdfParams | None = None,
) -> KeyProvider | None:
    """The provider for `history_key_backend`; None when history is off.

    `auto` follows the backend recorded in history-key.json, else the OS keyring
    if a secure one exists, else raises KeyUnavailable naming the choices."""
    if setting == "off":
        return None
    if setting == "auto":
        meta = read_meta(meta_path)
        if meta is not None:
            setting = meta["backend"]
        elif keyring_module is not None and secure_backend(keyring_module) is not None:
            setting = "keyring"
        elif passphrase:
            setting = "passphrase"
        else:
            found = describe_backend(keyring_module) if keyring_module is not None else "none"
            raise KeyUnavailable(f"no secure OS keyring for the history key (found {found}); {CHOICES_HINT}")
    if setting == "keyring":
        if keyring_module is None:
            raise KeyUnavailable(f"the keyring module is not available; {CHOICES_HINT}")
        return KeyringProvider(keyring_module)
    if setting == "passphrase":
        if not passphrase:
            raise PassphraseNeeded()
        return PassphraseProvider(passphrase, passphrase_params)
    if setting == "session":
        return SessionProvider()
    raise KeyUnavailable(f"unknown history_key_backend {setting!r}; expected auto, keyring, passphrase, session or off")


# ---- the manager -----------------------------------------------------------------------
class KeyManager:
    """Creates, loads and destroys the master key through one provider, and keeps
    history-key.json in step so a backend change is noticed instead of locking out."""

    def __init__(self, meta_path: Path, provider: KeyProvider,
                 cleanup: tuple[KeyProvider, ...] = ()) -> None:
        self.meta_path = meta_path
        self.provider = provider
        # Providers of other backends, used only to destroy their keys on wipe.
        self._cleanup = {p.name: p for p in cleanup}
        self._memory_meta: dict[str, Any] | None = None

    @property
    def backend(self) -> str:
        return self.provider.name

    def meta(self) -> dict[str, Any] | None:
        if not self.provider.persistent:
            return self._memory_meta
        return read_meta(self.meta_path)

    def unlock(self, create: bool = True) -> MasterKey | None:
        """The current key; a new one when none exists yet (if `create`). First finishes
        an earlier wipe whose key could not be destroyed then."""
        self.finish_pending()
        meta = self.meta()
        if meta is None:
            return self.create() if create else None
        if meta["backend"] != self.provider.name:
            raise KeyBackendChanged(label(meta["backend"]), label(self.provider.name))
        key = self.provider.load(meta["key_id"], meta)
        return MasterKey(key, meta["key_id"], self.provider.name)

    def create(self) -> MasterKey:
        key_id = secrets.token_hex(8)
        key, extra = self.provider.create(key_id)
        meta = {"version": META_VERSION, "key_id": key_id, "backend": self.provider.name} | extra
        if self.provider.persistent:
            write_atomic(self.meta_path, (json.dumps(meta, indent=2) + "\n").encode(), mode=0o600)
        else:
            self._memory_meta = meta
        return MasterKey(key, key_id, self.provider.name)

    # ---- destroying keys, now or as soon as their backend can be reached ----------------
    @property
    def pending_path(self) -> Path:
        """Keys a wipe could not destroy yet (id and backend, never key material)."""
        return self.meta_path.with_name(self.meta_path.stem + ".wipe-pending.json")

    def pending(self) -> list[dict[str, Any]]:
        try:
            raw = json.loads(self.pending_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            raw = None
        if not isinstance(raw, dict) or not isinstance(raw.get("keys"), list):
            # Unreadable: keep it, and say a wipe is unfinished rather than forget keys.
            return [{"key_id": "unknown", "backend": "keyring"}]
        return [m for m in raw["keys"] if isinstance(m, dict) and isinstance(m.get("key_id"), str)]

    def _write_pending(self, records: list[dict[str, Any]]) -> None:
        if records:
            body = json.dumps({"version": META_VERSION, "keys": records}, indent=2) + "\n"
            write_atomic(self.pending_path, body.encode(), mode=0o600)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.pending_path)

    def _owner(self, backend: str) -> KeyProvider | None:
        return self.provider if backend == self.provider.name else self._cleanup.get(backend)

    def _destroy_now(self, meta: dict[str, Any]) -> bool:
        """Destroy the key `meta` describes; False when its backend cannot be reached.
        Keys derived from our own files (passphrase) go with the file: nothing to reach."""
        backend = str(meta.get("backend"))
        owner = self._owner(backend)
        if owner is None:
            return backend not in EXTERNAL_BACKENDS
        try:
            owner.destroy(str(meta["key_id"]), meta)
        except KeyUnavailable:
            return False
        return True

    def _destroy_or_keep(self, meta: dict[str, Any]) -> None:
        if not self._destroy_now(meta):
            kept = {k: v for k, v in meta.items() if k in _PENDING_FIELDS}
            others = [m for m in self.pending() if m.get("key_id") != meta["key_id"]]
            self._write_pending([*others, kept])

    def finish_pending(self) -> list[dict[str, Any]]:
        """Retry destroying the keys an earlier wipe left behind; returns those still left."""
        if not self.pending_path.exists():
            return []
        left = [m for m in self.pending() if m.get("key_id") == "unknown" or not self._destroy_now(m)]
        self._write_pending(left)
        return left

    def destroy(self) -> tuple[str, str] | None:
        """Destroy the current key and forget its metadata, so it can never open this
        history again; returns its (id, backend). A key whose backend cannot be reached
        is kept in the pending file (see pending()) and destroyed by the next wipe or unlock."""
        self.finish_pending()
        meta = self.meta()
        if meta is None:
            return None
        self._destroy_or_keep(meta)
        if self.provider.persistent:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.meta_path)
        else:
            self._memory_meta = None
        return str(meta["key_id"]), str(meta["backend"])

    def destroy_aside(self, path: Path) -> None:
        """Destroy the key an old, set-aside metadata file points to, then the file."""
        try:
            meta = read_meta(path)
        except KeyUnavailable:
            meta = None
        if meta is not None:
            self._destroy_or_keep(meta)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def still_held(self, key_id: str, backend: str) -> bool:
        """Whether the backend that held `key_id` still has it (True when it cannot tell)."""
        owner = self._owner(backend)
        if owner is None:
            return backend in EXTERNAL_BACKENDS
        try:
            return owner.holds(key_id, {})
        except KeyUnavailable:
            return True

    def set_aside(self, stamp: str) -> Path | None:
        """Keep the old metadata beside the old database it opens (start-fresh)."""
        if not self.provider.persistent:
            self._memory_meta = None
            return None
        if not self.meta_path.exists():
            return None
        aside = self.meta_path.with_name(f"{self.meta_path.name}.aside-{stamp}")
        self.meta_path.replace(aside)
        return aside
