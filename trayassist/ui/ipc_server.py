"""The single-instance server: a private QLocalServer speaking ipc_protocol, serving the
command table (core/commands.py). A command may answer later (`ptt release --wait`),
from any thread: the reply crosses back to the GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from trayassist.core.commands import CommandTable
from trayassist.core.errors import UserError
from trayassist.core.ipc_peer import peer_is_us
from trayassist.core.ipc_protocol import MAX_MESSAGE_BYTES, ProtocolError, Request, encode_reply, parse_request

log = logging.getLogger(__name__)

Handler = Callable[[Request, Callable[[bytes], None]], None]


def command_handler(commands: CommandTable) -> Handler:
    """Requests to the command table; a UserError is the user's one line, anything else a bug."""

    def handle(request: Request, reply: Callable[[bytes], None]) -> None:
        def done(result: object, error: BaseException | None) -> None:
            if error is None:
                reply(encode_reply(True, result))
            elif isinstance(error, UserError):
                reply(encode_reply(False, error=str(error)))
            else:
                log.error("command %s failed: %s", request.cmd, type(error).__name__, exc_info=error)
                reply(encode_reply(False, error=f"{request.cmd} failed: {type(error).__name__}"))

        commands.dispatch(request.cmd, request.args, done)

    return handle


class IpcServer(QObject):
    _reply_ready = Signal(object, bytes)  # socket, payload; crosses threads safely

    def __init__(self, name: str, handler: Handler) -> None:
        super().__init__()
        self._name = name
        self._handler = handler
        self._server = QLocalServer(self)
        # Owner-only socket: other users on the machine cannot drive the app.
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._reply_ready.connect(self._send)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> None:
        # Only the holder of the instance lock gets here, so a leftover socket is stale.
        QLocalServer.removeServer(self._name)
        if not self._server.listen(self._name):
            raise RuntimeError(f"cannot listen on {self._name}: {self._server.errorString()}")

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            if not peer_is_us(int(sock.socketDescriptor())):  # the kernel's word, not the mode's
                log.warning("IPC: refused a connection from another user")
                sock.abort()
                sock.deleteLater()
                continue
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        buf = self._buffers[sock] + bytes(sock.readAll().data())
        if b"\n" not in buf:
            if len(buf) > MAX_MESSAGE_BYTES:
                self._buffers[sock] = b""
                self._send(sock, encode_reply(False, error="message too large"), close=True)
            else:
                self._buffers[sock] = buf
            return
        line, _, _rest = buf.partition(b"\n")
        self._buffers[sock] = b""  # one request per connection
        try:
            request = parse_request(line)
        except ProtocolError as exc:
            self._send(sock, encode_reply(False, error=str(exc)), close=True)
            return

        def reply(payload: bytes) -> None:
            self._reply_ready.emit(sock, payload)

        try:
            self._handler(request, reply)
        except Exception as exc:  # a bug must not take the server down
            log.exception("IPC handler failed for %s", request.cmd)
            reply(encode_reply(False, error=f"internal error: {type(exc).__name__}"))

    def _send(self, sock: QLocalSocket, payload: bytes, close: bool = True) -> None:
        if sock not in self._buffers:
            return  # the client went away
        sock.write(payload)
        sock.flush()
        if close:
            sock.disconnectFromServer()
