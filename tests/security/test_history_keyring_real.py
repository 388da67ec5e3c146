"""The real OS keyring: gnome-keyring's Secret Service in a private D-Bus session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.security

SNIPPET = r"""
import json, shutil, sys
from pathlib import Path
import keyring
from trayassist.core.config import Settings
from trayassist.core.history.factory import build_store
from trayassist.core.history.keys import secure_backend
from trayassist.core.history import KeyMissing
from trayassist.core.paths import Paths

base = Path(sys.argv[1])
paths = Paths.from_basedir(base).ensure()
out = {"backend": type(secure_backend(keyring)).__module__ if secure_backend(keyring) else None}
store = build_store(paths, Settings(), keyring)  # "auto" must pick the Secret Service
store.open()
rid = store.append("spoken into the real keyring test", duration_s=1.5, model="tiny.en")
old_id = json.loads((paths.data / "history-key.json").read_text())["key_id"]
out["old_key"] = keyring.get_password("trayassist", f"history-key-{old_id}")
store.close()
again = build_store(paths, Settings(), keyring).open()
out["reopened_text"] = again.get(rid).text
shutil.copytree(paths.data, base / "copy")
again.wipe()
new_id = json.loads((paths.data / "history-key.json").read_text())["key_id"]
out["old_key_after_wipe"] = keyring.get_password("trayassist", f"history-key-{old_id}")
out["new_key_present"] = keyring.get_password("trayassist", f"history-key-{new_id}") is not None
out["count_after_wipe"] = again.count()
again.close()
copy_paths = Paths.from_basedir(base / "copyroot")
copy_paths.data.parent.mkdir(parents=True)
shutil.copytree(base / "copy", copy_paths.data)
try:
    build_store(copy_paths, Settings(), keyring).open()
    out["copy"] = "opened"
except KeyMissing as exc:
    out["copy"] = str(exc)
print(json.dumps(out))
"""


def test_real_secret_service_keyring(tmp_path: Path) -> None:
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} missing: install the Debian packages gnome-keyring and dbus-x11")
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "GNOME_KEYRING"))}
    # A private home, so the test keyring never touches the user's real one.
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_RUNTIME_DIR": str(runtime),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    script = tmp_path / "snippet.py"
    script.write_text(SNIPPET)
    base = tmp_path / "base"
    shell = ("echo -n testpw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
             f'exec "{sys.executable}" "{script}" "{base}"')
    proc = subprocess.run(["dbus-run-session", "--", "sh", "-c", shell], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["backend"] == "keyring.backends.SecretService"
    assert result["reopened_text"] == "spoken into the real keyring test"
    assert result["old_key"] and result["old_key_after_wipe"] is None
    assert result["new_key_present"] and result["count_after_wipe"] == 0
    assert "missing from the OS keyring" in result["copy"]
    # The key itself is in no file we wrote, and not in plain in the keyring's own files.
    for root in (base, home):
        for path in root.rglob("*"):
            if path.is_file():
                assert result["old_key"].encode() not in path.read_bytes(), path
