from __future__ import annotations

import pytest

from tests.support.assistant_fakes import FakeVolume
from trayassist.core.assistant import Assistant, Context
from trayassist.core.assistant.normalize import make_utterance
from trayassist.core.assistant.skills.volume import VolumeSkill

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


@pytest.mark.parametrize(("text", "percent"), [
    ("turn your speakers up", 10), ("turn your voice box down", -10), ("increase your vocals", 10),
    ("lower your volume", -10),
])
def test_your_volume_is_the_volume(ctx: Context, text: str, percent: int) -> None:
    m = VolumeSkill().match(make_utterance(text), ctx)
    assert m is not None and (m.intent, m.params["percent"]) == ("change", percent)


def test_turn_this_down_when_the_model_says_volume(ctx: Context) -> None:
    m = VolumeSkill().parse("volume", make_utterance("can you turn this down"), ctx)
    assert m is not None and (m.intent, m.params["percent"]) == ("change", -10)
