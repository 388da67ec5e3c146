"""`trayassist ask` against the running app and without one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.app import App, cli

pytestmark = pytest.mark.e2e


def test_ask_the_running_app(app: App) -> None:
    r = app.cli("ask", "what time is it in Tokyo", "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["skill"] == "time" and "Tokyo" in result["reply"]


def test_dry_run_reports_without_acting(app: App) -> None:
    r = app.cli("ask", "set a timer for ten minutes", "--dry-run", "--json")
    result = json.loads(r.stdout)
    assert result["skill"] == "timers" and result["performed"] is False
    listed = json.loads(app.cli("ask", "what timers do I have", "--json").stdout)
    assert "no" in listed["reply"].lower() or "none" in listed["reply"].lower()


def test_unsupported_request_does_nothing(app: App) -> None:
    result = json.loads(app.cli("ask", "what's the weather like tomorrow", "--json").stdout)
    assert result["skill"] is None and result["reply"] == "no command recognised"


def test_ask_without_a_running_app(tmp_path: Path) -> None:
    r = cli(tmp_path, "ask", "what is twelve percent of three hundred forty")
    assert r.returncode == 0, r.stderr
    assert "40.8" in r.stdout and "skill: calculator" in r.stdout


def test_ask_needs_words(tmp_path: Path) -> None:
    r = cli(tmp_path, "ask", "   ")
    assert r.returncode == 1 and r.stderr.count("\n") == 1
