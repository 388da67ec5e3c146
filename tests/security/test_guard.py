"""The guard installed for real, in subprocesses (audit hooks cannot be removed): it blocks
and counts non-loopback attempts from Python before any packet leaves, loopback still works,
and the once-a-second socket check catches a connect made by native code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.security

REPO = Path(__file__).resolve().parents[2]

PYTHON_ATTEMPTS = textwrap.dedent("""
    import json, socket, urllib.request, urllib.error
    from trayassist.core.privacy.guard import NetworkGuard, ConnectionBlocked
    guard = NetworkGuard()
    guard.install()
    guard.install()  # idempotent
    out = {}
    def attempt(name, fn):
        try:
            fn()
            out[name] = "done"
        except ConnectionBlocked:
            out[name] = "blocked"
        except urllib.error.URLError as exc:
            out[name] = "blocked" if isinstance(exc.reason, ConnectionBlocked) else repr(exc)
        except OSError as exc:
            out[name] = repr(exc)
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
    attempt("tcp", lambda: socket.create_connection(("10.255.255.1", 9), timeout=3))
    attempt("tcp_ex", lambda: socket.socket().connect_ex(("10.255.255.1", 9)))
    attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
        b"x", ("10.255.255.1", 9)))
    attempt("dns", lambda: socket.getaddrinfo("example.com", 80))
    attempt("http", lambda: urllib.request.urlopen("http://10.255.255.1:9/", timeout=3))
    attempt("loopback", lambda: socket.create_connection(srv.getsockname(), timeout=3).close())
    attempt("loopback_v6", lambda: socket.getaddrinfo("localhost", 80))
    attempt("unix", lambda: socket.socketpair())
    out["blocked"] = guard.blocked
    out["self_connections"] = guard.check_own_sockets()
    print(json.dumps(out))
""")


def run_py(code: str, prefix: list[str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*(prefix or []), sys.executable, "-c", code], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout,
                          env=os.environ | {"PYTHONPATH": str(REPO)})


def last_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_blocks_and_counts_python_attempts_loopback_still_works() -> None:
    out = last_json(run_py(PYTHON_ATTEMPTS))
    assert {k: out[k] for k in ("tcp", "tcp_ex", "udp", "dns", "http")} == dict.fromkeys(
        ("tcp", "tcp_ex", "udp", "dns", "http"), "blocked")
    assert out["loopback"] == out["loopback_v6"] == out["unix"] == "done"
    assert out["blocked"] == 5
    assert out["self_connections"] == 0


@pytest.mark.skipif(not shutil.which("strace"), reason="strace not installed")
def test_blocked_address_is_never_contacted(tmp_path: Path) -> None:
    """strace sees every connect/sendto syscall: the blocked address never reaches the kernel
    (the hook raises first), while the loopback connect does (so strace did watch)."""
    log = tmp_path / "trace"
    proc = run_py(PYTHON_ATTEMPTS, ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg",
                                    "-o", str(log)])
    out = last_json(proc)
    assert out["tcp"] == "blocked"
    trace = log.read_text()
    assert "127.0.0.1" in trace
    assert "10.255.255.1" not in trace


NATIVE_CONNECT = textwrap.dedent("""
    import ctypes, json, socket, struct, threading
    from trayassist.core.privacy.guard import NetworkGuard, ConnectionBlocked
    guard = NetworkGuard()
    guard.install()
    srv = socket.socket(); srv.bind(("10.254.0.1", 0)); srv.listen()
    port = srv.getsockname()[1]
    out = {}
    try:
        socket.create_connection(("10.254.0.1", port), timeout=3)
        out["python"] = "connected"
    except ConnectionBlocked:
        out["python"] = "blocked"
    # Native code (ctypes -> libc) bypasses audit hooks: only the socket check sees it.
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    addr = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton("10.254.0.1"))
    out["native_rc"] = libc.connect(fd, addr, len(addr))
    out["new"] = guard.check_own_sockets()
    out["again"] = guard.check_own_sockets()
    with guard.allow_for(30, "download model (test)"):
        c = socket.create_connection(("10.254.0.1", port), timeout=3)
    out["consented_new"] = guard.check_own_sockets()
    out.update({k: v for k, v in guard.status().items() if k != "recent"})
    print(json.dumps(out))
""")


def unshare_prefix() -> list[str]:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("needs root with unshare and ip (a private network namespace)")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n failed: {probe.stderr.strip()}")
    # Inside a fresh namespace only lo exists; 10.254.0.1 on lo is a non-loopback address
    # that reaches nothing outside.
    return ["unshare", "-n", "sh", "-c",
            'ip link set lo up && ip addr add 10.254.0.1/32 dev lo && exec "$@"', "sh"]


@pytest.mark.root
def test_socket_check_catches_native_connects_and_files_consented_ones() -> None:
    out = last_json(run_py(NATIVE_CONNECT, unshare_prefix()))
    assert out["python"] == "blocked"
    assert out["native_rc"] == 0
    assert (out["new"], out["again"]) == (1, 0)
    assert out["consented_new"] == 0
    assert out["self_connections"] == 1
    assert out["self_blocked"] == 1 and out["self_allowed"] == 1
    assert out["consented_connections"] == 1
