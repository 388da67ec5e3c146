from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.core.history.support import Clock, MemoryKeyring


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir(mode=0o700)
    return d


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def clock() -> Clock:
    return Clock()
