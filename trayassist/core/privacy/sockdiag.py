"""Linux sock_diag over netlink: every TCP/UDP socket with its addresses, inode and, for TCP,
the kernel's tcp_info byte counters (what `ss -ti` prints), and unix sockets with their
peers (what `ss -xp` prints), without spawning a process.

Chosen over parsing `ss -tinp` each second: `ss` costs a fork+exec and re-walks every
/proc/<pid>/fd on every call, while this is four netlink dumps in-process and the inode->pid
map is rebuilt only when an unknown socket appears.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
INET_DIAG_INFO = 2

TCP_ESTABLISHED, TCP_TIME_WAIT, TCP_CLOSE, TCP_LISTEN = 1, 6, 7, 10
# Every TCP state except TIME_WAIT/CLOSE (no owner left) and LISTEN (not talking to anyone).
TCP_STATES = sum(1 << s for s in range(1, 12) if s not in (TCP_TIME_WAIT, TCP_CLOSE, TCP_LISTEN))
UDP_CONNECTED = 1 << 1  # a connect()ed UDP socket reports TCP_ESTABLISHED

_NLMSG = struct.Struct("=IHHII")
_REQ = struct.Struct("=BBBxI48s")
_MSG = struct.Struct("=BBBB2s2s16s16sI8sIIIII")  # inet_diag_msg with its inet_diag_sockid
_RTA = struct.Struct("=HH")
_UNIX_REQ = struct.Struct("=BBHIII8s")  # unix_diag_req
_UNIX_MSG = struct.Struct("=BBBxI8s")  # unix_diag_msg
UDIAG_SHOW_NAME, UDIAG_SHOW_PEER = 0x01, 0x04
UNIX_DIAG_NAME, UNIX_DIAG_PEER = 0, 2
UNIX_ESTABLISHED = 1
# struct tcp_info offsets (linux/tcp.h): bytes_acked since 4.2, bytes_received since 4.1,
# bytes_sent since 4.19.
BYTES_ACKED, BYTES_RECEIVED, BYTES_SENT = 120, 128, 200


@dataclass(frozen=True)
class DiagSocket:
    proto: str  # "tcp" | "udp"
    family: int
    state: int
    local: tuple[str, int]
    remote: tuple[str, int]
    inode: int
    uid: int
    cookie: bytes
    bytes_acked: int | None = None  # TCP only: payload the peer acknowledged
    bytes_received: int | None = None


def _addr(family: int, raw: bytes, port: bytes) -> tuple[str, int]:
    size = 4 if family == socket.AF_INET else 16
    return socket.inet_ntop(family, raw[:size]), int.from_bytes(port, "big")


class SockDiag:
    """One netlink socket, reused every poll."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
        self._seq = 0

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> SockDiag:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def unix_sockets(self) -> list[UnixSocket]:
        """Every unix socket of the machine with its bound name and its peer's inode."""
        body = _UNIX_REQ.pack(socket.AF_UNIX, 0, 0, 0xFFFFFFFF, 0, UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
                              b"\xff" * 8)
        return [_parse_unix(msg) for msg in self._request(body)]

    def tcp_established(self, family: int) -> list[DiagSocket]:
        """Connected TCP sockets of one family, loopback ones included (with their uid)."""
        return list(self._dump(family, socket.IPPROTO_TCP, 1 << TCP_ESTABLISHED))

    def sockets(self) -> list[DiagSocket]:
        out: list[DiagSocket] = []
        for family in (socket.AF_INET, socket.AF_INET6):
            out.extend(self._dump(family, socket.IPPROTO_TCP, TCP_STATES))
            out.extend(self._dump(family, socket.IPPROTO_UDP, UDP_CONNECTED))
        return out

    def _dump(self, family: int, proto: int, states: int) -> Iterator[DiagSocket]:
        ext = 1 << (INET_DIAG_INFO - 1) if proto == socket.IPPROTO_TCP else 0
        name = "tcp" if proto == socket.IPPROTO_TCP else "udp"
        for msg in self._request(_REQ.pack(family, proto, ext, states, b"\0" * 48)):
            yield _parse(name, msg)

    def _request(self, body: bytes) -> Iterator[bytes]:
        """Send one dump request; yield each answer's payload."""
        self._seq += 1
        self._sock.send(_NLMSG.pack(_NLMSG.size + len(body), SOCK_DIAG_BY_FAMILY,
                                    NLM_F_REQUEST | NLM_F_DUMP, self._seq, 0) + body)
        while True:
            data = self._sock.recv(65536)
            off = 0
            while off + _NLMSG.size <= len(data):
                length, mtype, _flags, seq, _pid = _NLMSG.unpack_from(data, off)
                if length < _NLMSG.size:
                    return
                if seq == self._seq:
                    if mtype == NLMSG_DONE:
                        return
                    if mtype == NLMSG_ERROR:
                        err = -struct.unpack_from("=i", data, off + _NLMSG.size)[0]
                        if err:
                            raise OSError(err, f"sock_diag: {os.strerror(err)}")
                        return
                    yield data[off + _NLMSG.size: off + length]
                off += (length + 3) & ~3


