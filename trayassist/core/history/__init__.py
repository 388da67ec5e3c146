"""Encrypted history: AES-GCM records in SQLite, keys in the OS keyring or from a passphrase."""

from trayassist.core.history.errors import (
    DatabaseDamaged,
    DatabaseTooNew,
    HistoryError,
    HistoryOff,
    KeyBackendChanged,
    KeyMismatch,
    KeyMissing,
    KeyRecordDamaged,
    KeyUnavailable,
    RecordNotFound,
    RecordTampered,
    WipeIncomplete,
    WrongPassphrase,
)
from trayassist.core.history.keys import (
    KdfParams,
    KeyManager,
    KeyringProvider,
    PassphraseNeeded,
    PassphraseProvider,
    SessionProvider,
    provider_for,
)
from trayassist.core.history.records import Record
from trayassist.core.history.store import HistoryStore

__all__ = [
    "DatabaseDamaged", "DatabaseTooNew", "HistoryError", "HistoryOff", "HistoryStore",
    "KdfParams", "KeyBackendChanged", "KeyManager", "KeyMismatch", "KeyMissing", "KeyRecordDamaged",
    "KeyUnavailable", "KeyringProvider", "PassphraseNeeded", "PassphraseProvider", "Record",
    "RecordNotFound", "RecordTampered", "SessionProvider", "WipeIncomplete", "WrongPassphrase",
    "provider_for",
]
