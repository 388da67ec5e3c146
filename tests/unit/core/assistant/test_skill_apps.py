from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.assistant_fakes import FakeLauncher
from trayassist.core.assistant import Assistant, Context

pytestmark = pytest.mark.unit


def _launcher(ctx: Context) -> FakeLauncher:
    assert isinstance(ctx.launcher, FakeLauncher)
    return ctx.launcher


@pytest.mark.parametrize(("text", "app"), [
    ("Open Firefox.", "Firefox Web Browser"), ("open fire fox", "Firefox Web Browser"),
    ("Launch the terminal.", "Terminal"), ("Could you open the calculator app?", "Calculator"),
    ("start spotify", "Spotify"), ("open libreoffice writer", "LibreOffice Writer"),
    ("open writer", "LibreOffice Writer"), ("open crome", "Google Chrome"),
    ("open the spreadsheet", "LibreOffice Calc"), ("Open VLC.", "VLC media player"),
])
def test_opens_apps(assistant: Assistant, ctx: Context, text: str, app: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent, r.performed) == ("apps", "open_app", True), r.reply
    assert [a.name for a in _launcher(ctx).launched] == [app]


def test_ambiguous_generic_name_launches_nothing(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("open the web browser")  # Firefox, Chromium and Chrome all qualify
    assert r.skill == "apps" and not r.performed and "Several apps" in r.reply
    assert _launcher(ctx).launched == []


@pytest.mark.parametrize(("text", "folder"), [
    ("Open my Downloads folder.", "downloads"), ("open documents", "documents"),
    ("Open the home folder.", "home"), ("show me my downloads", "downloads"),
])
def test_opens_folders(assistant: Assistant, ctx: Context, text: str, folder: str) -> None:
    r = assistant.handle(text)
    assert (r.intent, r.performed) == ("open_folder", True)
    assert _launcher(ctx).opened == [ctx.launcher.folders()[folder]]  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["open the banana app", "Launch the Zork application",
                                  "open the secret folder"])
def test_missing_things_are_reported_not_launched(assistant: Assistant, ctx: Context,
                                                   text: str) -> None:
    r = assistant.handle(text)
    assert r.skill == "apps" and not r.performed
    assert "couldn't find" in r.reply or "don't know" in r.reply
    assert _launcher(ctx).launched == [] and _launcher(ctx).opened == []


@pytest.mark.parametrize("text", ["Open the door.", "I'll open the window later.",
                                  "open source software is everywhere", "open netflix",
                                  "Start the meeting.", "run to the store"])
def test_open_in_prose_does_nothing(assistant: Assistant, ctx: Context, text: str) -> None:
    assert assistant.handle(text).skill is None
    assert _launcher(ctx).launched == []


def test_no_launcher(ctx: Context, assistant: Assistant) -> None:
    ctx.launcher = None
    r = assistant.handle("open the banana app")
    assert r.skill == "apps" and not r.performed
    r = assistant.handle("open my documents folder")
    assert r.skill == "apps" and not r.performed


def test_folder_missing_on_this_system(ctx: Context, assistant: Assistant) -> None:
    ctx.launcher = FakeLauncher([], {"home": Path("/home/u")})
    r = assistant.handle("open my music folder")
    assert r.skill == "apps" and not r.performed
