"""The speech models on this computer: which are installed, whether their files are intact,
deleting a downloaded one, and undoing what a failed or cancelled download left behind."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from trayassist.core.transcribe import models

log = logging.getLogger(__name__)

# Distil-Whisper was trained on English speech only, whatever its tokenizer allows.
ENGLISH_ONLY = frozenset({"distil-large-v3"})
SHA256_NAME = re.compile(r"^[0-9a-f]{64}$")
GIT_SHA1_NAME = re.compile(r"^[0-9a-f]{40}$")


def languages(name: str) -> str:
    """The languages a model understands, in words."""
    return "English only" if name.endswith(".en") or name in ENGLISH_ONLY else "99 languages"


class Installed(StrEnum):
    BUNDLED = "bundled"
    DOWNLOADED = "downloaded"
    MISSING = "not installed"


class Integrity(StrEnum):
    VERIFIED = "verified"
    DAMAGED = "damaged"
    UNKNOWN = "no checksum on record"  # e.g. a cache that copies files instead of linking blobs


@dataclass(frozen=True)
class Verification:
    state: Integrity
    detail: str = ""  # one line: which file, and why


@dataclass(frozen=True)
class ModelEntry:
    name: str
    repo: str
    languages: str
    approx_size: int  # what a download costs
    installed: Installed
    path: Path | None  # the folder TrayAssist loads, when installed
    size_on_disk: int = 0
    leftovers: bool = False  # files of an unfinished download, and no complete copy

    @property
    def size(self) -> int:
        return self.size_on_disk or self.approx_size

    @property
    def deletable(self) -> bool:
        """Only a downloaded copy (or leftovers) can go; the bundled model never."""
        return self.installed is Installed.DOWNLOADED or self.leftovers


@dataclass(frozen=True)
class CacheMark:
    """What a model's cache folders held before a download, to undo what it added."""

    existed: bool
    entries: Mapping[str, str] = field(default_factory=dict)  # relative path -> kind and content
    locks: frozenset[str] | None = None  # names in the model's lock folder; None: no folder


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def git_blob_sha1(path: Path) -> str:
    """The id git (and so the hub) gives a small file: sha1 of "blob <size>\\0" + content."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def verify_snapshot(folder: Path) -> Verification:
    """Check every file of a downloaded snapshot against the blob it links to: the hub
    cache names LFS blobs (model.bin) by their SHA-256 and small files by their git id."""
    try:
        models.check_files(folder)
    except models.ModelError as exc:
        return Verification(Integrity.DAMAGED, str(exc))
    unknown: list[str] = []
    for f in sorted(folder.iterdir()):
        if not f.is_symlink():
            unknown.append(f.name)
            continue
        blob = Path(os.readlink(f)).name
        if not f.exists():
            return Verification(Integrity.DAMAGED, f"{f.name} is missing")
        if SHA256_NAME.match(blob):
            actual = file_sha256(f)
        elif GIT_SHA1_NAME.match(blob):
            actual = git_blob_sha1(f)
        else:
            unknown.append(f.name)
            continue
        if actual != blob:
            return Verification(Integrity.DAMAGED, f"{f.name} does not match its checksum")
    if "model.bin" in unknown:
        return Verification(Integrity.UNKNOWN, "model.bin has no checksum on record here")
    return Verification(Integrity.VERIFIED)


def verify_bundled(folder: Path) -> Verification:
    """Hash every bundled file against the SHA-256 pinned in models.py."""
    for name, digest in models.BUNDLED_SHA256.items():
        f = folder / name
        if not f.is_file():
            return Verification(Integrity.DAMAGED, f"{name} is missing")
        if file_sha256(f) != digest:
            return Verification(Integrity.DAMAGED, f"{name} does not match its checksum")
    return Verification(Integrity.VERIFIED)


class ModelCatalog:
    """Lists, verifies and deletes models in the hub cache TrayAssist downloads into.
    Listing is cheap (no hashing); `verify` hashes and belongs off the GUI thread."""

    def __init__(self, hub_cache: Path, bundled: Callable[[], Path | None] = models.bundled_path) -> None:
        self.hub_cache = hub_cache
        self._bundled = bundled
        self._lock = threading.Lock()
        self._verified: dict[tuple[str, int, int], Verification] = {}

    def repo_dir(self, name: str) -> Path:
        return self.hub_cache / ("models--" + self._repo(name).replace("/", "--"))

    def locks_dir(self, name: str) -> Path:
        return self.hub_cache / ".locks" / self.repo_dir(name).name

    @staticmethod
    def _repo(name: str) -> str:
        repo = models.REPOS.get(name)
        if repo is None:
            raise models.ModelError(f"Unknown model {name!r}; choose one of {', '.join(models.REPOS)}")
        return repo

    # ---- listing -----------------------------------------------------------------------
    def entries(self) -> list[ModelEntry]:
        bundled = self._bundled()
        return [self._entry(name, bundled) for name in models.REPOS]

    def entry(self, name: str) -> ModelEntry:
        return self._entry(name, self._bundled())

    def _entry(self, name: str, bundled: Path | None) -> ModelEntry:
        repo = self._repo(name)
        repo_dir = self.repo_dir(name)
        snapshot = models.cached_path(name, self.hub_cache)
        size = models.SIZES[name]
        if name == models.BUNDLED_NAME and bundled is not None:
            return ModelEntry(name, repo, languages(name), size, Installed.BUNDLED, bundled, _folder_size(bundled))
        if snapshot is not None:
            return ModelEntry(name, repo, languages(name), size, Installed.DOWNLOADED, snapshot,
                              _folder_size(snapshot))
        return ModelEntry(name, repo, languages(name), size, Installed.MISSING, None, leftovers=repo_dir.exists())

    # ---- checking ----------------------------------------------------------------------
    def verify(self, name: str) -> Verification:
        """Hash the installed model's files (seconds for the large ones). A result is
        remembered while model.bin keeps its size and modification time."""
        entry = self.entry(name)
        if entry.path is None:
            return Verification(Integrity.DAMAGED, f"{name} is not installed")
        try:
            st = (entry.path / "model.bin").stat()
        except OSError:
            return Verification(Integrity.DAMAGED, "model.bin is missing")
        key = (str(entry.path), st.st_size, st.st_mtime_ns)
        with self._lock:
            known = self._verified.get(key)
        if known is not None:
            return known
        try:
            result = (verify_bundled(entry.path) if entry.installed is Installed.BUNDLED
                      else verify_snapshot(entry.path))
        except OSError as exc:
            result = Verification(Integrity.DAMAGED, f"cannot be read ({exc.strerror or exc})")
        with self._lock:
            self._verified[key] = result
        return result

    # ---- deleting ----------------------------------------------------------------------
    def delete(self, name: str) -> int:
        """Delete the downloaded copy of a model (every revision, and its lock files);
        returns the bytes freed. The bundled model is never touched."""
        entry = self.entry(name)
        repo_dir = self.repo_dir(name)
        if not repo_dir.exists():
            if entry.installed is Installed.BUNDLED:
                raise models.ModelError(f"{name} is bundled with TrayAssist and cannot be deleted")
            raise models.ModelError(f"{name} is not installed")
        freed = _folder_size(repo_dir / "blobs")
        _remove_tree(repo_dir)
        _remove_tree(self.locks_dir(name))
        with self._lock:
            self._verified = {k: v for k, v in self._verified.items() if not k[0].startswith(str(repo_dir))}
        log.info("deleted model %s (%d bytes)", name, freed)
        return freed

    # ---- undoing a download -------------------------------------------------------------
    def mark(self, name: str) -> CacheMark:
        """Remember the model's cache folders before a download (cheap: names and links)."""
        repo_dir = self.repo_dir(name)
        locks_dir = self.locks_dir(name)
        locks = frozenset(p.name for p in locks_dir.iterdir()) if locks_dir.is_dir() else None
        if not repo_dir.is_dir():
            return CacheMark(existed=False, locks=locks)
        entries: dict[str, str] = {}
        for path in _walk(repo_dir):
            rel = path.relative_to(repo_dir).as_posix()
            if path.is_symlink():
                entries[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                entries[rel] = "dir"
            elif rel.startswith("refs/"):
                entries[rel] = "ref:" + path.read_text(encoding="utf-8", errors="replace")
            else:
                entries[rel] = "file"
        return CacheMark(existed=True, entries=entries, locks=locks)

    def discard_partial(self, name: str, before: CacheMark) -> None:
        """Put the model's cache folders back as `mark` found them: no `*.incomplete` blob,
        no snapshot missing files, no folder that was not there before."""
        repo_dir = self.repo_dir(name)
        locks = self.locks_dir(name)
        if not before.existed:
            _remove_tree(repo_dir)
        elif repo_dir.is_dir():
            for path in sorted(_walk(repo_dir), key=lambda p: len(p.parts), reverse=True):
                rel = path.relative_to(repo_dir).as_posix()
                old = before.entries.get(rel)
                if path.name.endswith(".incomplete") or old is None:
                    _remove(path)
                elif old.startswith("ref:") and path.read_text(encoding="utf-8", errors="replace") != old[4:]:
                    path.write_text(old[4:], encoding="utf-8")
                elif old.startswith("link:") and (not path.is_symlink() or os.readlink(path) != old[5:]):
                    _remove(path)
                    os.symlink(old[5:], path)
        if before.locks is None:
            _remove_tree(locks)
            try:
                locks.parent.rmdir()  # the cache's lock folder, when nothing else uses it
            except OSError:
                pass
        elif locks.is_dir():
            for path in locks.iterdir():
                if path.name not in before.locks:
                    _remove(path)
        with self._lock:
            self._verified.clear()


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        out += [base / d for d in dirnames] + [base / f for f in filenames]
    return out


def _folder_size(folder: Path) -> int:
    """Bytes of the files a folder holds, following the snapshot links to their blobs."""
    total = 0
    try:
        for f in folder.iterdir():
            try:
                if f.is_file():
                    total += f.stat().st_size
            except OSError:
                continue
    except OSError:
        return 0
    return total


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
