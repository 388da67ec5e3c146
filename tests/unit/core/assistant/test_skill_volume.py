from __future__ import annotations

import pytest

from tests.support.assistant_fakes import FakeVolume
from trayassist.core.assistant import Assistant, Context

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "call"), [
    ("Turn the volume up.", ("change", 10)), ("turn it down", ("change", -10)),
    ("louder", ("change", 10)), ("make it quieter", ("change", -10)),
    ("Increase the volume by 20 percent.", ("change", 20)),
    ("Set the volume to 50 percent.", ("set", 50)), ("set volume to 30%", ("set", 30)),
    ("volume to seventy five percent", ("set", 75)), ("set the volume two forty percent",
                                                      ("set", 40)),
    ("max volume", ("set", 100)), ("Mute.", ("mute", True)), ("unmute", ("mute", False)),
    ("turn the sound off", ("mute", True)), ("turn the sound back on", ("mute", False)),
    ("volume to max", ("set", 100)), ("stop all sound", ("mute", True)),
])
def test_volume(assistant: Assistant, ctx: Context, text: str, call: tuple) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.performed) == ("volume", True), r.reply
    assert isinstance(ctx.volume, FakeVolume) and ctx.volume.calls == [call]


@pytest.mark.parametrize("text", ["Set the volume to banana.", "set the volume to 500 percent",
                                  "turn the volume up by 300"])
def test_bad_levels(assistant: Assistant, ctx: Context, text: str) -> None:
    r = assistant.handle(text)
    assert r.skill == "volume" and not r.performed
    assert isinstance(ctx.volume, FakeVolume) and ctx.volume.calls == []


@pytest.mark.parametrize("text", ["Unmute my microphone.", "Mute Bob on the call.",
                                  "The volume of the box is ten liters.", "Turn left.",
                                  "Louder music makes me happy."])
def test_not_volume(assistant: Assistant, text: str) -> None:
    assert assistant.handle(text).skill is None


def test_failure_is_reported(ctx: Context, assistant: Assistant) -> None:
    class Broken(FakeVolume):
        def change(self, percent: int) -> None:
            raise RuntimeError("pactl is missing")

    ctx.volume = Broken()
    r = assistant.handle("volume up")
    assert not r.performed and "pactl is missing" in r.reply
    ctx.volume = None
    assert not assistant.handle("volume up").performed
