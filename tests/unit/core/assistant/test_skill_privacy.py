from __future__ import annotations

from typing import Any

import pytest

from tests.support.assistant_fakes import sample_status
from trayassist.core.assistant import Assistant, Context

pytestmark = pytest.mark.unit


def _quiet() -> dict[str, Any]:
    status = sample_status()
    status["mic"] = {"self": False, "others": []}
    status["network"] = {"up_bps": 0, "down_bps": 0, "talkers": [], "self_connections": 0,
                         "self_blocked": 0, "alert": None}
    return status


@pytest.mark.parametrize("text", ["What is using my microphone?", "is my mic on",
                                  "Is anyone using my mike?", "who is listening",
                                  "Which apps are using the microphone?"])
def test_mic_questions(assistant: Assistant, text: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent) == ("privacy", "mic")
    assert r.reply == "The microphone is in use by zoom (pid 4242)."


def test_network_question(assistant: Assistant) -> None:
    r = assistant.handle("is anything uploading")
    assert r.intent == "network"
    assert "zoom" in r.reply and "Warning" in r.reply


def test_quiet_machine(ctx: Context, assistant: Assistant) -> None:
    ctx.privacy_status = _quiet
    assert assistant.handle("what's using my mic").reply == "Nothing is using the microphone."
    assert assistant.handle("is anything sending data").reply.startswith("Nothing is uploading.")


def test_self_listening_and_paused(ctx: Context, assistant: Assistant) -> None:
    status = _quiet()
    status["mic"]["self"] = True
    ctx.privacy_status = lambda: status
    assert "Only TrayAssist" in assistant.handle("is my mic on").reply
    status["indicators_paused"] = True
    assert "paused" in assistant.handle("is my mic on").reply


def test_status_unavailable_or_failing(ctx: Context, assistant: Assistant) -> None:
    ctx.privacy_status = None
    assert not assistant.handle("is my mic on").performed

    def broken() -> dict[str, Any]:
        raise OSError("monitor died")

    ctx.privacy_status = broken
    r = assistant.handle("is my mic on")
    assert not r.performed and "monitor died" in r.reply


@pytest.mark.parametrize("text", ["The microphone was broken at the conference.",
                                  "Can you hear me?", "Is this thing on?"])
def test_not_privacy(assistant: Assistant, text: str) -> None:
    assert assistant.handle(text).skill is None


@pytest.mark.parametrize(("text", "intent"), [
    ("which app is recording me right now", "mic"), ("is my microphone being used by another app", "mic"),
    ("who is using the internet connection right now", "network"),
    ("are you sending my voice anywhere", "network"), ("tell me if any app is uploading", "network"),
    ("is my privacy ok", "overview"),
])
def test_questions_the_model_gives_privacy_are_parsed(ctx: Context, text: str, intent: str) -> None:
    from trayassist.core.assistant.normalize import make_utterance
    from trayassist.core.assistant.skills.privacy import PrivacySkill

    match = PrivacySkill().parse("privacy", make_utterance(text), ctx)
    assert match is not None and match.intent == intent


@pytest.mark.parametrize("text", ["i was recording a song with my microphone",
                                  "we uploaded the photos last night", "is it raining"])
def test_statements_and_other_questions_are_not_parsed_as_privacy(ctx: Context, text: str) -> None:
    from trayassist.core.assistant.normalize import make_utterance
    from trayassist.core.assistant.skills.privacy import PrivacySkill

    assert PrivacySkill().parse("privacy", make_utterance(text), ctx) is None
