"""`trayassist doctor` run as the real CLI, and its probes with injected failures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trayassist.core.config import Settings, SettingsStore
from trayassist.doctor import check_input_device

pytestmark = pytest.mark.unit


class NoDevices:
    @staticmethod
    def query_devices(device=None, kind=None):
        raise ValueError("No input device matching 'USB Mic'")


def test_missing_microphone_says_how_to_fix() -> None:
    c = check_input_device(Settings(input_device="USB Mic"), sd=NoDevices())
    assert c.status == "fail" and "USB Mic" in c.detail and "Settings" in c.fix


def _doctor(basedir: Path) -> tuple[int, dict]:
    r = subprocess.run([sys.executable, "-m", "trayassist.cli", "doctor", "--json", "--basedir", str(basedir)],
                       capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
                            "HOME": str(basedir)})
    return r.returncode, json.loads(r.stdout)


def test_doctor_json_names_every_check(tmp_path: Path) -> None:
    code, report = _doctor(tmp_path)
    names = [c["name"] for c in report["checks"]]
    assert names == ["microphone", "model", "hotkey", "keyring", "history", "tray", "mic-watch", "guard"]
    assert all(c["status"] in ("ok", "warn", "fail") for c in report["checks"])
    assert all(c["fix"] for c in report["checks"] if c["status"] != "ok")
    assert (code == 0) == report["ok"]


def test_broken_model_folder_fails_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "empty-model").mkdir()
    SettingsStore(tmp_path / "config" / "settings.json").save(Settings(model_path=str(tmp_path / "empty-model")))
    code, report = _doctor(tmp_path)
    model = next(c for c in report["checks"] if c["name"] == "model")
    assert code == 1 and model["status"] == "fail" and model["fix"]


def test_history_check_names_the_way_out_and_creates_nothing(tmp_path: Path) -> None:
    import sqlite3
    from datetime import UTC, datetime

    from tests.unit.core.history.support import MemoryKeyring, keyring_module, keyring_store
    from trayassist.builder import ServiceBuilder
    from trayassist.core.paths import Paths
    from trayassist.doctor import check_history

    paths = Paths.from_basedir(tmp_path).ensure()
    kr = keyring_module(MemoryKeyring())
    builder = ServiceBuilder(paths, {}, keyring_module=kr)
    c = check_history(Settings(), builder)
    assert (c.status, c.detail) == ("ok", "no history yet (it starts with the first utterance)")
    assert list(paths.data.iterdir()) == []  # asking did not create one
    assert check_history(Settings(history_key_backend="passphrase"), builder).status == "ok"

    store = keyring_store(paths.data, kr.get_keyring(), clock=lambda: datetime.now(UTC)).open()
    store.append("one")
    store.close()
    assert (check_history(Settings(), builder).status, check_history(Settings(), builder).detail) == \
        ("ok", "opens; 1 record")

    conn = sqlite3.connect(paths.history_db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    c = check_history(Settings(), builder)
    assert c.status == "warn" and "newer TrayAssist" in c.detail and "update" in c.fix

    paths.history_db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    before = paths.history_db.read_bytes()
    c = check_history(Settings(), builder)
    assert c.status == "fail" and "`trayassist history start-fresh`" in c.fix
    assert paths.history_db.read_bytes() == before
