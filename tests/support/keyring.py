"""How the app under test gets its history key: a real Secret Service, or settings.

`SecretService.start(home)` runs a private D-Bus session bus and gnome-keyring-daemon
(unlocked with a test password), so the real `keyring` package picks SecretService and
the history is really kept on disk. `write_settings` writes the app's settings file
before it starts (e.g. `history_key_backend="session"` on machines without a keyring).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings, SettingsStore

PASSWORD = "trayassist-test-keyring"


def write_settings(basedir: Path, **fields: Any) -> Settings:
    """Save Settings(**fields) where `--basedir basedir` reads them; returns them."""
    settings = Settings(**fields)
    path = basedir / "config" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    SettingsStore(path).save(settings)
    return settings


def available() -> str | None:
    """None when a Secret Service can run here, else why not (for pytest.skip)."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if not shutil.which(tool):
            return f"{tool} missing: install the Debian packages gnome-keyring and dbus-x11"
    return None


def private_env(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with its own HOME/XDG dirs and no inherited bus or keyring."""
    env = {k: v for k, v in (base if base is not None else os.environ).items()
           if not k.startswith(("DBUS_", "GNOME_KEYRING", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"))}
    runtime = home / "runtime"
    for d in (home, runtime, home / ".local/share"):
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_RUNTIME_DIR": str(runtime)}
    # libpulse finds its server through XDG_RUNTIME_DIR/HOME: keep pointing at the one in use.
    server = _pulse_server(base if base is not None else dict(os.environ))
    if server and "PULSE_SERVER" not in env:
        env["PULSE_SERVER"] = server
    return env


def _pulse_server(env: dict[str, str]) -> str | None:
    if env.get("PULSE_SERVER"):
        return env["PULSE_SERVER"]
    if not shutil.which("pactl"):
        return None
    out = subprocess.run(["pactl", "info"], capture_output=True, text=True, env=env, timeout=10).stdout
    for line in out.splitlines():
        if line.startswith("Server String: "):
            value = line.split(": ", 1)[1].strip()
            return value if ":" in value else f"unix:{value}"
    return None


@dataclass
class SecretService:
    """A private session bus with gnome-keyring's Secret Service on it."""

    env: dict[str, str]
    bus_pid: int
    pids: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, home: Path, base_env: dict[str, str] | None = None, unlock: bool = True) -> SecretService:
        env = private_env(home, base_env)
        out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                             capture_output=True, text=True, env=env, timeout=30, check=True).stdout.split()
        address, bus_pid = out[0], int(out[1])
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        svc = cls(env, bus_pid)
        try:
            args = ["gnome-keyring-daemon", "--components=secrets"]
            # --unlock reads the login password on stdin; without it the login keyring
            # does not exist yet, so the Secret Service has no unlocked collection.
            if unlock:
                args.insert(1, "--unlock")
            proc = subprocess.run(args, input=PASSWORD if unlock else "", capture_output=True, text=True,
                                  env=env, timeout=30, check=True)
            for line in proc.stdout.splitlines():  # GNOME_KEYRING_CONTROL=..., maybe a PID line
                key, _, value = line.partition("=")
                if key == "GNOME_KEYRING_PID" and value.isdigit():
                    svc.pids.append(int(value))
                elif key:
                    env[key] = value
            svc.pids += _pids_of("gnome-keyring-daemon", env["HOME"])
        except BaseException:
            svc.stop()
            raise
        return svc

    def stop(self) -> None:
        for pid in {*self.pids, self.bus_pid}:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def _pids_of(name: str, home: str) -> list[int]:
    """The daemons we started: matched by name and by our private HOME in their environment."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != name[:15]:
                continue
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"HOME={home}".encode() in environ:
            found.append(int(entry.name))
    return found
