"""Optional local LLM fallback: OpenAI-compatible chat completions on this machine only, from a
server run by this user: a loopback TCP port whose listener the kernel says is ours, or a
unix socket of ours (`http+unix://%2Frun%2Fuser%2F1000%2Fllm.sock/v1`)."""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import stat
import sys
import urllib.parse
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

Resolver = Callable[..., list[Any]]
# (our connected socket) -> uid of the process that accepted it; None where the OS cannot say.
OwnerOf = Callable[[socket.socket], int | None]
SYSTEM_PROMPT = ("You are a concise assistant on the user's own computer. Answer in one or two "
                 "short sentences.")
MAX_ANSWER_CHARS = 2000
UNIX_SCHEME = "http+unix"
NOT_FOUND = -1


class LlmError(RuntimeError, ValueError):
    """The LLM cannot be used; the message is fit to show the user. A ValueError too, so a
    bad URL at construction disables the LLM (the builder catches ValueError), not the
    whole assistant."""


@dataclass(frozen=True)
class LlmAnswer:
    text: str
    model: str


@dataclass(frozen=True)
class Endpoint:
    """Where to connect: a checked loopback (ip, port), or a unix socket path."""

    scheme: str
    host_header: str
    api_path: str
    ip: str = ""
    port: int = 0
    unix_path: str = ""


def loopback_address(url: str, resolve: Resolver = socket.getaddrinfo) -> tuple[str, int]:
    """(ip, port) the URL's host resolves to, if every address is loopback; else LlmError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise LlmError(f"the LLM URL must start with http:// or {UNIX_SCHEME}:// (got {url!r})")
    host = parts.hostname
    if not host:
        raise LlmError(f"the LLM URL has no host: {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise LlmError(f"the LLM URL has a bad port: {url!r}") from exc
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise LlmError(f"refusing LLM URL {url!r}: cannot resolve {host!r}") from exc
    addrs = {info[4][0] for info in infos}
    if not addrs or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs):
        raise LlmError(f"refusing LLM URL {url!r}: {host} is not a loopback address; "
                       "only a model on this machine may be used")
    return sorted(addrs)[0], port


def endpoint(url: str, resolve: Resolver = socket.getaddrinfo) -> Endpoint:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == UNIX_SCHEME:
        path = urllib.parse.unquote(parts.netloc)
        if not path.startswith("/"):
            raise LlmError(f"the LLM URL must name the socket's full path, e.g. "
                           f"{UNIX_SCHEME}://%2Frun%2Fuser%2F1000%2Fllm.sock/v1 (got {url!r})")
        return Endpoint("http", "localhost", parts.path, unix_path=path)
    ip, port = loopback_address(url, resolve)
    return Endpoint(parts.scheme, parts.netloc, parts.path, ip=ip, port=port)


def accepting_uid(sock: socket.socket) -> int | None:
    """Linux: the uid owning the other end of our loopback TCP connection (the socket the
    server accepted), from sock_diag; None where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return None  # not verified on this OS
    from trayassist.core.privacy.sockdiag import SockDiag

    mine, theirs = sock.getsockname()[:2], sock.getpeername()[:2]
    try:
        with SockDiag() as diag:
            for s in diag.tcp_established(sock.family):
                if s.local == theirs and s.remote == mine:
                    return s.uid
    except OSError:
        return None
    return NOT_FOUND  # the connection is already gone (or was never ours to see)


def _unix_owner(path: str) -> int:
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise LlmError(f"the local model's socket {path} is not there") from exc
    if not stat.S_ISSOCK(st.st_mode):
        raise LlmError(f"refusing the local model at {path}: it is not a socket")
    return st.st_uid


class LlmClient:
    """Talks to llama.cpp server / Ollama style `/v1/chat/completions` on this machine.

    Every request first checks who runs the server: the process that accepted our
    connection (loopback TCP, from the kernel) or the socket file and its peer (unix) must
    be this user or root (`trusted_uids`), since another local user can listen on
    127.0.0.1:8080 and read every question."""

    def __init__(self, base_url: str, model: str = "", timeout: float = 30.0,
                 resolve: Resolver = socket.getaddrinfo, trusted_uids: Collection[int] | None = None,
                 owner_of: OwnerOf = accepting_uid) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self._resolve = resolve
        self._trusted = set(trusted_uids) if trusted_uids is not None else {os.geteuid(), 0}
        self._owner_of = owner_of
        endpoint(self.base_url, resolve)  # refuse early, with a clear message

    def _check(self, uid: int | None, where: str) -> None:
        if uid == NOT_FOUND:
            raise LlmError(f"refusing the local model at {where}: cannot tell who runs it")
        if uid is not None and uid not in self._trusted:
            raise LlmError(f"refusing the local model at {where}: it is run by another user "
                           f"(uid {uid}), who could read what you ask")

    def _connect(self, ep: Endpoint) -> socket.socket:
        """A connected socket to a server run by a trusted user; LlmError otherwise."""
        if ep.unix_path:
            self._check(_unix_owner(ep.unix_path), ep.unix_path)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(ep.unix_path)
                from trayassist.core.ipc_peer import peer_uid

                self._check(peer_uid(sock), ep.unix_path)
            except BaseException:
                sock.close()
                raise
            return sock
        # Connect to the address we checked, so a DNS change cannot redirect us elsewhere.
        sock = socket.create_connection((ep.ip, ep.port), timeout=self.timeout)
        try:
            self._check(self._owner_of(sock), f"{ep.ip}:{ep.port}")
        except BaseException:
            sock.close()
            raise
        return sock

    def ask(self, question: str) -> LlmAnswer:
        ep = endpoint(self.base_url, self._resolve)
        body = {"messages": [{"role": "system", "content": SYSTEM_PROMPT},
                             {"role": "user", "content": question}],
                "stream": False, "temperature": 0.2}
        if self.model:
            body["model"] = self.model
        try:
            sock = self._connect(ep)  # before a single byte of the question is sent
        except OSError as exc:
            raise LlmError(f"the local model is not reachable at {self.base_url}") from exc
        # No proxies (they may be remote) and no redirects (they could point off the machine).
        conn = http.client.HTTPConnection(ep.host_header, timeout=self.timeout)
        if ep.scheme == "https":
            import ssl

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=ep.host_header.split(":")[0])
        conn.sock = sock
        try:
            conn.request("POST", ep.api_path + "/chat/completions", json.dumps(body).encode(),
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            status, raw = resp.status, resp.read(1_000_000)
        except (OSError, http.client.HTTPException) as exc:
            raise LlmError(f"the local model is not reachable at {self.base_url}") from exc
        finally:
            conn.close()
        if status != 200:
            raise LlmError(f"the local model answered HTTP {status}")
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            raise LlmError("the local model sent something that is not JSON") from exc
        try:
            text = str(data["choices"][0]["message"]["content"]).strip()
        except (KeyError, IndexError, TypeError) as exc:
            raise LlmError("the local model's answer had no text") from exc
        model = str(data.get("model") or self.model or "unknown model")
        return LlmAnswer(text[:MAX_ANSWER_CHARS], model)
