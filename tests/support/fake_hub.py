"""A local stand-in for the Hugging Face hub's HTTP API, on loopback, serving one model repo.

Serves what huggingface_hub 1.x/2.x asks for (revision info, tree, HEAD/GET resolve).
Not covered: redirects to a CDN, xet storage, auth. model.bin can be held part-way (to
cancel a download in the middle) or broken part-way (a download that fails), and the hub
remembers which process fetched model.bin (to show that the app itself did not).
`put_snapshot` lays out a downloaded model in a hub cache without a hub.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from trayassist.core.transcribe import models

SHA = "0123456789abcdef0123456789abcdef01234567"
MODEL_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
CHUNK = 1 << 20


class HubState:
    """What the hub serves and how; the tests change it between downloads."""

    def __init__(self, files: dict[str, bytes], repo: str) -> None:
        self.files = files
        self.repo = repo
        self.requests: list[str] = []
        self.model_bin_clients: list[int | None] = []  # pid of each process that GETs model.bin
        self.hold_after: int | None = None  # send this many bytes of model.bin, then wait for `release`
        self.release = threading.Event()
        self.break_after: int | None = None  # send this many bytes of model.bin, then drop; later GETs fail
        self.broken = False
        self.sent = 0  # bytes of model.bin sent (all requests)
        self.etag_override: dict[str, str] = {}  # file -> the checksum the hub claims for it


def _client_pid(client: tuple[str, int]) -> int | None:
    """The process on this machine that holds the client end of a loopback connection."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and (conn.laddr.ip, conn.laddr.port) == tuple(client[:2]):
            return conn.pid
    return None


class _Handler(BaseHTTPRequestHandler):
    state: HubState

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        st = self.state
        st.requests.append(f"{self.command} {self.path}")
        p = self.path.split("?")[0]
        if p == f"/api/models/{st.repo}/revision/main":
            return self._send(200, json.dumps({"id": st.repo, "sha": SHA, "siblings": [
                {"rfilename": f} for f in st.files]}).encode())
        if p == f"/api/models/{st.repo}/tree/{SHA}":
            return self._send(200, json.dumps([
                {"type": "file", "path": f, "size": len(b), "oid": hashlib.sha1(b).hexdigest()}
                for f, b in st.files.items()]).encode())
        for f, b in st.files.items():
            if p == f"/{st.repo}/resolve/{SHA}/{f}":
                etag = st.etag_override.get(f) or hashlib.sha256(b).hexdigest()
                headers = {"ETag": f'"{etag}"', "X-Repo-Commit": SHA}
                if f == "model.bin" and self.command == "GET":
                    return self._model_bin(b, headers)
                return self._send(200, b, headers)
        self._send(404, b"{}")

    def _model_bin(self, body: bytes, headers: dict[str, str]) -> None:
        st = self.state
        st.model_bin_clients.append(_client_pid(self.client_address))
        if st.broken:
            return self._send(500, b"{}")
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        pos = 0
        try:
            while pos < len(body):
                if st.break_after is not None and pos >= st.break_after:
                    st.broken = True  # the retry (with a Range header) gets a 500
                    self.close_connection = True
                    return
                if st.hold_after is not None and pos >= st.hold_after and not st.release.is_set():
                    self.wfile.flush()
                    st.release.wait(60)  # the test cancels meanwhile; bounded so the hub can stop
                end = min(len(body), pos + CHUNK)
                if st.break_after is not None:
                    end = min(end, max(st.break_after, pos + 1))
                if st.hold_after is not None and not st.release.is_set():
                    end = min(end, max(st.hold_after, pos + 1))
                self.wfile.write(body[pos:end])
                st.sent += end - pos
                pos = end
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a cancelled download)

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


REV_A = "a" * 40
REV_B = "b" * 40


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def put_snapshot(hub: Path, name: str, source: Path, rev: str = REV_A, git_named: tuple[str, ...] = (),
                 skip: tuple[str, ...] = ()) -> Path:
    """A snapshot laid out as huggingface_hub lays it out: blobs named by their checksum
    (SHA-256 for LFS files, the git id for small ones) and relative links to them."""
    repo_dir = hub / ("models--" + models.REPOS[name].replace("/", "--"))
    snap = repo_dir / "snapshots" / rev
    (repo_dir / "blobs").mkdir(parents=True, exist_ok=True)
    snap.mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs").mkdir(exist_ok=True)
    (repo_dir / "refs" / "main").write_text(rev)
    for f in MODEL_FILES:
        if f in skip:
            continue
        data = (source / f).read_bytes()
        blob = git_sha1(data) if f in git_named else hashlib.sha256(data).hexdigest()
        if not (repo_dir / "blobs" / blob).exists():
            (repo_dir / "blobs" / blob).write_bytes(data)
        os.symlink(f"../../blobs/{blob}", snap / f)
    locks = hub / ".locks" / repo_dir.name
    locks.mkdir(parents=True, exist_ok=True)
    (locks / "x.lock").write_bytes(b"")
    return snap


class FakeHub:
    def __init__(self, state: HubState, url: str) -> None:
        self.state = state
        self.url = url


def model_files(model_dir: Path) -> dict[str, bytes]:
    return {f: (model_dir / f).read_bytes() for f in MODEL_FILES}


@contextmanager
def serve(files: dict[str, bytes], repo: str = "Systran/faster-whisper-tiny.en") -> Iterator[FakeHub]:
    state = HubState(files, repo)
    handler = type("Handler", (_Handler,), {"state": state})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield FakeHub(state, f"http://127.0.0.1:{srv.server_port}")
    finally:
        state.release.set()
        srv.shutdown()
        srv.server_close()
        t.join(5)
