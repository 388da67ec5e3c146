"""A history record, its encrypted payload, and the Markdown/JSON exports of records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trayassist.core.atomic import write_atomic
from trayassist.core.history.errors import RecordTampered

UTTERANCE = "utterance"
EXPORT_FORMATS = ("md", "json")
_DECODER = json.JSONDecoder()


def to_ms(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("history times must be timezone-aware")
    return int(when.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class Record:
    """One utterance. The model and assistant action are parsed on first use, so that
    loading 100 000 records costs little more than decrypting them."""

    __slots__ = ("id", "ts_ms", "duration_ms", "text", "_meta", "_parsed")

    def __init__(self, record_id: int, ts_ms: int, duration_ms: int, text: str, meta: bytes) -> None:
        self.id = record_id
        self.ts_ms = ts_ms
        self.duration_ms = duration_ms
        self.text = text
        self._meta = meta
        self._parsed: tuple[str, dict[str, Any] | None] | None = None

    def __repr__(self) -> str:  # never the text: reprs end up in logs
        return f"Record(id={self.id}, ts_ms={self.ts_ms}, chars={len(self.text)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and (self.id, self.ts_ms, self.duration_ms, self.text,
                                              self._meta) == (other.id, other.ts_ms,
                                                              other.duration_ms, other.text, other._meta)

    __hash__ = None  # type: ignore[assignment]

    @property
    def time(self) -> datetime:
        return from_ms(self.ts_ms)

    @property
    def duration_s(self) -> float:
        return self.duration_ms / 1000

    def _meta_fields(self) -> tuple[str, dict[str, Any] | None]:
        if self._parsed is None:
            try:
                self._parsed = decode_meta(self._meta)
            except (ValueError, AttributeError):
                raise RecordTampered([self.id]) from None  # authentic yet unreadable: still loud
        return self._parsed

    @property
    def model(self) -> str:
        return self._meta_fields()[0]

    @property
    def action(self) -> dict[str, Any] | None:
        return self._meta_fields()[1]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.time.isoformat(), "duration_s": self.duration_s,
                "model": self.model, "text": self.text, "action": self.action}

    @property
    def reply(self) -> str:
        """The assistant's reply or action in a few words, if any."""
        action = self.action
        if not action:
            return ""
        for key in ("reply", "message", "text", "summary"):
            value = action.get(key)
            if isinstance(value, str) and value:
                return value
        skill = action.get("skill")
        return f"({skill})" if isinstance(skill, str) and skill else ""


def encode_payload(text: str, model: str, action: dict[str, Any] | None) -> bytes:
    """Text, NUL, then JSON of the rest: a scan needs only the text, and parsing JSON
    for 100 000 records would double the time to load them."""
    meta = json.dumps({"model": model, "action": action}, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\x00", "").encode("utf-8") + b"\x00" + meta.encode("utf-8")


def split_payload(raw: bytes) -> tuple[str, bytes]:
    """(text, meta bytes); ValueError when it is not a payload."""
    text, sep, meta = raw.partition(b"\x00")
    if not sep:
        raise ValueError("payload without separator")
    return text.decode("utf-8"), meta


def decode_meta(meta: bytes) -> tuple[str, dict[str, Any] | None]:
    data = _DECODER.decode(meta.decode("utf-8"))
    action = data.get("action")
    return str(data.get("model") or ""), action if isinstance(action, dict) else None


def export_records(records: Sequence[Record], fmt: str, exported_at: datetime) -> str:
    if fmt == "json":
        # One record per line: readable, and json's C encoder (indent= would disable it).
        head = json.dumps({"format": "trayassist-history", "version": 1,
                           "exported_at": exported_at.isoformat()}, ensure_ascii=False)
        rows = ",\n".join(json.dumps(r.to_dict(), ensure_ascii=False) for r in records)
        return head[:-1] + ', "records": [\n' + rows + ("\n" if rows else "") + "]}\n"
    if fmt == "md":
        lines = ["# TrayAssist history", "",
                 f"Exported {exported_at.astimezone().strftime('%Y-%m-%d %H:%M %Z')}, "
                 f"{len(records)} record{'s' if len(records) != 1 else ''}.", ""]
        for r in records:
            when = r.time.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
            meta = f"{r.duration_s:.1f} s" + (f" · {r.model}" if r.model else "")
            lines += [f"## {when} · #{r.id}", "", f"*{meta}*", "", r.text, ""]
            if r.reply:
                lines += [f"> Assistant: {r.reply}", ""]
        return "\n".join(lines)
    raise ValueError(f"unknown export format {fmt!r}; expected md or json")


def write_export(path: Path, text: str) -> None:
    """The one plaintext the user asks for: private mode, written atomically."""
    write_atomic(path, text.encode("utf-8"), mode=0o600)
