import json
import os
from pathlib import Path

import pytest

from trayassist.core.config import SCHEMA_VERSION, Settings, SettingsStore

pytestmark = pytest.mark.unit


def test_defaults_are_sensible() -> None:
    s = Settings()
    assert s.model == "tiny.en" and s.hotkey == "ctrl+alt+space" and s.hotkey_mode == "hold"
    assert s.llm_enabled is False and s.spoken_replies is False and s.sounds is False
    assert s.version == SCHEMA_VERSION


def test_round_trip_is_atomic_and_private(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    store.save(Settings().replace(model="base.en", acknowledged_apps=["/usr/bin/zoom"]))
    assert (os.stat(tmp_path / "settings.json").st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp file left
    loaded = store.load()
    assert loaded.model == "base.en" and loaded.acknowledged_apps == ["/usr/bin/zoom"]
    assert store.problems == []


def test_bad_values_fall_back_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"model": "gigantic", "sounds": "yes", "model_idle_unload_s": 1,
                                "hotkey": "ctrl+h", "acknowledged_apps": [1]}))
    store = SettingsStore(path)
    s = store.load()
    assert s.model == "tiny.en" and s.sounds is False and s.model_idle_unload_s == 300
    assert s.hotkey == "ctrl+h"  # the good field survives
    assert len(store.problems) == 4


def test_damaged_file_is_kept_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"{not json\xff")
    store = SettingsStore(path)
    assert store.load() == Settings()
    kept = list(tmp_path.glob("settings.json.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"{not json\xff"
    assert "damaged" in store.problems[0]


def test_newer_version_is_backed_up_before_saving(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": SCHEMA_VERSION + 5, "model": "small", "future_field": 1}))
    store = SettingsStore(path)
    assert store.load().model == "small"
    store.save(Settings())
    backup = json.loads((tmp_path / "settings.json.newer-backup").read_text())
    assert backup["future_field"] == 1


def test_replace_rejects_invalid_values() -> None:
    with pytest.raises(ValueError, match="hotkey_mode"):
        Settings().replace(hotkey_mode="sideways")


def test_hands_free_limits_and_live_text_persist_and_bad_values_fall_back(tmp_path: Path) -> None:
    s = Settings()
    assert (s.toggle_silence_stop_s, s.toggle_max_s, s.partial_text, s.dictation_context) == (3, 300, True, False)
    store = SettingsStore(tmp_path / "settings.json")
    store.save(s.replace(toggle_silence_stop_s=0, toggle_max_s=90, partial_text=False, dictation_context=True))
    loaded = store.load()
    assert (loaded.toggle_silence_stop_s, loaded.toggle_max_s, loaded.partial_text,
            loaded.dictation_context) == (0, 90, False, True)
    (tmp_path / "settings.json").write_text(json.dumps(
        {"toggle_silence_stop_s": -1, "toggle_max_s": 5, "partial_text": "on", "dictation_context": 1}))
    bad = store.load()
    assert (bad.toggle_silence_stop_s, bad.toggle_max_s, bad.partial_text,
            bad.dictation_context) == (3, 300, True, False)
    assert len(store.problems) == 4 and all("using" in p for p in store.problems)
