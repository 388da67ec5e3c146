"""The IPC endpoint must be ours: the runtime dir, the socket file and the process at the
other end. Most cases need a second uid, so they run as root (as `make test` does)."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from trayassist import ipc_client
from trayassist.core.ipc_peer import (
    EndpointRefused,
    check_peer,
    check_private_dir,
    check_socket_file,
    peer_is_us,
    peer_uid,
)
from trayassist.core.paths import Paths

pytestmark = pytest.mark.unit
OTHER = 65534  # nobody
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make files of another uid")


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)
    return path


def listening(path: Path) -> socket.socket:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    os.chmod(path, 0o700)
    srv.listen(1)
    return srv


def test_our_private_dir_passes_and_loose_or_linked_ones_do_not(tmp_path: Path) -> None:
    ours = private_dir(tmp_path / "runtime")
    check_private_dir(ours)
    os.chmod(ours, 0o755)
    with pytest.raises(EndpointRefused, match="mode 755, expected 700"):
        check_private_dir(ours)
    os.chmod(ours, 0o700)
    link = tmp_path / "link"
    link.symlink_to(ours)
    with pytest.raises(EndpointRefused, match="symbolic link"):
        check_private_dir(link)


def test_a_world_writable_parent_without_the_sticky_bit_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    inner = private_dir(shared / "runtime")
    os.chmod(shared, 0o777)  # anyone could rename our dir away and put theirs in its place
    with pytest.raises(EndpointRefused, match="can be changed by another user"):
        check_private_dir(inner)
    os.chmod(shared, 0o1777)  # like /tmp: sticky, so only we can rename what is ours
    check_private_dir(inner)


@as_root
def test_a_runtime_dir_of_another_uid_is_refused_with_one_line(tmp_path: Path) -> None:
    paths = Paths.from_basedir(tmp_path / "base")
    paths.runtime.mkdir(parents=True, mode=0o700)
    os.chown(paths.runtime, OTHER, OTHER)
    with pytest.raises(EndpointRefused) as caught:
        paths.ensure()
    message = str(caught.value)
    assert "\n" not in message and f"belongs to uid {OTHER}" in message and str(paths.runtime) in message
    st = os.lstat(paths.runtime)
    assert st.st_uid == OTHER and stat.S_IMODE(st.st_mode) == 0o700  # not chmodded, not taken over


def test_a_runtime_dir_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    paths = Paths.from_basedir(tmp_path / "base")
    elsewhere = private_dir(tmp_path / "elsewhere")
    paths.runtime.parent.mkdir(parents=True)
    paths.runtime.symlink_to(elsewhere)
    with pytest.raises(EndpointRefused, match="symbolic link"):
        paths.ensure()


@as_root
def test_a_parent_of_another_uid_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    inner = private_dir(theirs / "runtime")
    os.chown(theirs, OTHER, OTHER)  # its owner can swap our directory for another
    with pytest.raises(EndpointRefused, match=f"uid {OTHER}"):
        check_private_dir(inner)


def test_socket_file_checks(tmp_path: Path) -> None:
    d = private_dir(tmp_path / "runtime")
    with pytest.raises(FileNotFoundError):
        check_socket_file(d / "ipc.sock")
    (d / "ipc.sock").write_text("not a socket")
    with pytest.raises(EndpointRefused, match="not a socket"):
        check_socket_file(d / "ipc.sock")
    (d / "ipc.sock").unlink()
    srv = listening(d / "ipc.sock")
    try:
        check_socket_file(d / "ipc.sock")
        os.chmod(d / "ipc.sock", 0o777)
        with pytest.raises(EndpointRefused, match="others may connect"):
            check_socket_file(d / "ipc.sock")
    finally:
        srv.close()


@as_root
def test_client_refuses_a_socket_of_another_uid_before_sending(tmp_path: Path) -> None:
    d = private_dir(tmp_path / "runtime")
    srv = listening(d / "ipc.sock")
    os.chown(d / "ipc.sock", OTHER, OTHER)
    srv.settimeout(0.5)
    try:
        with pytest.raises(EndpointRefused, match=f"belongs to uid {OTHER}"):
            ipc_client.call(str(d / "ipc.sock"), "status", timeout=2)
        with pytest.raises(TimeoutError):  # nothing ever connected
            srv.accept()
    finally:
        srv.close()


def test_peer_uid_is_the_kernels_word() -> None:
    a, b = socket.socketpair(socket.AF_UNIX)
    try:
        assert peer_uid(a) == os.geteuid()
        check_peer(a)
        assert peer_is_us(b.fileno())
        assert b.fileno() >= 0  # the caller's descriptor is left open
    finally:
        a.close()
        b.close()


def serve_as(uid: int, path: Path) -> tuple[int, int]:
    """Fork a child that becomes `uid`, listens on `path`, accepts one connection and
    writes what it received to a pipe; returns (pid, read end). Forked, not exec'd: the
    venv's interpreter may sit where that uid cannot read."""
    ready_r, ready_w = os.pipe()
    got_r, got_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgid(uid)
            os.setuid(uid)
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind(str(path))
            srv.listen(1)
            os.write(ready_w, b"r")
            srv.settimeout(10)
            conn, _ = srv.accept()
            conn.settimeout(5)
            os.write(got_w, b"got:" + conn.recv(100))
            code = 0
        finally:
            os._exit(code)
    os.close(ready_w)
    os.close(got_w)
    assert os.read(ready_r, 1) == b"r"
    os.close(ready_r)
    return pid, got_r


@as_root
def test_client_refuses_a_listener_of_another_uid_even_on_our_socket_file() -> None:
    """The socket file passes (it was handed to us), but the kernel says who listens."""
    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="trayassist-peer-", dir="/tmp"))
    try:
        os.chmod(shared, 0o1777)  # sticky and world-writable, like /tmp, so the other uid can bind
        path = shared / "ipc.sock"
        pid, got = serve_as(OTHER, path)
        os.chown(path, os.geteuid(), os.getegid())
        os.chmod(path, 0o700)
        with pytest.raises(EndpointRefused, match=f"process of uid {OTHER}"):
            ipc_client.call(str(path), "status", timeout=2)
        assert os.waitpid(pid, 0)[1] == 0
        assert os.read(got, 100) == b"got:"  # connected, but not one byte of the request was sent
        os.close(got)
    finally:
        shutil.rmtree(shared)
