"""ALSA fallback parsed from fixture /proc/asound trees."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from trayassist.core.privacy.mic_alsa import AlsaMicWatch, parse_status

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[3] / "data" / "privacy" / "asound"


def fake_identify(pid: int) -> tuple[str | None, str | None]:
    return {4242: ("arecord", "/usr/bin/arecord")}.get(pid, (None, None))


def test_parse_running_and_closed() -> None:
    running = (FIXTURES / "card0/pcm0c/sub0/status").read_text()
    assert parse_status(running) == ("RUNNING", 4242)
    assert parse_status("closed\n") == ("closed", None)
    assert parse_status((FIXTURES / "card1/pcm0c/sub0/status").read_text()) == ("PREPARED", 6161)


def test_only_running_capture_substreams_count_merged_per_process() -> None:
    watch = AlsaMicWatch(root=FIXTURES, own_pid=1, identify=fake_identify)
    users = watch.scan()
    # 5151 plays (pcm0p), 6161 is only PREPARED: neither captures.
    assert [(u.pid, u.name, u.exe, u.streams) for u in users] == [
        (4242, "arecord", "/usr/bin/arecord", 2)]
    assert users[0].device == "PCH pcm0c"


def test_own_pid_is_kept_apart(tmp_path: Path) -> None:
    root = tmp_path / "asound"
    shutil.copytree(FIXTURES, root)
    status = root / "card0/pcm0c/sub1/status"
    status.write_text(f"state: RUNNING\nowner_pid   : {os.getpid()}\n")
    watch = AlsaMicWatch(root=root, identify=fake_identify)
    assert watch.refresh() is True
    assert [u.pid for u in watch.users()] == [4242]
    assert [u.pid for u in watch.own_streams()] == [os.getpid()]
    assert watch.refresh() is False  # nothing changed: no on_change storm


def test_change_is_noticed_and_stop_clears(tmp_path: Path) -> None:
    root = tmp_path / "asound"
    shutil.copytree(FIXTURES, root)
    watch = AlsaMicWatch(root=root, own_pid=1, identify=fake_identify)
    watch.refresh()
    for sub in ("card0/pcm0c/sub0/status", "card1/pcm1c/sub0/status"):
        (root / sub).write_text("closed\n")
    assert watch.refresh() is True
    assert watch.users() == []


def test_availability_messages(tmp_path: Path) -> None:
    assert AlsaMicWatch(root=FIXTURES).available().ok
    missing = AlsaMicWatch(root=tmp_path / "nope").available()
    assert not missing.ok and "does not exist" in missing.detail and missing.fix
    (tmp_path / "empty").mkdir()
    assert not AlsaMicWatch(root=tmp_path / "empty").available().ok


def test_polls_at_most_once_a_second() -> None:
    assert AlsaMicWatch(root=FIXTURES, interval_s=0.01).interval_s == 1.0
