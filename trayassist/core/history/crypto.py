"""Record encryption: AES-256-GCM with a fresh nonce per record and AAD binding where it lives."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trayassist.core.history.errors import RecordTampered

FORMAT_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12  # 96-bit random nonce; ~2^32 records per key stay far below collision risk
_MAGIC = b"trayassist-history"
_HEADER = bytes([FORMAT_VERSION])
_MIN_BLOB = len(_HEADER) + NONCE_BYTES + 16  # + GCM tag


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


_AAD_PREFIX = _field(_MAGIC) + _field(str(FORMAT_VERSION).encode())


def record_aad(kind: str, record_id: int | str, timestamp_ms: int, key_id: str) -> bytes:
    """Length-prefixed fields, so no two field tuples give the same bytes."""
    return (_AAD_PREFIX + _field(kind.encode()) + _field(str(record_id).encode())
            + _field(str(int(timestamp_ms)).encode()) + _field(key_id.encode()))


class RecordCipher:
    """Seals and opens record blobs under one master key; every failure is RecordTampered."""

    def __init__(self, key: bytes, key_id: str) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("history key must be 32 bytes")
        self.key_id = key_id
        self._aead = AESGCM(bytes(key))
        self._key_part = _field(key_id.encode())
        self._kind_parts: dict[str, bytes] = {}

    def _aad(self, kind: str, record_id: int | str, timestamp_ms: int) -> bytes:
        """record_aad(), with the parts that repeat on every row computed once."""
        kind_part = self._kind_parts.get(kind)
        if kind_part is None:
            kind_part = self._kind_parts[kind] = _AAD_PREFIX + _field(kind.encode())
        rid = str(record_id).encode()
        ts = str(int(timestamp_ms)).encode()
        return (kind_part + len(rid).to_bytes(4, "big") + rid + len(ts).to_bytes(4, "big") + ts
                + self._key_part)

    def seal(self, kind: str, record_id: int | str, timestamp_ms: int, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = self._aad(kind, record_id, timestamp_ms)
        return _HEADER + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, kind: str, record_id: int | str, timestamp_ms: int, blob: bytes) -> bytes:
        blob = bytes(blob) if blob is not None else b""
        if len(blob) < _MIN_BLOB or blob[:1] != _HEADER:
            raise RecordTampered([record_id], kind)
        nonce = blob[1 : 1 + NONCE_BYTES]
        aad = self._aad(kind, record_id, timestamp_ms)
        try:
            return self._aead.decrypt(nonce, blob[1 + NONCE_BYTES :], aad)
        except InvalidTag:
            raise RecordTampered([record_id], kind) from None
