"""Streaming push-to-talk through the real app: continuous speech transcribed while held,
a source that delivers late, and the live caption that never takes focus."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from tests.support.speech import word_error_rate, words
from tests.support.windows import Window, focus, line_edit_windows, xdotool
from tests.unit.core.transcribe.conftest import SENTENCES

pytestmark = [pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]

OVERLAY_TITLE = "TrayAssist: what you are saying"


def trimmed(text: str, path: Path) -> Path:
    """espeak-ng speech without its own leading and trailing silence."""
    raw = pulse.speak(text, path.with_suffix(".untrimmed.wav")).path
    subprocess.run(["sox", str(raw), str(path), "silence", "1", "0.02", "0.5%", "reverse",
                    "silence", "1", "0.02", "0.5%", "reverse"], check=True, timeout=60)
    return path


def joined(d: Path, name: str, sentences: list[str], gap_s: float) -> Path:
    gap = pulse.silence(d / f"gap-{gap_s:g}.wav", gap_s)
    lead = pulse.silence(d / "lead-0.3.wav", 0.3)
    parts: list[Path] = [lead]
    for i, s in enumerate(sentences):
        parts += [trimmed(s, d / f"{name}-{i}.wav"), gap]
    return pulse.concat(parts[:-1] + [lead], d / f"{name}.wav")


def test_continuous_speech_is_transcribed_while_held_with_no_word_lost_or_doubled(
        app: App, speech_dir: Path) -> None:
    # Sentences 0.1 s apart: no pause a chunker could cut at.
    said = SENTENCES[:5]
    wav = joined(speech_dir, "continuous", said, 0.1)
    result = app.say(wav)
    text = result["text"]
    print(f"\n{pulse.duration(wav):.1f} s continuous: {result['timings']}\n{text}")
    assert result["timings"]["decodes"] >= 5  # decoded while held, not once at the end
    assert word_error_rate(" ".join(said), text) <= 0.3, text
    heard = words(text)
    for word in ("sister", "calculator", "meeting", "timer", "library"):  # one per sentence
        assert heard.count(word) <= 1, f"{word!r} doubled: {text}"
    assert sum(heard.count(w) for w in ("sister", "calculator", "meeting", "timer", "library")) >= 4, text


@pytest.fixture
def late_app(desktop: Desktop, basedir: Path, virtual_mic: str) -> Iterator[App]:
    # libpulse then asks for 1.5 s fragments: the source hands over audio 1.5 s at a time,
    # so at release the app has heard only up to the pause before the last sentence.
    a = App(basedir, app_env(desktop.display, {"PULSE_LATENCY_MSEC": "1500"})).start()
    yield a
    a.stop()


def test_a_late_source_delays_the_text_but_never_loses_the_last_sentence(late_app: App, speech_dir: Path) -> None:
    first, last = SENTENCES[2], SENTENCES[4]
    wav = joined(speech_dir, "late", [first, last], 1.2)
    for _ in range(3):
        assert late_app.cli("ptt", "press").returncode == 0
        pulse.play(wav)  # returns once played: the key goes up right after the last word
        result = late_app.release()
        tail = " ".join(words(result["text"])[-len(words(last)):])
        assert word_error_rate(last, tail) <= 0.34, result["text"]


def caption_shown(env: dict[str, str]) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", OVERLAY_TITLE], env=env,
                           capture_output=True, text=True, timeout=10).stdout.split()
    return bool(found)


def test_a_source_slow_to_start_says_starting_until_its_audio_comes(
        late_app: App, desktop: Desktop, tmp_path: Path) -> None:
    """This source captures nothing for its first 1.5 s (the first fragment: words said then
    are lost). The status and the caption say "starting" until its audio comes."""
    env = desktop.env()
    r = late_app.cli("ptt", "press", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["receiving"] is False  # open, nothing delivered yet
    status = late_app.status()
    assert status["state"] == "listening" and status["mic"]["self"] and not status["mic"]["receiving"]
    assert pulse.wait_for(lambda: caption_shown(env), 10), "no caption while the mic starts"  # nothing said
    desktop.screenshot(tmp_path / "starting.png")
    assert pulse.wait_for(lambda: late_app.status()["mic"]["receiving"], 20), "the device never delivered"
    assert caption_shown(env)  # now saying when to speak
    result = late_app.release()
    assert result["text"] == ""
    assert pulse.wait_for(lambda: not caption_shown(env), 10)


@pytest.fixture
def windows(desktop: Desktop, tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    yield from line_edit_windows(desktop.env(), tmp_path)


def test_the_live_caption_shows_while_listening_never_takes_focus_and_goes_at_release(
        app: App, desktop: Desktop, windows: Callable[[str], Window], speech_dir: Path, tmp_path: Path) -> None:
    env = desktop.env()
    win = windows("editor")
    focus(env, win)
    wav = joined(speech_dir, "caption", SENTENCES[:3], 0.1)
    app.press()
    player = pulse.play(wav, wait=False)
    try:
        assert pulse.wait_for(lambda: caption_shown(env), 30), "no live caption while speaking"
        desktop.screenshot(tmp_path / "caption.png")
        assert xdotool(env, "getwindowfocus") == win.wid  # the editor kept the focus
        xdotool(env, "type", "--delay", "0", "typed ")  # ... and the keys typed meanwhile
        assert pulse.wait_for(lambda: win.text() == "typed ", 10), win.text()
    finally:
        player.wait(timeout=120)
    result = app.release()
    assert result["text"]
    assert pulse.wait_for(lambda: not caption_shown(env), 10), "the caption stayed after release"
    assert xdotool(env, "getwindowfocus") == win.wid
    # The transcript lands where the user was typing, after what they typed.
    assert pulse.wait_for(lambda: win.text().strip() == f"typed {result['text']}".strip(), 30), win.text()


def test_toggled_listening_ends_by_itself_after_a_silence_and_says_why(app: App, speech_dir: Path) -> None:
    said = "Please buy milk and bread on the way home."
    wav = pulse.speak(said, speech_dir / "toggle-milk.wav").path
    assert app.cli("ptt", "toggle").returncode == 0
    assert app.status()["mic"]["self"] is True
    app.wait_heard()
    pulse.play(wav)
    # Nobody toggles again: 3 s of silence (the default) end it, through the same release.
    assert pulse.wait_for(lambda: app.status()["mic"]["self"] is False, 30), "still listening"
    assert pulse.wait_for(lambda: (app.status().get("last") or {}).get("text"), 60)
    assert word_error_rate(said, app.status()["last"]["text"]) <= 0.3
    assert app.wait_for_log("notice (info): Listening stopped", 10)
