from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from trayassist.core.assistant import Assistant, Context, load_skills
from trayassist.core.assistant.llm import LlmClient, LlmError, loopback_address

pytestmark = pytest.mark.unit


class FakeModelServer(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    mode = "ok"

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        FakeModelServer.requests.append({"path": self.path, "body": body})
        if FakeModelServer.mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://93.184.216.34/steal")
            self.end_headers()
            return
        if FakeModelServer.mode == "garbage":
            payload = b"<html>not json"
        else:
            question = body["messages"][-1]["content"]
            payload = json.dumps({"model": "tiny-llama-test", "choices": [
                {"message": {"role": "assistant", "content": f"You asked: {question}"}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FakeModelServer.requests = []
    FakeModelServer.mode = "ok"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModelServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_asks_the_local_server(server: str) -> None:
    answer = LlmClient(server, model="tiny").ask("why is the sky blue")
    assert (answer.text, answer.model) == ("You asked: why is the sky blue", "tiny-llama-test")
    [req] = FakeModelServer.requests
    assert req["path"] == "/v1/chat/completions" and req["body"]["model"] == "tiny"


def test_localhost_name_is_fine(server: str) -> None:
    url = server.replace("127.0.0.1", "localhost")
    assert loopback_address(url)[0] in ("127.0.0.1", "::1")


def _fake_resolver(addr: str):  # noqa: ANN202
    def resolve(host: str, port: int, **_kw: Any) -> list[Any]:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (addr, port))]
    return resolve


@pytest.mark.parametrize("url", ["http://example.com/v1", "http://10.0.0.5:8080/v1",
                                 "http://192.168.1.2/v1", "ftp://127.0.0.1/v1", "http:///v1",
                                 "http://127.0.0.1:notaport/v1"])
def test_refuses_non_loopback(url: str) -> None:
    resolver = _fake_resolver("93.184.216.34") if "example" in url else socket.getaddrinfo
    with pytest.raises(LlmError, match="refusing|must start|no host|bad port"):
        LlmClient(url, resolve=resolver)


def test_refuses_a_name_that_resolves_outside() -> None:
    with pytest.raises(LlmError, match="not a loopback address"):
        LlmClient("http://my-llm.local:8080/v1", resolve=_fake_resolver("192.168.0.9"))


def test_does_not_follow_redirects_or_accept_garbage(server: str) -> None:
    client = LlmClient(server)
    FakeModelServer.mode = "redirect"
    with pytest.raises(LlmError, match="HTTP 302"):
        client.ask("hello?")
    FakeModelServer.mode = "garbage"
    with pytest.raises(LlmError, match="not JSON"):
        client.ask("hello?")


def test_unreachable(server: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(LlmError, match="not reachable"):
        LlmClient(f"http://127.0.0.1:{port}/v1", timeout=2).ask("hi")


def test_assistant_falls_back_for_questions_only(server: str, ctx: Context) -> None:
    assistant = Assistant(load_skills(), ctx, llm=LlmClient(server, model="tiny"))
    r = assistant.handle("Why is the sky blue?")
    assert (r.skill, r.model, r.performed) == ("llm", "tiny-llama-test", True)
    assert r.reply == "You asked: Why is the sky blue?"
    assert assistant.handle("set a timer for 1 minute").skill == "timers"  # skills first
    assert assistant.handle("Dear John, I hope you're well.").skill is None  # dictation stays
    n = len(FakeModelServer.requests)
    dry = assistant.handle("What is the meaning of life?", dry_run=True)
    assert dry.skill == "llm" and not dry.performed and len(FakeModelServer.requests) == n