def _parse(proto: str, msg: bytes) -> DiagSocket:
    (family, state, _timer, _retrans, sport, dport, src, dst, _if, cookie,
     _expires, _rq, _wq, uid, inode) = _MSG.unpack_from(msg)
    acked = received = None
    off = _MSG.size
    while off + _RTA.size <= len(msg):
        rlen, rtype = _RTA.unpack_from(msg, off)
        if rlen < _RTA.size:
            break
        if rtype == INET_DIAG_INFO:
            info = msg[off + _RTA.size: off + rlen]
            if len(info) >= BYTES_RECEIVED + 8:
                acked, received = struct.unpack_from("=QQ", info, BYTES_ACKED)
        off += (rlen + 3) & ~3
    return DiagSocket(proto, family, state, _addr(family, src, sport), _addr(family, dst, dport),
                      inode, uid, cookie, acked, received)


@dataclass(frozen=True)
class UnixSocket:
    inode: int
    state: int
    name: str  # the bound path ("@..." for an abstract name); "" when unbound
    peer: int | None  # the inode at the other end of a connected socket


def _parse_unix(msg: bytes) -> UnixSocket:
    _family, _type, state, inode, _cookie = _UNIX_MSG.unpack_from(msg)
    name, peer = "", None
    off = _UNIX_MSG.size
    while off + _RTA.size <= len(msg):
        rlen, rtype = _RTA.unpack_from(msg, off)
        if rlen < _RTA.size:
            break
        value = msg[off + _RTA.size: off + rlen]
        if rtype == UNIX_DIAG_NAME and value:
            raw = value.split(b"\0", 1)[0] if value[:1] != b"\0" else b"@" + value[1:]
            name = raw.decode("utf-8", "replace")
        elif rtype == UNIX_DIAG_PEER and len(value) >= 4:
            peer = struct.unpack_from("=I", value)[0] or None
        off += (rlen + 3) & ~3
    return UnixSocket(inode, state, name, peer)


def server_clients(unix: list[UnixSocket], path: str) -> set[int]:
    """The client-side inodes of every connection accepted on the unix socket `path`
    (an accepted socket carries its listener's name; its peer is the client's socket)."""
    return {u.peer for u in unix if u.name == path and u.state == UNIX_ESTABLISHED and u.peer}


def socket_owners(wanted: set[int], proc: Path = Path("/proc")) -> dict[int, int]:
    """inode -> pid for the wanted socket inodes, by reading /proc/<pid>/fd links (the only
    way Linux tells who owns a socket). Stops early once every inode is found."""
    owners: dict[int, int] = {}
    if not wanted:
        return owners
    with os.scandir(proc) as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            fd_dir = f"{entry.path}/fd"
            try:
                fds = os.listdir(fd_dir)
            except OSError:
                continue  # gone, or another user's process when not root
            for fd in fds:
                try:
                    link = os.readlink(f"{fd_dir}/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:["):
                    inode = int(link[8:-1])
                    if inode in wanted and inode not in owners:
                        owners[inode] = int(entry.name)
            if len(owners) == len(wanted):
                break
    return owners
