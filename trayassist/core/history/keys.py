"""Where the history master key lives: OS keyring, a passphrase, memory only, or nowhere.

`<data>/history-key.json` (0600) records the key id and which backend holds the key,
plus the passphrase salt, KDF parameters and a verifier; never the key itself.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
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
    KeyMismatch,
    KeyMissing,
    KeyRecordDamaged,
    KeyUnavailable,
    WrongPassphrase,
)

META_VERSION = 1
KEYRING_SERVICE = "trayassist"
BACKEND_LABELS = {
    "keyring": "the OS keyring",
    "passphrase": "a passphrase",
    "session": "memory only (this session)",
}
# Backends that keep secrets in plain or home-made form, or not at all.
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
CHOICES_HINT = "set history_key_backend to passphrase, session or off"


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


# ---- OS keyring --------------------------------------------------------------
def is_secure_backend(backend: Any) -> bool:
    """False for fail/null and keyrings.alt backends, and anything derived from them."""
    for cls in type(backend).__mro__:
        module = cls.__module__
        if any(module == m or module.startswith(m + ".") for m in _INSECURE_MODULES):
            return False
    return True


def secure_backend(keyring_module: Any) -> Any | None:
    """The best secure backend, looking inside the chainer so a write never falls
    through to a plaintext file backend chained behind the real one."""
    try:
        active = keyring_module.get_keyring()
    except Exception:  # a broken keyring install is just "no keyring"
        return None
    children = getattr(active, "backends", None)
    candidates = list(children) if type(active).__name__ == "ChainerBackend" and children else [active]
    secure = [b for b in candidates if is_secure_backend(b)]
    if not secure:
        return None
    return max(secure, key=lambda b: float(getattr(b, "priority", 0) or 0))


def describe_backend(keyring_module: Any) -> str:
    try:
        active = keyring_module.get_keyring()
    except Exception as exc:
        return f"broken keyring ({type(exc).__name__})"
    return f"{type(active).__module__}.{type(active).__name__}"


class KeyringProvider:
    """Random 32-byte master key, base64 in the OS keyring under the key id."""

    name = "keyring"
    persistent = True

    def __init__(self, keyring_module: Any, service: str = KEYRING_SERVICE) -> None:
        self._keyring = keyring_module
        self._service = service

    def _backend(self) -> Any:
        backend = secure_backend(self._keyring)
        if backend is None:
            raise KeyUnavailable(
                f"no secure OS keyring (found {describe_backend(self._keyring)}); {CHOICES_HINT}"
            )
        return backend

    @staticmethod
    def _user(key_id: str) -> str:
        return f"history-key-{key_id}"

    def create(self, key_id: str) -> tuple[bytes, dict[str, Any]]:
        key = secrets.token_bytes(KEY_BYTES)
        try:
            self._backend().set_password(
                self._service, self._user(key_id), base64.b64encode(key).decode()
            )
        except KeyUnavailable:
            raise
        except Exception as exc:
            raise KeyUnavailable(f"could not store the history key in the OS keyring ({type(exc).__name__})") from None
        return key, {"keyring_service": self._service}

    def load(self, key_id: str, meta: dict[str, Any]) -> bytes:
        try:
            value = self._backend().get_password(self._service, self._user(key_id))
        except KeyUnavailable:
            raise
        except Exception as exc:
            raise KeyUnavailable(f"could not read the OS keyring ({type(exc).__name__}); is it unlocked?") from None
        if value is None:
            raise KeyMissing(
                f"the history key {key_id} is missing from the OS keyring; "
                "start a new history (the old one is kept aside)"
            )
        try:
            key = base64.b64decode(value, validate=True)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise KeyMismatch(f"the OS keyring entry for history key {key_id} is damaged")
        return key

    def destroy(self, key_id: str, meta: dict[str, Any]) -> None:
        backend = secure_backend(self._keyring)
        if backend is None:
            return
        try:
            backend.delete_password(self._service, self._user(key_id))
        except Exception as exc:  # PasswordDeleteError: already gone
            if self.holds(key_id, meta):
                raise KeyUnavailable(
                    f"could not delete the history key from the OS keyring ({type(exc).__name__})"
                ) from None

    def holds(self, key_id: str, meta: dict[str, Any]) -> bool:
        backend = secure_backend(self._keyring)
        if backend is None:
            return False
        try:
            return backend.get_password(self._service, self._user(key_id)) is not None
        except Exception:
            return False


# ---- passphrase ----------------------------------------------------------------
@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; RFC 9106's second recommended option (64 MiB, t=3, p=4): ~0.12 s here."""

    memory_cost_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4


