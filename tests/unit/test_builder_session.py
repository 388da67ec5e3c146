"""The service builder's session takes its decoding loop's settings from the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from trayassist.builder import ServiceBuilder
from trayassist.core.config import Settings
from trayassist.core.paths import Paths
from trayassist.core.transcribe.live import CONTEXT_S, LiveOptions

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("context", [False, True])
def test_the_session_hears_the_sentence_before_only_when_asked(tmp_path: Path, context: bool) -> None:
    paths = Paths.from_basedir(tmp_path / "base")
    paths.ensure()
    session = ServiceBuilder(paths, {}).session(
        Settings(dictation_context=context), on_state=lambda _s: None, on_stream=lambda _o: None,
        on_problem=lambda _m: None, on_needs_download=lambda _e: None)
    try:
        assert session.live_options.context_s == (CONTEXT_S if context else 0.0)
        assert session.live_options.step_s == LiveOptions().step_s  # the rest stays the defaults
    finally:
        session.shutdown()
