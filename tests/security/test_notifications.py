"""What the user said never reaches a notification daemon by default (daemons keep a
history and lock screens show it); with the setting on it does (so the test can see)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.app import App, app_env
from tests.support.dbus import StandInNotifications, private_bus
from tests.support.pulse import wait_for

pytestmark = [pytest.mark.security, pytest.mark.e2e]


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[str, StandInNotifications]]:
    try:
        with private_bus(tmp_path) as address:
            stand_in = StandInNotifications(address)
            yield address, stand_in
            stand_in.close()
    except RuntimeError as exc:
        pytest.fail(str(exc))


def run_timer(basedir: Path, address: str, show_text: bool) -> tuple[App, str]:
    canary = "zebra" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))  # a word, no digits
    (basedir / "config").mkdir(parents=True, exist_ok=True)
    settings = {"notification_text": show_text, "history_key_backend": "off"}
    (basedir / "config" / "settings.json").write_text(json.dumps(settings))
    app = App(basedir, app_env(None, {"DBUS_SESSION_BUS_ADDRESS": address})).start()
    said = f"set a timer for 2 seconds called {canary}"
    dry = app.cli("ask", "--dry-run", "--json", said)
    assert dry.returncode == 0 and json.loads(dry.stdout)["skill"] == "timers", dry.stdout + dry.stderr
    done = app.cli("ask", said, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["performed"], done.stdout + done.stderr
    return app, canary


def test_a_timer_label_never_reaches_the_notification_daemon(tmp_path: Path, daemon) -> None:
    address, stand_in = daemon
    app, canary = run_timer(tmp_path / "base", address, show_text=False)
    try:
        assert wait_for(lambda: any(n["summary"] == "Timer" for n in stand_in.received), 20), stand_in.received
    finally:
        app.stop()
    assert canary not in stand_in.text()
    assert all(n["hints"].get("transient") == ("b", True) for n in stand_in.received)  # not kept in history


def test_with_the_setting_on_the_words_are_shown(tmp_path: Path, daemon) -> None:
    address, stand_in = daemon
    app, canary = run_timer(tmp_path / "base", address, show_text=True)
    try:
        assert wait_for(lambda: canary in stand_in.text(), 20), stand_in.received
    finally:
        app.stop()
