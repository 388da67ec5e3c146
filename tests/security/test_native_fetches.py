"""Native code must not fetch either: a model folder without tokenizer.json (faster-whisper
would call Tokenizer.from_pretrained, a hub download) and audio "files" that FFmpeg reads
as network sources. `trayassist transcribe` runs under `strace -f -e trace=connect` with a
local HTTP server on 127.0.0.2 as the would-be target: nothing may connect to it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.keyring import write_settings
from tests.support.strace import non_loopback_connects

pytestmark = [pytest.mark.security, pytest.mark.model,
              pytest.mark.skipif(not shutil.which("strace"), reason="strace not installed")]

TARGET = "127.0.0.2"  # loopback, so nothing leaves even if the fix failed; not 127.0.0.1


class Target:
    """An HTTP server that answers 404 to everything and remembers each request."""

    def __init__(self) -> None:
        requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                requests.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.end_headers()

            do_GET = do_HEAD = do_POST = _any  # noqa: N815

            def log_message(self, *_args: object) -> None:
                pass

        self.requests = requests
        self.server = ThreadingHTTPServer((TARGET, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    t = Target()
    yield t
    t.stop()


def traced_transcribe(basedir: Path, files: list[str], target: Target, cwd: Path,
                      trace: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `transcribe` under strace as a user who set HF_HUB_OFFLINE=0 for other tools (the
    app keeps a value it finds; its own download path lifts offline mode too), with the hub
    pointed at the target; returns the result and every connect to the target or off the machine."""
    env = dict(os.environ, HF_ENDPOINT=f"http://{TARGET}:{target.port}", HF_HOME=str(cwd / "hf"),
               HF_HUB_OFFLINE="0")
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace), sys.executable, "-m",
                        "trayassist.cli", "--basedir", str(basedir), "transcribe", "--json", *files],
                       capture_output=True, text=True, timeout=240, env=env, cwd=cwd)
    lines = trace.read_text().splitlines()
    reached = [line for line in lines if f'inet_addr("{TARGET}")' in line]
    return r, reached + non_loopback_connects(lines)


def test_a_model_with_only_vocabulary_txt_is_refused_not_fetched(
        basedir: Path, tmp_path: Path, bundled_model_path: Path, target: Target) -> None:
    model = tmp_path / "model"
    model.mkdir()
    for name in ("config.json", "model.bin", "vocabulary.txt"):  # everything but tokenizer.json
        (model / name).symlink_to(bundled_model_path / name)
    write_settings(basedir, model_path=str(model))
    (tmp_path / "any.wav").write_bytes(b"")
    r, reached = traced_transcribe(basedir, [str(tmp_path / "any.wav")], target, tmp_path,
                                   tmp_path / "model.trace")
    assert reached == [] and target.requests == [], (reached, target.requests)
    assert r.returncode != 0
    ours = [line for line in r.stderr.splitlines() if line.startswith("trayassist transcribe: ")]
    assert len(ours) == 1 and "tokenizer.json" in ours[0], r.stderr[-2000:]


def crafted_inputs(d: Path, port: int) -> list[str]:
    """Files that name network sources; all relative to `d`, which is the working dir."""
    url = f"http://{TARGET}:{port}"
    (d / "playlist.m3u8").write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{url}/seg.ts\n"
                                     "#EXT-X-ENDLIST\n")
    (d / "stream.sdp").write_text(f"v=0\no=- 0 0 IN IP4 {TARGET}\ns=x\nc=IN IP4 {TARGET}\nt=0 0\n"
                                  f"m=audio {port} RTP/AVP 0\n")
    (d / "list.ffconcat").write_text(f"ffconcat version 1.0\nfile '{url}/part.wav'\n")
    # A real local file whose relative path FFmpeg would read as a URL: `http:/HOST:PORT/a.wav`.
    shaped = d / "http:" / f"{TARGET}:{port}"
    shaped.mkdir(parents=True)
    (shaped / "a.wav").write_bytes(b"RIFF")
    return ["playlist.m3u8", "stream.sdp", "list.ffconcat", f"http:/{TARGET}:{port}/a.wav"]


@pytest.mark.audio
def test_transcribe_opens_local_files_only(basedir: Path, tmp_path: Path, target: Target,
                                           speech_dir: Path, virtual_mic: str) -> None:
    good = pulse.speak("only local files are read", speech_dir / "local_only.wav")
    crafted = crafted_inputs(tmp_path, target.port)
    r, reached = traced_transcribe(basedir, [*crafted, str(good.path)], target, tmp_path,
                                   tmp_path / "files.trace")
    assert reached == [] and target.requests == [], (reached, target.requests)
    assert r.returncode == 1, r.stderr[-2000:]
    results = {x["file"]: x for x in json.loads(r.stdout)}
    for name in crafted:
        assert results[name]["error"] and results[name]["text"] == "", results[name]
    assert results[str(good.path)]["error"] is None and "local" in results[str(good.path)]["text"].lower()
