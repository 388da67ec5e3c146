"""Talks to the running instance over its private local socket (no Qt needed), after
checking that the socket and the process listening on it are the user's own."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from trayassist.core.ipc_peer import EndpointRefused, check_peer, check_socket_file
from trayassist.core.ipc_protocol import ProtocolError, encode_request, parse_reply

__all__ = ["EndpointRefused", "NotRunning", "call"]


class NotRunning(RuntimeError):
    """No TrayAssist instance is listening on this base directory."""


def call(name: str, cmd: str, timeout: float = 10.0, **args: Any) -> dict[str, Any]:
    """Send one request and return the reply object; raises NotRunning if nobody listens."""
    if os.name == "nt":  # pragma: no cover - named pipes go through Qt on Windows
        return _call_qt(name, cmd, timeout, **args)
    try:
        check_socket_file(Path(name))  # ours, in a directory of ours, before we say anything
    except FileNotFoundError as exc:
        raise NotRunning("TrayAssist is not running") from exc
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(name)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise NotRunning("TrayAssist is not running") from exc
        check_peer(sock)  # the listener runs as us (raises EndpointRefused otherwise)
        sock.sendall(encode_request(cmd, **args))
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except TimeoutError as exc:
        raise ProtocolError(f"the running instance did not answer '{cmd}' within {timeout:.0f} s") from exc
    finally:
        sock.close()
    if not data:
        raise ProtocolError("the running instance closed the connection without answering")
    return parse_reply(data)


def _call_qt(name: str, cmd: str, timeout: float, **args: Any) -> dict[str, Any]:  # pragma: no cover
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(int(timeout * 1000)):
        raise NotRunning("TrayAssist is not running")
    sock.write(encode_request(cmd, **args))
    sock.waitForBytesWritten(int(timeout * 1000))
    data = b""
    while not data.endswith(b"\n"):
        if not sock.waitForReadyRead(int(timeout * 1000)):
            break
        data += bytes(sock.readAll().data())
    return parse_reply(data)
