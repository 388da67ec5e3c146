"""Where TrayAssist keeps its files: platformdirs, or everything under --basedir."""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "trayassist"


@dataclass(frozen=True)
class Paths:
    """Every directory the app writes to. Nothing is written anywhere else."""

    config: Path
    data: Path
    cache: Path
    state: Path
    log: Path
    runtime: Path
    basedir: Path | None = None

    @classmethod
    def from_basedir(cls, basedir: str | os.PathLike[str] | None) -> Paths:
        if basedir is not None:
            base = Path(basedir).expanduser().resolve()
            return cls(
                config=base / "config",
                data=base / "data",
                cache=base / "cache",
                state=base / "state",
                log=base / "log",
                runtime=base / "runtime",
                basedir=base,
            )
        import platformdirs

        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        with warnings.catch_warnings():
            # Without XDG_RUNTIME_DIR platformdirs falls back to a per-user /tmp dir
            # and warns; that fallback is fine for us (we make it 0700).
            warnings.simplefilter("ignore")
            runtime = Path(dirs.user_runtime_dir)
        return cls(
            config=Path(dirs.user_config_dir),
            data=Path(dirs.user_data_dir),
            cache=Path(dirs.user_cache_dir),
            state=Path(dirs.user_state_dir),
            log=Path(dirs.user_log_dir),
            runtime=runtime,
        )

    def ensure(self) -> Paths:
        """Create the directories, private to the user (0700). The runtime dir (the IPC
        socket, the instance lock) must be ours: EndpointRefused otherwise, and never a
        chmod of someone else's directory."""
        from trayassist.core.ipc_peer import check_private_dir

        posix = os.name == "posix"
        for p in (self.config, self.data, self.cache, self.state, self.log, self.runtime):
            p.mkdir(parents=True, exist_ok=True, mode=0o700)
            if posix and p == self.runtime and (p.is_symlink() or p.lstat().st_uid != os.geteuid()):
                check_private_dir(p)  # not ours: raises, saying why
            try:
                os.chmod(p, 0o700)
            except OSError:  # pragma: no cover - e.g. a filesystem without modes
                pass
        if posix:
            check_private_dir(self.runtime)
        return self

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def history_db(self) -> Path:
        return self.data / "history.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log / "trayassist.log"

    @property
    def crash_dir(self) -> Path:
        return self.log / "crashes"

    @property
    def ipc_name(self) -> str:
        """Full path of the single-instance socket (a file, so its mode is ours).

        Unix socket paths are limited to ~104 bytes; a long --basedir falls back
        to a short name in the temp dir derived from the basedir.
        """
        import hashlib

        digest = hashlib.sha256(str(self.runtime).encode()).hexdigest()[:16]
        if os.name == "nt":  # a named pipe; Qt makes it private to the user
            return f"trayassist-{digest}"
        path = self.runtime / "ipc.sock"
        if len(str(path)) < 100:
            return str(path)
        return str(Path(tempfile.gettempdir()) / f"trayassist-{os.getuid()}-{digest}.sock")
