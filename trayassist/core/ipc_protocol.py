"""The single-instance channel's message format: one JSON object per line.

Requests: {"cmd": "status", "args": {...}}. Replies: {"ok": true, "result": ...}
or {"ok": false, "error": "one line"}. Anything malformed, oversized or unknown
is refused with an error reply; the parser never raises anything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from trayassist.core.commands import NAMES

MAX_MESSAGE_BYTES = 64 * 1024

COMMANDS = NAMES  # exactly the command table (core/commands.py)


class ProtocolError(ValueError):
    """A request that is not well-formed; the text is safe to send back."""


@dataclass(frozen=True)
class Request:
    cmd: str
    args: dict[str, Any] = field(default_factory=dict)


def encode_request(cmd: str, **args: Any) -> bytes:
    return json.dumps({"cmd": cmd, "args": args}, separators=(",", ":")).encode() + b"\n"


def parse_request(line: bytes) -> Request:
    if len(line) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message too large ({len(line)} bytes, limit {MAX_MESSAGE_BYTES})")
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("malformed message: not JSON") from None
    if not isinstance(obj, dict):
        raise ProtocolError("malformed message: not an object")
    cmd = obj.get("cmd")
    if not isinstance(cmd, str) or cmd not in COMMANDS:
        raise ProtocolError(f"unknown command: {str(cmd)[:40]!r}")
    args = obj.get("args", {})
    if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
        raise ProtocolError("malformed message: args must be an object")
    return Request(cmd, args)


def encode_reply(ok: bool, result: Any = None, error: str | None = None) -> bytes:
    body: dict[str, Any] = {"ok": ok}
    if ok:
        body["result"] = result
    else:
        body["error"] = (error or "failed").splitlines()[0][:500]
    return json.dumps(body, separators=(",", ":"), default=str).encode() + b"\n"


def parse_reply(line: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("the running instance sent a malformed reply") from None
    if not isinstance(obj, dict) or "ok" not in obj:
        raise ProtocolError("the running instance sent a malformed reply")
    return obj
