"""The model catalog: what is installed, whether its files match their checksums, deleting
a download, and undoing what an unfinished download left in the hub cache."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.support.fake_hub import MODEL_FILES, REV_A, REV_B, put_snapshot
from trayassist.core.transcribe import catalog as catalog_mod
from trayassist.core.transcribe import models
from trayassist.core.transcribe.catalog import Installed, Integrity, ModelCatalog, languages

pytestmark = pytest.mark.unit

FILES = MODEL_FILES


def tree(root: Path) -> dict[str, str]:
    """Every path under root with what it is (a link's target, a file's bytes' hash)."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    return tmp_path / "hub"


@pytest.fixture
def catalog(hub: Path, bundled_model_path: Path) -> ModelCatalog:
    return ModelCatalog(hub, bundled=lambda: bundled_model_path)


def test_languages_in_words() -> None:
    assert languages("small.en") == "English only"
    assert languages("distil-large-v3") == "English only"  # distilled on English speech only
    assert languages("large-v3") == languages("tiny") == "99 languages"


def test_listing_names_every_model_and_what_is_installed(catalog: ModelCatalog, hub: Path,
                                                         bundled_model_path: Path) -> None:
    entries = {e.name: e for e in catalog.entries()}
    assert list(entries) == list(models.REPOS)
    tiny = entries["tiny.en"]
    assert (tiny.installed, tiny.path, tiny.deletable) == (Installed.BUNDLED, bundled_model_path, False)
    assert tiny.size_on_disk == sum((bundled_model_path / f).stat().st_size for f in FILES)
    base = entries["base.en"]
    assert (base.installed, base.path, base.size, base.deletable) == (
        Installed.MISSING, None, models.SIZES["base.en"], False)
    snap = put_snapshot(hub, "base.en", bundled_model_path)
    base = catalog.entry("base.en")
    assert (base.installed, base.path, base.deletable) == (Installed.DOWNLOADED, snap, True)
    assert base.size_on_disk == tiny.size_on_disk  # the blobs' bytes, through the links


def test_a_downloaded_model_is_verified_against_its_blob_names(catalog: ModelCatalog, hub: Path,
                                                               bundled_model_path: Path) -> None:
    put_snapshot(hub, "base.en", bundled_model_path, git_named=("config.json",))
    assert catalog.verify("base.en").state is Integrity.VERIFIED
    # Damage model.bin's blob (same size): the next check hashes again and says so.
    blob = hub / "models--Systran--faster-whisper-base.en" / "blobs" / models.BUNDLED_SHA256["model.bin"]
    with blob.open("r+b") as f:
        f.seek(500_000)
        f.write(b"\xff\xfe\xfd")
    result = catalog.verify("base.en")
    assert (result.state, result.detail) == (Integrity.DAMAGED, "model.bin does not match its checksum")


def test_a_small_file_named_by_its_git_id_is_checked_too(catalog: ModelCatalog, hub: Path,
                                                          bundled_model_path: Path) -> None:
    snap = put_snapshot(hub, "base.en", bundled_model_path, git_named=("config.json",))
    target = snap / "config.json"
    target.resolve().write_text(target.read_text().replace("{", "{ ", 1))  # still valid JSON
    result = catalog.verify("base.en")
    assert (result.state, result.detail) == (Integrity.DAMAGED, "config.json does not match its checksum")


def test_a_copied_model_bin_has_no_checksum_on_record(catalog: ModelCatalog, hub: Path,
                                                      bundled_model_path: Path) -> None:
    snap = put_snapshot(hub, "base.en", bundled_model_path)
    (snap / "model.bin").unlink()  # caches without symlinks (Windows) copy the file instead
    shutil.copyfile(bundled_model_path / "model.bin", snap / "model.bin")
    assert catalog.verify("base.en").state is Integrity.UNKNOWN


def test_a_verified_model_is_not_hashed_again_until_it_changes(
        catalog: ModelCatalog, hub: Path, bundled_model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put_snapshot(hub, "base.en", bundled_model_path)
    hashed: list[str] = []
    real = catalog_mod.file_sha256
    monkeypatch.setattr(catalog_mod, "file_sha256", lambda p: hashed.append(p.name) or real(p))
    assert catalog.verify("base.en").state is Integrity.VERIFIED
    first = len(hashed)
    assert catalog.verify("base.en").state is Integrity.VERIFIED
    assert len(hashed) == first and first >= 1
    blob = (hub / "models--Systran--faster-whisper-base.en" / "snapshots" / REV_A / "model.bin").resolve()
    os.utime(blob, ns=(1, 1))
    catalog.verify("base.en")
    assert len(hashed) > first


def test_the_bundled_model_is_verified_against_the_pinned_checksums(
        hub: Path, bundled_model_path: Path, tmp_path: Path) -> None:
    assert ModelCatalog(hub, bundled=lambda: bundled_model_path).verify("tiny.en").state is Integrity.VERIFIED
    copy = tmp_path / "copy"
    shutil.copytree(bundled_model_path, copy)
    with (copy / "tokenizer.json").open("r+b") as f:
        f.seek(10)
        f.write(b"#")
    result = ModelCatalog(hub, bundled=lambda: copy).verify("tiny.en")
    assert (result.state, result.detail) == (Integrity.DAMAGED, "tokenizer.json does not match its checksum")


def test_a_snapshot_missing_a_file_is_leftovers_not_a_model(catalog: ModelCatalog, hub: Path,
                                                            bundled_model_path: Path) -> None:
    put_snapshot(hub, "base.en", bundled_model_path, skip=("model.bin",))
    entry = catalog.entry("base.en")
    assert (entry.installed, entry.leftovers, entry.deletable) == (Installed.MISSING, True, True)
    assert catalog.verify("base.en").state is Integrity.DAMAGED


def test_delete_removes_a_download_and_never_the_bundled_model(catalog: ModelCatalog, hub: Path,
                                                               bundled_model_path: Path) -> None:
    put_snapshot(hub, "base.en", bundled_model_path)
    before = tree(bundled_model_path)
    assert catalog.delete("base.en") == sum((bundled_model_path / f).stat().st_size for f in FILES)
    assert not (hub / "models--Systran--faster-whisper-base.en").exists()
    assert not (hub / ".locks" / "models--Systran--faster-whisper-base.en").exists()
    assert catalog.entry("base.en").installed is Installed.MISSING
    with pytest.raises(models.ModelError, match="tiny.en is bundled with TrayAssist and cannot be deleted"):
        catalog.delete("tiny.en")
    with pytest.raises(models.ModelError, match="small.en is not installed"):
        catalog.delete("small.en")
    with pytest.raises(models.ModelError, match="Unknown model 'huge'"):
        catalog.delete("huge")
    assert tree(bundled_model_path) == before


def test_discard_removes_everything_a_download_added_to_an_empty_cache(catalog: ModelCatalog, hub: Path,
                                                                       bundled_model_path: Path) -> None:
    hub.mkdir()
    mark = catalog.mark("base.en")
    snap = put_snapshot(hub, "base.en", bundled_model_path, skip=("model.bin",))
    (snap.parent.parent / "blobs" / "f00.incomplete").write_bytes(b"half")
    catalog.discard_partial("base.en", mark)
    assert tree(hub) == {}


def test_discard_puts_back_an_older_complete_model(catalog: ModelCatalog, hub: Path,
                                                   bundled_model_path: Path) -> None:
    put_snapshot(hub, "base.en", bundled_model_path, rev=REV_A)
    repo_dir = hub / "models--Systran--faster-whisper-base.en"
    (repo_dir / "blobs" / "old.incomplete").write_bytes(b"from a download killed long ago")
    expected = {k: v for k, v in tree(hub).items() if not k.endswith(".incomplete")}
    mark = catalog.mark("base.en")
    # A newer revision starts arriving: the ref moves, some blobs and links land, one is half done.
    put_snapshot(hub, "base.en", bundled_model_path, rev=REV_B, git_named=("config.json",), skip=("model.bin",))
    (repo_dir / "blobs" / "new.incomplete").write_bytes(b"half")
    (hub / ".locks" / repo_dir.name / "new.lock").write_bytes(b"")
    assert (repo_dir / "refs" / "main").read_text() == REV_B
    catalog.discard_partial("base.en", mark)
    assert tree(hub) == expected
    assert (repo_dir / "refs" / "main").read_text() == REV_A
    assert catalog.entry("base.en").path == repo_dir / "snapshots" / REV_A
    assert catalog.verify("base.en").state is Integrity.VERIFIED
