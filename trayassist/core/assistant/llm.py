"""Optional local LLM fallback: OpenAI-compatible chat completions on a loopback address only."""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Resolver = Callable[..., list[Any]]
SYSTEM_PROMPT = ("You are a concise assistant on the user's own computer. Answer in one or two "
                 "short sentences.")
MAX_ANSWER_CHARS = 2000


class LlmError(RuntimeError):
    """The LLM cannot be used; the message is fit to show the user."""


@dataclass(frozen=True)
class LlmAnswer:
    text: str
    model: str


def loopback_address(url: str, resolve: Resolver = socket.getaddrinfo) -> tuple[str, int]:
    """(ip, port) the URL's host resolves to, if every address is loopback; else LlmError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise LlmError(f"the LLM URL must start with http:// (got {url!r})")
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could point off the machine


class LlmClient:
    """Talks to llama.cpp server / Ollama style `/v1/chat/completions` on loopback."""

    def __init__(self, base_url: str, model: str = "", timeout: float = 30.0,
                 resolve: Resolver = socket.getaddrinfo) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self._resolve = resolve
        loopback_address(self.base_url, resolve)  # refuse early, with a clear message
        # No proxies (they may be remote) and no redirects.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    def ask(self, question: str) -> LlmAnswer:
        ip, port = loopback_address(self.base_url, self._resolve)
        parts = urllib.parse.urlsplit(self.base_url + "/chat/completions")
        # Connect to the address we checked, so a DNS change cannot redirect us elsewhere.
        netloc = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
        url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        body = {"messages": [{"role": "system", "content": SYSTEM_PROMPT},
                             {"role": "user", "content": question}],
                "stream": False, "temperature": 0.2}
        if self.model:
            body["model"] = self.model
        req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Host": parts.netloc})
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                data = json.loads(resp.read(1_000_000).decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise LlmError(f"the local model answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise LlmError(f"the local model is not reachable at {self.base_url}") from exc
        except ValueError as exc:
            raise LlmError("the local model sent something that is not JSON") from exc
        try:
            text = str(data["choices"][0]["message"]["content"]).strip()
        except (KeyError, IndexError, TypeError) as exc:
            raise LlmError("the local model's answer had no text") from exc
        model = str(data.get("model") or self.model or "unknown model")
        return LlmAnswer(text[:MAX_ANSWER_CHARS], model)
