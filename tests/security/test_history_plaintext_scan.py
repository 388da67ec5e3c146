"""Canary transcripts never reach disk or logs in plaintext: not in UTF-8, UTF-16 or base64."""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.canary import assert_absent
from tests.unit.core.history.support import MemoryKeyring, keyring_store, passphrase_store
from trayassist.core.history import HistoryStore

pytestmark = pytest.mark.security


def exercise(store: HistoryStore, canary: str) -> None:
    store.open()
    ids = [store.append(f"{canary} number {i}", duration_s=1.0, model="tiny.en",
                        action={"skill": "notes", "reply": f"noted {canary}"}) for i in range(20)]
    store.put_item("notes", "n1", {"text": canary})
    assert len(store.search(canary)) == 20
    store.export(None, "json")  # in memory only; never written unless the user asks
    store.delete(ids[0])
    store.append(f"{canary} to forget", when=store.clock() + timedelta(minutes=1))
    assert store.forget_since(store.clock() + timedelta(seconds=30)) == 1
    store.close()
    store.open()  # a second session reads it all back
    assert store.get(ids[1]).text.startswith(canary)
    store.close()


@pytest.mark.parametrize("backend", ["keyring", "passphrase"])
def test_canary_never_on_disk_or_in_logs(tmp_path: Path, backend: str,
                                         caplog: pytest.LogCaptureFixture) -> None:
    canary = f"canary {uuid.uuid4().hex} purple elephant"
    start = time.time() - 1
    data = tmp_path / "data"
    data.mkdir()
    caplog.set_level(logging.DEBUG)
    store = keyring_store(data, MemoryKeyring()) if backend == "keyring" else passphrase_store(data)
    exercise(store, canary)
    # The check can fail: the same scan finds the canary in a plaintext file.
    (tmp_path / "probe.txt").write_text(canary.encode("utf-16-le").decode("latin-1"), encoding="latin-1")
    with pytest.raises(AssertionError, match="canary found"):
        assert_absent(canary, [tmp_path], start)
    (tmp_path / "probe.txt").unlink()
    scanned = assert_absent(canary, [tmp_path, Path(tempfile.gettempdir())], start)
    assert scanned >= 2  # at least the database and the key metadata
    assert canary not in caplog.text
