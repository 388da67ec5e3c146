"""Single instance and the private socket of the running app: 20 launches at once leave
exactly one app; malformed, oversized, half-sent and foreign-user messages are refused,
and the app keeps answering."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.faults.conftest import StartApp
from tests.support.app import App
from tests.support.pulse import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


def app_processes(basedir: Path) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info["cmdline"] or []
        if "trayassist.cli" in cmd and str(basedir) in cmd and "run" in cmd:
            found.append(p)
    return found


def test_twenty_parallel_launches_leave_exactly_one_app(start_app: StartApp, basedir: Path) -> None:
    """20 cold launches at once, none first: one becomes the app, 19 hand over and exit 0."""
    probe = start_app(basedir, wait=False, history_key_backend="off")
    assert probe.proc is not None
    probe.proc.kill()  # only its env was wanted: all 20 below start cold
    probe.proc.wait(timeout=10)
    cmd = [sys.executable, "-m", "trayassist.cli", "--basedir", str(basedir), "--no-err-windows", "run"]
    procs = [subprocess.Popen(cmd, env=probe.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(20)]
    try:
        assert wait_for(lambda: sum(p.poll() is not None for p in procs) >= 19, 120)
        running = [p for p in procs if p.poll() is None]
        assert len(running) == 1, [p.returncode for p in procs]
        finished = [p for p in procs if p.poll() is not None]
        outs = [p.communicate()[0] for p in finished]
        assert [p.returncode for p in finished] == [0] * 19, outs
        assert all("already running" in o for o in outs)
        assert [p.pid for p in app_processes(basedir)] == [running[0].pid]
        the_app = App(basedir, probe.env, proc=running[0])
        assert the_app.try_status() is not None
        assert the_app.stop() == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)
            if p.stdout:
                p.stdout.close()


def raw(sock_path: str, payload: bytes, timeout: float = 10) -> bytes:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse and close before reading it all
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return data
    finally:
        s.close()


MALFORMED = [
    b"\n",
    b"not json\n",
    b"[1,2,3]\n",
    b'{"cmd": "rm -rf /"}\n',
    b'{"cmd": "status", "args": [1]}\n',
    b'{"cmd": "ask", "args": {"text": 5}}\n',
    b'{"cmd": "ask", "args": {"text": "   "}}\n',
    b'{"cmd": "ptt.release", "args": {"wait": "yes please"}}\n',
    b"\xff\xfe\x00garbage\n",
    b"[" * 100000 + b"\n",
    b'{"cmd": "status"' + b" " * 70000 + b"}\n",
]


def test_malformed_and_oversized_messages_are_refused(start_app: StartApp, basedir: Path) -> None:
    app = start_app(basedir, history_key_backend="off")
    sock = str(basedir / "runtime" / "ipc.sock")
    for payload in MALFORMED:
        reply = raw(sock, payload)
        if reply:
            obj = json.loads(reply)
            if payload.startswith(b'{"cmd": "ptt.release"'):
                assert "ok" in obj
            else:
                assert obj["ok"] is False and "\n" not in obj["error"], (payload[:40], obj)
        assert app.try_status() is not None, payload[:40]
    # 1 MB without a newline, then 1 MB with one: refused, connection closed, app fine.
    for payload in (b"x" * (1 << 20), b"y" * (1 << 20) + b"\n"):
        reply = raw(sock, payload)
        assert reply == b"" or json.loads(reply)["ok"] is False
        assert app.try_status() is not None
    # Half a message, then silence; and many idle connections held open at once.
    idle = []
    for _ in range(50):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
        s.sendall(b'{"cmd": "sta')
        idle.append(s)
    try:
        started = time.monotonic()
        assert app.try_status() is not None
        assert time.monotonic() - started < 10
    finally:
        for s in idle:
            s.close()
    assert app.try_status() is not None
    assert app.proc is not None and app.proc.poll() is None


def test_socket_refuses_another_user(start_app: StartApp, basedir: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as another user")
    app = start_app(basedir, history_key_backend="off")
    sock = basedir / "runtime" / "ipc.sock"
    mode = stat.S_IMODE(sock.stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)
    assert stat.S_IMODE((basedir / "runtime").stat().st_mode) & 0o077 == 0
    client = ("import socket, sys\n"
              "s = socket.socket(socket.AF_UNIX)\n"
              "try:\n"
              "    s.connect(sys.argv[1]); s.sendall(b'{\"cmd\": \"quit\"}\\n'); print('CONNECTED', s.recv(100))\n"
              "except OSError as e:\n"
              "    print('REFUSED', e.errno)\n")
    # Make the socket's directory traversable for the stranger, so only the socket's own
    # mode stands in the way (the runtime dir is 0700 as well: a second wall).
    chain = [basedir / "runtime", *basedir.parents]
    saved = {p: stat.S_IMODE(p.stat().st_mode) for p in chain if p != Path("/")}
    try:
        for p in saved:
            os.chmod(p, saved[p] | 0o011)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-S", "-c",
                            client, str(sock)], capture_output=True, text=True, timeout=30)
    finally:
        for p, m in saved.items():
            os.chmod(p, m)
    assert "REFUSED" in r.stdout, (r.stdout, r.stderr)
    assert "13" in r.stdout  # EACCES
    assert app.try_status() is not None and app.proc is not None and app.proc.poll() is None


def test_stale_socket_and_lock_after_kill9(start_app: StartApp, basedir: Path, desktop: object) -> None:
    app = start_app(basedir, history_key_backend="off")
    assert app.proc is not None
    app.proc.kill()
    app.proc.wait(timeout=10)
    assert (basedir / "runtime" / "ipc.sock").exists()  # left behind by the crash
    again = App(basedir, app.env).start()
    try:
        assert again.status()["state"] in ("idle", "error")
    finally:
        again.stop()
