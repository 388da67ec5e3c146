"""Model resolution order, checksums of the bundled model, and the consent-gated download."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trayassist.core.transcribe import models
from trayassist.core.transcribe.models import ModelError, ModelNeedsDownload, resolve

pytestmark = pytest.mark.unit


@pytest.fixture
def model_copy(bundled_model_path: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "tiny-copy"
    shutil.copytree(bundled_model_path, dst)
    return dst


def test_bundled_model_is_verified_and_the_verification_is_remembered(
        bundled_model_path: Path, tmp_path: Path) -> None:
    r = resolve("tiny.en", "", tmp_path)
    assert (r.source, r.name, r.path) == ("bundled", "tiny.en", bundled_model_path)
    stamps = json.loads((tmp_path / "bundled-model-verified.json").read_text())
    assert len(stamps) == 4  # one (size, mtime) per pinned file


def test_a_corrupted_copy_of_the_bundled_model_is_refused(model_copy: Path, tmp_path: Path) -> None:
    resolve("tiny.en", "", tmp_path, bundled=lambda: model_copy)  # the intact copy passes
    with (model_copy / "model.bin").open("r+b") as f:  # flip bytes, keep the size
        f.seek(1_000_000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match=r"model.bin is damaged \(checksum mismatch\)"):
        resolve("tiny.en", "", tmp_path, bundled=lambda: model_copy)


def test_a_truncated_or_incomplete_model_is_refused(model_copy: Path, tmp_path: Path) -> None:
    (model_copy / "model.bin").write_bytes(b"")
    with pytest.raises(ModelError, match="model.bin is missing or empty"):
        resolve("tiny.en", str(model_copy), tmp_path)
    (model_copy / "config.json").unlink()
    with pytest.raises(ModelError, match="config.json is missing"):
        resolve("tiny.en", "", tmp_path, bundled=lambda: model_copy)


def test_settings_path_wins_over_everything(model_copy: Path, tmp_path: Path) -> None:
    r = resolve("large-v3", str(model_copy), tmp_path)
    assert (r.source, r.path) == ("settings", model_copy)
    with pytest.raises(ModelError, match="Model folder not found"):
        resolve("tiny.en", str(tmp_path / "nope"), tmp_path)


def test_hub_cache_is_used_then_a_download_is_asked_for(model_copy: Path, tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    with pytest.raises(ModelNeedsDownload) as info:
        resolve("base.en", "", tmp_path, hub_cache=hub)
    assert info.value.name == "base.en" and info.value.approx_size == models.SIZES["base.en"]
    assert "145 MB" in str(info.value)
    snap = hub / "models--Systran--faster-whisper-base.en" / "snapshots" / "abc"
    shutil.copytree(model_copy, snap)
    (snap.parent.parent / "refs").mkdir()
    (snap.parent.parent / "refs" / "main").write_text("abc")
    r = resolve("base.en", "", tmp_path, hub_cache=hub)
    assert (r.source, r.path) == ("cache", snap)


def test_choice_list_covers_tiny_to_large_and_distil() -> None:
    names = [n for n, _ in models.choices()]
    assert {"tiny.en", "large-v3", "distil-large-v3"} <= set(names)
    assert dict(models.choices())["large-v3"] == "3.1 GB"


# ---- download against a local fake of the hub's HTTP API -----------------------------
SHA = "0123456789abcdef0123456789abcdef01234567"


class FakeHub(BaseHTTPRequestHandler):
    """Serves one repo the way huggingface_hub 1.x/2.x asks for it (revision info, tree,
    HEAD/GET resolve). Not covered: redirects to a CDN, xet storage, auth."""

    repo = "Systran/faster-whisper-tiny.en"
    files: dict[str, bytes] = {}
    requests: list[str] = []

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        FakeHub.requests.append(f"{self.command} {self.path}")
        p = self.path.split("?")[0]
        if p == f"/api/models/{self.repo}/revision/main":
            return self._send(200, json.dumps({"id": self.repo, "sha": SHA, "siblings": [
                {"rfilename": f} for f in self.files]}).encode())
        if p == f"/api/models/{self.repo}/tree/{SHA}":
            return self._send(200, json.dumps([
                {"type": "file", "path": f, "size": len(b), "oid": hashlib.sha1(b).hexdigest()}
                for f, b in self.files.items()]).encode())
        for f, b in self.files.items():
            if p == f"/{self.repo}/resolve/{SHA}/{f}":
                return self._send(200, b, {"ETag": f'"{hashlib.sha256(b).hexdigest()}"',
                                           "X-Repo-Commit": SHA})
        self._send(404, b"{}")

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


@pytest.fixture
def fake_hub(bundled_model_path: Path) -> Iterator[str]:
    FakeHub.files = {f: (bundled_model_path / f).read_bytes()
                     for f in ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")}
    FakeHub.requests = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()
    t.join(5)


def test_no_download_without_consent(fake_hub: str, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="needs the user's consent"):
        models.download("tiny.en", consent=False, hub_cache=tmp_path, endpoint=fake_hub)
    assert FakeHub.requests == []


@pytest.mark.model
def test_consented_download_fetches_a_loadable_model_then_stays_offline(
        fake_hub: str, tmp_path: Path) -> None:
    from huggingface_hub import constants

    offline_before = constants.HF_HUB_OFFLINE
    r = models.download("tiny.en", consent=True, hub_cache=tmp_path / "hub", endpoint=fake_hub)
    assert r.source == "download"
    assert any("/resolve/" in q and q.endswith("model.bin") for q in FakeHub.requests)
    assert offline_before == constants.HF_HUB_OFFLINE  # offline mode restored
    assert models._sha256(r.path / "model.bin") == models.BUNDLED_SHA256["model.bin"]
    # Now it resolves from the cache without the network, and loads.
    again = resolve("tiny.en", "", tmp_path, hub_cache=tmp_path / "hub", bundled=lambda: None)
    assert (again.source, again.path) == ("cache", r.path)
    from faster_whisper import WhisperModel

    WhisperModel(str(again.path), device="cpu", compute_type="int8", cpu_threads=1)


def test_a_failing_download_gives_one_line(fake_hub: str, tmp_path: Path) -> None:
    FakeHub.repo = "nobody/else"
    try:
        with pytest.raises(ModelError, match=r"^Download of tiny.en failed: ") as info:
            models.download("tiny.en", consent=True, hub_cache=tmp_path, endpoint=fake_hub)
        assert "\n" not in str(info.value)
    finally:
        FakeHub.repo = "Systran/faster-whisper-tiny.en"
