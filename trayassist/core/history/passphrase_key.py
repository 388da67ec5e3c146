"""The history master key derived from a passphrase with Argon2id; only the salt, the
KDF cost and a verifier are written to disk."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from trayassist.core.history.crypto import KEY_BYTES
from trayassist.core.history.errors import FRESH_HINT, KeyRecordDamaged, KeyUnavailable, WrongPassphrase


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
