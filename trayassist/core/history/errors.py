"""Errors of the encrypted history; each message is one line a user can act on."""

from __future__ import annotations

from collections.abc import Iterable

FRESH_HINT = "start a new history (the old one is kept aside)"


class HistoryError(Exception):
    """Base of every history error; str() is a one-line message for the user."""

    # True when starting a new history (the old files kept aside, untouched) is the way
    # out: the app and `history start-fresh` offer it only then.
    fresh_start_helps = False


class RecordTampered(HistoryError):
    """A stored record failed authentication: edited, truncated, moved or foreign."""

    def __init__(self, ids: Iterable[int | str], kind: str = "utterance") -> None:
        self.ids = sorted(ids, key=str)
        self.kind = kind
        shown = ", ".join(str(i) for i in self.ids[:10])
        more = f" and {len(self.ids) - 10} more" if len(self.ids) > 10 else ""
        noun = "record" if len(self.ids) == 1 else "records"
        super().__init__(
            f"history {noun} {shown}{more} failed authentication (tampered or damaged); "
            "delete them or wipe the history"
        )


class RecordNotFound(HistoryError, KeyError):
    def __init__(self, record_id: int | str) -> None:
        self.record_id = record_id
        HistoryError.__init__(self, f"no history record with id {record_id}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class KeyUnavailable(HistoryError):
    """No key can be had right now; the message names the user's choices."""


class WrongPassphrase(KeyUnavailable):
    def __init__(self) -> None:
        super().__init__("wrong history passphrase")


class KeyMissing(KeyUnavailable):
    """The backend that should hold the key no longer has it."""

    fresh_start_helps = True


class KeyRecordDamaged(KeyUnavailable):
    """history-key.json cannot be read or makes no sense."""

    fresh_start_helps = True


class KeyBackendChanged(KeyUnavailable):
    fresh_start_helps = True

    def __init__(self, kept_in: str, active: str) -> None:
        self.kept_in = kept_in
        self.active = active
        super().__init__(
            f"the history key was kept in {kept_in}, now {active} is active: switch "
            f"history_key_backend back to {kept_in}, or start a new history "
            "(the old one is kept aside)"
        )


class KeyMismatch(KeyUnavailable):
    """The key from the backend does not open this database."""

    fresh_start_helps = True


class HistoryOff(HistoryError):
    def __init__(self) -> None:
        super().__init__("history is off")


class DatabaseDamaged(HistoryError):
    """The database file is not a readable history; nothing was changed."""

    fresh_start_helps = True


class DatabaseTooNew(HistoryError):
    """Written by a newer TrayAssist; left untouched."""


class WipeIncomplete(HistoryError):
    """Wipe ran but its verification found something still readable."""
