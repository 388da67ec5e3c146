from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.app import App, app_env
from tests.support.desktop import Desktop


@pytest.fixture
def app(desktop: Desktop, basedir: Path, virtual_mic: str) -> Iterator[App]:
    a = App(basedir, app_env(desktop.display)).start()
    yield a
    a.stop()