def _argon2id(passphrase: str, salt: bytes, params: KdfParams, key_id: str) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    kdf = Argon2id(salt=salt, length=KEY_BYTES, iterations=params.iterations, lanes=params.lanes,
                   memory_cost=params.memory_cost_kib, ad=key_id.encode())
    return kdf.derive(passphrase.encode("utf-8"))


def _verifier(key: bytes, key_id: str) -> bytes:
    return hmac.new(key, b"trayassist-history-verifier:" + key_id.encode(), hashlib.sha256).digest()


def _int_in(meta: dict[str, Any], name: str, lo: int, hi: int) -> int:
    value = meta.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise KeyRecordDamaged(f"history-key.json has a bad {name}; it may be damaged: {FRESH_HINT}")
    return value


class PassphraseProvider:
    """Key derived with Argon2id from a passphrase the user types; salt and a verifier on disk."""

    name = "passphrase"
    persistent = True

    def __init__(self, passphrase: str, params: KdfParams | None = None) -> None:
        if not passphrase:
            raise KeyUnavailable("the history passphrase must not be empty")
        self._passphrase = passphrase
        self._params = params or KdfParams()

    def create(self, key_id: str) -> tuple[bytes, dict[str, Any]]:
        salt = secrets.token_bytes(16)
        key = _argon2id(self._passphrase, salt, self._params, key_id)
        return key, {
            "kdf": "argon2id",
            "salt": base64.b64encode(salt).decode(),
            "memory_cost_kib": self._params.memory_cost_kib,
            "iterations": self._params.iterations,
            "lanes": self._params.lanes,
            "verifier": base64.b64encode(_verifier(key, key_id)).decode(),
        }

    def load(self, key_id: str, meta: dict[str, Any]) -> bytes:
        try:
            salt = base64.b64decode(meta["salt"], validate=True)
            expected = base64.b64decode(meta["verifier"], validate=True)
        except (KeyError, TypeError, ValueError):
            raise KeyRecordDamaged(
                f"history-key.json lacks the passphrase salt; it may be damaged: {FRESH_HINT}") from None
        params = KdfParams(
            memory_cost_kib=_int_in(meta, "memory_cost_kib", 8, 4 * 1024 * 1024),
            iterations=_int_in(meta, "iterations", 1, 100),
            lanes=_int_in(meta, "lanes", 1, 64),
        )
        if params.memory_cost_kib < 8 * params.lanes:
            raise KeyRecordDamaged(f"history-key.json has bad KDF parameters; it may be damaged: {FRESH_HINT}")
        key = _argon2id(self._passphrase, salt, params, key_id)
        if not hmac.compare_digest(_verifier(key, key_id), expected):
            raise WrongPassphrase()
        return key

    def destroy(self, key_id: str, meta: dict[str, Any]) -> None:
        """Nothing to do here: the manager drops the salt, so the same passphrase
        derives a different key from now on."""

    def holds(self, key_id: str, meta: dict[str, Any]) -> bool:
        return False


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
        """The current key; a new one when none exists yet (if `create`)."""
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

    def destroy(self) -> str | None:
        """Destroy the current key in its backend and forget its metadata; returns its id."""
        meta = self.meta()
        if meta is None:
            return None
        owner = self.provider if meta["backend"] == self.provider.name else self._cleanup.get(meta["backend"])
        if owner is not None:
            owner.destroy(meta["key_id"], meta)
        if self.provider.persistent:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.meta_path)
        else:
            self._memory_meta = None
        return str(meta["key_id"])

    def destroy_aside(self, path: Path) -> None:
        """Destroy the key an old, set-aside metadata file points to, then the file."""
        try:
            meta = read_meta(path)
        except KeyUnavailable:
            meta = None
        if meta is not None:
            owner = self.provider if meta["backend"] == self.provider.name else self._cleanup.get(meta["backend"])
            if owner is not None:
                owner.destroy(meta["key_id"], meta)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def still_held(self, key_id: str) -> bool:
        return any(p.holds(key_id, {}) for p in (self.provider, *self._cleanup.values()))

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
