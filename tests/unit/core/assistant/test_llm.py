from __future__ import annotations

import json
import os
import socket
import threading
import urllib.parse
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


OTHER = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a server as another uid")


def test_a_server_of_another_user_is_refused_before_the_question_is_sent(server: str) -> None:
    """The kernel's word on who accepted the connection decides (here: a stand-in)."""
    client = LlmClient(server, owner_of=lambda _sock: 1234, trusted_uids={os.geteuid()})
    with pytest.raises(LlmError, match=r"run by another user \(uid 1234\)"):
        client.ask("what did I dictate yesterday")
    assert FakeModelServer.requests == []
    assert LlmClient(server).ask("and now?").text == "You asked: and now?"  # ours: fine


def _serve_as(uid: int, family: int, address: Any) -> tuple[int, int, Any]:
    """Fork a child that becomes `uid` and serves FakeModelServer; returns (pid, request
    count pipe, bound address)."""
    ready_r, ready_w = os.pipe()
    hits_r, hits_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            class Server(ThreadingHTTPServer):
                address_family = family

            if family == socket.AF_INET:  # that user's socket from the start, as a real server's
                os.setgid(uid)
                os.setuid(uid)
            httpd = Server(address, FakeModelServer, bind_and_activate=False)
            httpd.server_bind()  # a unix socket as root: the other uid could not create it here
            if family == socket.AF_UNIX:
                os.chmod(address, 0o777)
                os.setgid(uid)
                os.setuid(uid)
            httpd.server_activate()  # listen() as that uid: what SO_PEERCRED reports
            os.write(ready_w, json.dumps(list(httpd.server_address) if family != socket.AF_UNIX
                                         else address).encode())

            def counted(self: Any) -> None:
                os.write(hits_w, b"x")
                FakeModelServer.do_POST(self)

            httpd.RequestHandlerClass = type("Counted", (FakeModelServer,), {"do_POST": counted})
            httpd.serve_forever()
        finally:
            os._exit(0)
    os.close(ready_w)
    os.close(hits_w)
    bound = json.loads(os.read(ready_r, 4096))
    os.close(ready_r)
    return pid, hits_r, bound


def _hits(fd: int) -> int:
    os.set_blocking(fd, False)
    try:
        return len(os.read(fd, 100))
    except BlockingIOError:
        return 0


@as_root
def test_another_users_server_on_loopback_is_refused_for_real() -> None:
    """Another local user listens on 127.0.0.1: loopback is not "this user"."""
    pid, hits, (host, port) = _serve_as(OTHER, socket.AF_INET, ("127.0.0.1", 0))
    try:
        with pytest.raises(LlmError, match=rf"run by another user \(uid {OTHER}\)"):
            LlmClient(f"http://127.0.0.1:{port}/v1").ask("my bank password is")
        assert _hits(hits) == 0  # not one request reached it
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


@as_root
def test_unix_socket_server_ours_works_theirs_is_refused(tmp_path: Any) -> None:
    import shutil
    import tempfile

    d = tempfile.mkdtemp(prefix="trayassist-llm-", dir="/tmp")
    os.chmod(d, 0o755)
    path = os.path.join(d, "llm.sock")
    url = "http+unix://" + urllib.parse.quote(path, safe="") + "/v1"
    pid, hits, _ = _serve_as(os.geteuid(), socket.AF_UNIX, path)
    try:
        answer = LlmClient(url, model="tiny").ask("why is the sky blue")
        assert answer.text == "You asked: why is the sky blue" and _hits(hits) == 1
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.unlink(path)
    pid, hits, _ = _serve_as(OTHER, socket.AF_UNIX, path)
    try:
        os.chown(path, os.geteuid(), os.getegid())  # even a socket file that looks ours
        with pytest.raises(LlmError, match=rf"run by another user \(uid {OTHER}\)"):
            LlmClient(url).ask("hello?")
        assert _hits(hits) == 0
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        shutil.rmtree(d)


def test_unix_url_needs_a_full_path() -> None:
    with pytest.raises(LlmError, match="full path"):
        LlmClient("http+unix://llm.sock/v1")
    with pytest.raises(LlmError, match="not there"):
        LlmClient("http+unix://%2Fnonexistent%2Fllm.sock/v1").ask("hi")


def test_when_the_model_is_unavailable_a_question_stays_dictation(ctx: Context) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assistant = Assistant(load_skills(), ctx, llm=LlmClient(f"http://127.0.0.1:{port}/v1", timeout=2))
    r = assistant.handle("What should I write to my landlord about the heating?")
    assert r.skill is None and not r.is_command  # so the controller types it
    assert "not reachable" in r.reply


def test_a_non_loopback_url_disables_the_llm_not_the_assistant(tmp_path: Any) -> None:
    from trayassist.builder import ServiceBuilder
    from trayassist.core.config import Settings
    from trayassist.core.paths import Paths

    notes: list[tuple[str, str]] = []
    settings = Settings(llm_enabled=True, llm_url="http://192.0.2.7:8080/v1")
    builder = ServiceBuilder(Paths.from_basedir(tmp_path).ensure(), {})
    assistant, _timers = builder.assistant(settings, None, lambda t, m: notes.append((t, m)), status=None)
    assert assistant.llm is None
    assert assistant.handle("set a timer for 1 minute").skill == "timers"
    assert notes and "not a loopback address" in notes[0][1]
