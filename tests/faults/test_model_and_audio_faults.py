"""Damaged model folders and damaged audio files: refuse with one line, never download
(strace shows no non-loopback connect), and good files in the same call still transcribed."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import StartApp
from tests.support import pulse
from tests.support.keyring import write_settings
from tests.support.strace import non_loopback_connects

pytestmark = [pytest.mark.faults, pytest.mark.model]



def damaged_copy(src: Path, dst: Path, kind: str) -> Path:
    shutil.copytree(src, dst)
    if kind == "missing_model_bin":
        (dst / "model.bin").unlink()
    elif kind == "empty_model_bin":
        (dst / "model.bin").write_bytes(b"")
    elif kind == "truncated_model_bin":
        with open(dst / "model.bin", "r+b") as f:
            f.truncate(os.path.getsize(dst / "model.bin") // 3)
    elif kind == "corrupt_model_bin":
        with open(dst / "model.bin", "r+b") as f:
            f.seek(0)
            f.write(os.urandom(4096))
    elif kind == "bad_config":
        (dst / "config.json").write_text("{ not json")
    elif kind == "no_tokenizer":
        for name in ("tokenizer.json", "vocabulary.txt", "vocabulary.json"):
            if (dst / name).exists():
                (dst / name).unlink()
    elif kind == "missing_dir":
        shutil.rmtree(dst)
    return dst


KINDS = ["missing_dir", "missing_model_bin", "empty_model_bin", "truncated_model_bin", "corrupt_model_bin",
         "bad_config", "no_tokenizer"]


def transcribe_traced(basedir: Path, tmp_path: Path, files: list[str], tag: str) -> tuple[
        subprocess.CompletedProcess[str], list[str]]:
    trace = tmp_path / f"{tag}.trace"
    env = dict(os.environ)
    env.pop("HF_HUB_OFFLINE", None)  # the app must refuse by itself, not thanks to the test env
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace), sys.executable, "-m",
                        "trayassist.cli", "--basedir", str(basedir), "transcribe", "--json", *files],
                       capture_output=True, text=True, timeout=240, env=env)
    outside = non_loopback_connects(trace.read_text().splitlines())
    return r, outside


@pytest.mark.skipif(not shutil.which("strace"), reason="strace not installed")
@pytest.mark.parametrize("kind", KINDS)
def test_transcribe_refuses_a_damaged_model_without_downloading(
        kind: str, basedir: Path, tmp_path: Path, bundled_model_path: Path, speech_dir: Path,
        virtual_mic: str) -> None:
    model = damaged_copy(bundled_model_path, tmp_path / "model", kind)
    write_settings(basedir, model_path=str(model))
    speech = speech_dir / "model_fault.wav"
    if not speech.exists():
        pulse.speak("hello there", speech)
    r, outside = transcribe_traced(basedir, tmp_path, [str(speech)], kind)
    assert outside == [], outside
    assert r.returncode != 0, r.stdout
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    # One line from us; CTranslate2 may print its own warning lines before it throws.
    ours = [line for line in lines if line.startswith("trayassist transcribe: ")]
    assert len(ours) == 1, r.stderr
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert str(model) in ours[0] or "model" in ours[0].lower(), ours[0]
    assert "download" not in ours[0].lower() or kind == "missing_dir", ours[0]


def _press_with_corrupt_model(start_app: StartApp, basedir: Path, tmp_path: Path, bundled_model_path: Path,
                              speech_dir: Path) -> tuple[Any, subprocess.CompletedProcess[str]]:
    model = damaged_copy(bundled_model_path, tmp_path / "model", "truncated_model_bin")
    app = start_app(basedir, model_path=str(model), history_key_backend="off")
    speech = pulse.speak("is the model broken", speech_dir / "broken_model.wav")
    r = app.cli("ptt", "press")
    if r.returncode == 0:
        pulse.play(speech.path)
        r = app.cli("ptt", "release", "--wait", "--json")
    return app, r


@pytest.mark.e2e
@pytest.mark.audio
def test_app_with_a_corrupt_model_answers_with_the_reason_and_keeps_running(
        start_app: StartApp, basedir: Path, tmp_path: Path, bundled_model_path: Path, speech_dir: Path) -> None:
    app, r = _press_with_corrupt_model(start_app, basedir, tmp_path, bundled_model_path, speech_dir)
    if r.returncode == 0:
        result = json.loads(r.stdout)
        assert result["text"] == "" and "Cannot load model" in (result.get("error") or ""), result
        assert "\n" not in result["error"]
    else:
        assert r.stderr.count("\n") == 1, r.stderr
    s = app.status()
    assert s["model"]["loaded"] is False and s["model"].get("state") == "error"
    assert app.proc is not None and app.proc.poll() is None
    assert s["network"]["self_connections"] == 0 and s["network"]["self_blocked"] == 0


@pytest.mark.e2e
@pytest.mark.audio
def test_status_says_error_after_the_model_failed(
        start_app: StartApp, basedir: Path, tmp_path: Path, bundled_model_path: Path, speech_dir: Path) -> None:
    app, _r = _press_with_corrupt_model(start_app, basedir, tmp_path, bundled_model_path, speech_dir)
    s = app.status()
    assert s["state"] == "error" and "model" in (s["error"] or "").lower(), s


# ---- corrupt audio files ---------------------------------------------------------------
def wav_header(data_len: int, riff_len: int | None = None) -> bytes:
    riff = 36 + data_len if riff_len is None else riff_len
    return (b"RIFF" + struct.pack("<I", riff) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
            + b"data" + struct.pack("<I", data_len))


def bad_audio(d: Path) -> dict[str, Path]:
    d.mkdir()
    files = {
        "random_bytes.wav": os.urandom(20000),
        "truncated_header.wav": wav_header(32000)[:20],
        "lying_length.wav": wav_header(10_000_000) + os.urandom(3200),
        "lying_riff.wav": wav_header(3200, riff_len=0xFFFFFFFF) + b"\0" * 3200,
        "zero_length.wav": b"",
        "text.mp3": b"this is not an mp3, it is text\n" * 20,
        "header_only.wav": wav_header(0),
    }
    out = {}
    for name, data in files.items():
        (d / name).write_bytes(data)
        out[name] = d / name
    (d / "a_directory.wav").mkdir()
    out["a_directory.wav"] = d / "a_directory.wav"
    out["missing.wav"] = d / "missing.wav"
    return out


@pytest.mark.audio
def test_transcribe_corrupt_audio_one_line_each_good_file_still_done(
        basedir: Path, tmp_path: Path, speech_dir: Path, virtual_mic: str) -> None:
    good = pulse.speak("the good file is still transcribed", speech_dir / "good_file.wav")
    bad = bad_audio(tmp_path / "bad")
    files = [str(p) for p in bad.values()]
    files.insert(len(files) // 2, str(good.path))
    r = subprocess.run([sys.executable, "-m", "trayassist.cli", "--basedir", str(basedir), "transcribe", "--json",
                        *files], capture_output=True, text=True, timeout=240)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    results = {Path(x["file"]).name: x for x in json.loads(r.stdout)}
    assert set(results) == {Path(f).name for f in files}
    assert results["good_file.wav"]["error"] is None
    assert "transcribed" in results["good_file.wav"]["text"].lower()
    errors = [line for line in r.stderr.splitlines() if line.startswith("trayassist transcribe: ")]
    broken = {name: x for name, x in results.items() if x["error"]}
    # "lying_length" and "header_only" hold (at most) a little valid audio: no speech is fine, a
    # one-line error is fine too; every other file must be refused.
    must_fail = set(bad) - {"lying_length.wav", "lying_riff.wav", "header_only.wav"}
    assert must_fail <= set(broken), sorted(set(must_fail) - set(broken))
    assert len(errors) == len(broken), r.stderr
    for name, x in broken.items():
        assert "\n" not in x["error"] and name in x["error"], x["error"]
