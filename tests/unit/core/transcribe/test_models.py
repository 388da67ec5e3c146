"""Model resolution order, checksums of the bundled model, and the consent-gated download."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_hub import FakeHub, model_files, serve
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
@pytest.fixture
def fake_hub(bundled_model_path: Path) -> Iterator[FakeHub]:
    with serve(model_files(bundled_model_path)) as hub:
        yield hub


def test_no_download_without_consent(fake_hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="needs the user's consent"):
        models.download("tiny.en", consent=False, hub_cache=tmp_path, endpoint=fake_hub.url)
    assert fake_hub.state.requests == []


@pytest.mark.model
def test_consented_download_fetches_a_loadable_model_then_stays_offline(
        fake_hub: FakeHub, tmp_path: Path) -> None:
    from huggingface_hub import constants

    offline_before = constants.HF_HUB_OFFLINE
    seen: list[tuple[int, int]] = []
    r = models.download("tiny.en", consent=True, hub_cache=tmp_path / "hub", endpoint=fake_hub.url,
                        progress=lambda done, total: seen.append((done, total)))
    assert r.source == "download"
    assert any("/resolve/" in q and q.endswith("model.bin") for q in fake_hub.state.requests)
    assert offline_before == constants.HF_HUB_OFFLINE  # offline mode restored
    assert models._sha256(r.path / "model.bin") == models.BUNDLED_SHA256["model.bin"]
    # Progress in bytes, never past the files' size, ending at it.
    size = sum(len(b) for b in fake_hub.state.files.values())
    assert seen and seen[-1] == (size, size)
    assert all(done <= total for done, total in seen if total)
    # Now it resolves from the cache without the network, and loads.
    again = resolve("tiny.en", "", tmp_path, hub_cache=tmp_path / "hub", bundled=lambda: None)
    assert (again.source, again.path) == ("cache", r.path)
    from faster_whisper import WhisperModel

    WhisperModel(str(again.path), device="cpu", compute_type="int8", cpu_threads=1)


def test_a_failing_download_gives_one_line(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.state.repo = "nobody/else"
    with pytest.raises(ModelError, match=r"^Download of tiny.en failed: ") as info:
        models.download("tiny.en", consent=True, hub_cache=tmp_path, endpoint=fake_hub.url)
    assert "\n" not in str(info.value)


def test_a_download_broken_halfway_leaves_nothing_behind(fake_hub: FakeHub, tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    fake_hub.state.break_after = 3_000_000  # model.bin breaks off; the other files arrive whole
    with pytest.raises(ModelError, match=r"^Download of tiny.en failed: "):
        models.download("tiny.en", consent=True, hub_cache=hub, endpoint=fake_hub.url)
    assert fake_hub.state.sent >= 3_000_000  # it did break in the middle of model.bin
    assert not (hub / "models--Systran--faster-whisper-tiny.en").exists()
    assert not (hub / ".locks" / "models--Systran--faster-whisper-tiny.en").exists()
    assert list(hub.rglob("*.incomplete")) == []


def test_a_download_that_arrives_damaged_is_refused_and_removed(fake_hub: FakeHub, tmp_path: Path) -> None:
    # The hub names model.bin by the checksum of other bytes (a transfer gone wrong).
    files = dict(fake_hub.state.files)
    damaged = bytearray(files["model.bin"])
    damaged[1000:1004] = b"\x00\x01\x02\x03"
    fake_hub.state.files = files | {"model.bin": bytes(damaged)}
    fake_hub.state.etag_override = {"model.bin": models.BUNDLED_SHA256["model.bin"]}
    with pytest.raises(ModelError, match="arrived damaged: model.bin does not match its checksum"):
        models.download("tiny.en", consent=True, hub_cache=tmp_path / "hub", endpoint=fake_hub.url)
    assert not (tmp_path / "hub" / "models--Systran--faster-whisper-tiny.en").exists()
