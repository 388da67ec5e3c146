"""Whose IPC endpoint is this: the runtime dir and the socket must be ours (lstat, uid,
mode) before use, and the process at the other end must run as our user."""

from __future__ import annotations

import os
import socket
import stat
import struct
import sys
from pathlib import Path

# Linux: struct ucred {pid_t pid; uid_t uid; gid_t gid;}
_UCRED = struct.Struct("3i")
# macOS/BSD: LOCAL_PEERCRED on SOL_LOCAL gives struct xucred {u_int version; uid_t uid; ...}.
_SOL_LOCAL, _LOCAL_PEERCRED = 0, 0x001
_XUCRED_HEAD = struct.Struct("2I")


class EndpointRefused(RuntimeError):  # noqa: N818 - what the user is told: we refused
    """The runtime dir, the socket or the peer is not ours; str() is one line for the user."""


def _me() -> int:
    return os.geteuid()


def check_private_dir(path: Path) -> None:
    """`path` must be a real directory (not a symlink) owned by us with no group/other
    access, and every directory above it owned by us or root and, if everyone may write
    there, sticky (so nobody else can swap our directory for theirs). Group-writable
    parents pass: with per-user groups (umask 002) a home is often 775."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise EndpointRefused(f"{path} does not exist") from None
    if stat.S_ISLNK(st.st_mode):
        raise EndpointRefused(f"refusing to use {path}: it is a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        raise EndpointRefused(f"refusing to use {path}: it is not a directory")
    if st.st_uid != _me():
        raise EndpointRefused(f"refusing to use {path}: it belongs to uid {st.st_uid}, not to you "
                              f"(uid {_me()}); remove it or choose another --basedir")
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise EndpointRefused(f"refusing to use {path}: others may use it "
                              f"(mode {stat.S_IMODE(st.st_mode):o}, expected 700)")
    for parent in Path(os.path.realpath(path)).parents:
        pst = os.stat(parent)
        world_writable = pst.st_mode & stat.S_IWOTH
        if pst.st_uid not in (0, _me()) or (world_writable and not pst.st_mode & stat.S_ISVTX):
            raise EndpointRefused(f"refusing to use {path}: {parent} above it can be changed by "
                                  f"another user (uid {pst.st_uid}, mode {stat.S_IMODE(pst.st_mode):o})")


def check_socket_file(path: Path) -> None:
    """The socket must be a socket owned by us, usable by nobody else, in a directory of
    ours (or a shared sticky one such as /tmp); FileNotFoundError when there is none."""
    pst = os.lstat(path.parent)  # FileNotFoundError: no runtime dir, nobody listens
    if not (stat.S_ISDIR(pst.st_mode) and pst.st_mode & stat.S_ISVTX):
        check_private_dir(path.parent)
    st = os.lstat(path)  # FileNotFoundError: nobody listens
    if not stat.S_ISSOCK(st.st_mode):
        raise EndpointRefused(f"refusing to use {path}: it is not a socket")
    if st.st_uid != _me():
        raise EndpointRefused(f"refusing to use {path}: the socket belongs to uid {st.st_uid}, "
                              f"not to you (uid {_me()})")
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise EndpointRefused(f"refusing to use {path}: others may connect to it "
                              f"(mode {stat.S_IMODE(st.st_mode):o})")


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a connected unix socket, from the
    kernel (not from anything the peer says); None where the platform cannot tell."""
    if hasattr(socket, "SO_PEERCRED"):
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
        return int(_UCRED.unpack(raw)[1])
    if sys.platform == "darwin" or "bsd" in sys.platform:  # pragma: no cover - not verified here
        raw = sock.getsockopt(_SOL_LOCAL, _LOCAL_PEERCRED, 256)
        return int(_XUCRED_HEAD.unpack_from(raw)[1])
    return None


def check_peer(sock: socket.socket) -> None:
    """Refuse a peer that runs as another user (the socket's mode should already stop it;
    this holds even if the mode was loosened or the path swapped)."""
    uid = peer_uid(sock)
    if uid is not None and uid != _me():
        raise EndpointRefused(f"refusing to talk to a process of uid {uid} on the TrayAssist socket "
                              f"(you are uid {_me()})")


def peer_is_us(fd: int) -> bool:
    """For the server: whether the connection on descriptor `fd` (still owned by the
    caller) comes from our own user. True where the platform cannot tell."""
    if os.name == "nt":  # pragma: no cover - Qt's named pipe is created with an owner-only ACL
        return True
    dup = socket.socket(fileno=os.dup(fd))
    try:
        uid = peer_uid(dup)
    except OSError:
        return False
    finally:
        dup.close()
    return uid is None or uid == _me()
