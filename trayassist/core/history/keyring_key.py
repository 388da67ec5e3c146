"""The history master key in the OS keyring (Secret Service, KWallet, Keychain...), and
how to tell a secure keyring backend from a plaintext or absent one."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from trayassist.core.history.crypto import KEY_BYTES
from trayassist.core.history.errors import KeyMismatch, KeyMissing, KeyUnavailable

KEYRING_SERVICE = "trayassist"
# Backends that keep secrets in plain or home-made form, or not at all.
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
CHOICES_HINT = "set history_key_backend to passphrase, session or off"


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
        """Delete the key, or raise KeyUnavailable: an unreachable keyring (locked, no
        D-Bus) must never pass for a destroyed key."""
        backend = self._backend()
        try:
            backend.delete_password(self._service, self._user(key_id))
        except Exception as exc:  # PasswordDeleteError: already gone
            if self.holds(key_id, meta):
                raise KeyUnavailable(
                    f"could not delete the history key from the OS keyring ({type(exc).__name__})"
                ) from None

    def holds(self, key_id: str, meta: dict[str, Any]) -> bool:
        """Whether the keyring still has the key; KeyUnavailable when it cannot be asked."""
        backend = self._backend()
        try:
            return backend.get_password(self._service, self._user(key_id)) is not None
        except Exception as exc:
            raise KeyUnavailable(f"could not read the OS keyring ({type(exc).__name__})") from None
