"""Helpers for history tests: an in-memory secure keyring, a settable clock, cheap KDF costs."""

from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from trayassist.core.history import HistoryStore, KeyManager, PassphraseProvider
from trayassist.core.history.keys import KdfParams, KeyringProvider

# Argon2id at its smallest legal cost: tests exercise the logic, not the hardness.
CHEAP_KDF = KdfParams(memory_cost_kib=8 * 1024, iterations=1, lanes=1)
T0 = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)


class MemoryKeyring(KeyringBackend):
    """A keyring whose module is not on the insecure list: stands for Secret Service."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


def keyring_module(backend: Any) -> types.SimpleNamespace:
    """What the code uses of the `keyring` module: get_keyring()."""
    return types.SimpleNamespace(get_keyring=lambda: backend)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def keyring_store(data: Path, backend: Any, clock: Clock | None = None,
                  retention: str = "forever") -> HistoryStore:
    keys = KeyManager(data / "history-key.json", KeyringProvider(keyring_module(backend)))
    return HistoryStore(data / "history.sqlite3", keys, retention=retention, clock=clock or Clock())


def passphrase_store(data: Path, passphrase: str = "correct horse", clock: Clock | None = None,
                     retention: str = "forever") -> HistoryStore:
    keys = KeyManager(data / "history-key.json", PassphraseProvider(passphrase, CHEAP_KDF))
    return HistoryStore(data / "history.sqlite3", keys, retention=retention, clock=clock or Clock())
