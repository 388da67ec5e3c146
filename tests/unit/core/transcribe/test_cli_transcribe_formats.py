"""`trayassist transcribe --format txt|json|srt|vtt` through the real CLI, with the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.speech import assert_heard
from tests.support.subtitles import check_srt, check_vtt
from tests.unit.core.transcribe.conftest import JFK, speech_span

pytestmark = [pytest.mark.unit, pytest.mark.model]

DATA = Path(__file__).parents[3] / "data" / "audio"


def cli(basedir: Path, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "trayassist.cli", "--basedir", str(basedir), *argv],
                          capture_output=True, text=True, timeout=180, env=env, cwd=cwd)


def assert_cues_cover_the_speech(cues: list[tuple[float, float, str]], audio: Path) -> None:
    first, last = speech_span(audio)
    assert cues, "no cues"
    assert cues[0][0] <= first + 0.5 and cues[0][0] >= first - 1.0, (cues[0], first)
    assert cues[-1][1] >= last - 0.5 and cues[-1][1] <= last + 1.5, (cues[-1], last)
    for (_, end, _), (start, _, _) in zip(cues, cues[1:], strict=False):
        assert start - end < 1.0, "a hole in the middle of the speech"
    assert_heard(JFK, " ".join(text for _, _, text in cues))


@pytest.mark.parametrize(("fmt", "check"), [("srt", check_srt), ("vtt", check_vtt)])
def test_subtitles_on_stdout_are_valid_and_cover_the_speech(basedir: Path, jfk_flac: Path, fmt: str,
                                                            check) -> None:
    proc = cli(basedir, "transcribe", str(jfk_flac), "--format", fmt)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert_cues_cover_the_speech(check(proc.stdout), jfk_flac)


def test_json_carries_segment_and_word_times(basedir: Path, jfk_flac: Path) -> None:
    proc = cli(basedir, "transcribe", str(jfk_flac), "--json")  # --json is --format json
    assert proc.returncode == 0, proc.stderr
    [result] = json.loads(proc.stdout)
    assert result["error"] is None and result["file"] == str(jfk_flac)
    assert_heard(JFK, result["text"])
    words = [w for s in result["segments"] for w in s["words"]]
    assert len(words) >= 15
    first, last = speech_span(jfk_flac)
    assert abs(words[0]["start"] - first) < 0.6 and abs(words[-1]["end"] - last) < 0.8
    assert all(a["start"] <= b["start"] for a, b in zip(words, words[1:], strict=False))
    assert all(0 <= w["probability"] <= 1 and w["start"] <= w["end"] for w in words)
    for s in result["segments"]:
        assert s["start"] <= s["words"][0]["start"] + 0.01 and s["words"][-1]["end"] <= s["end"] + 0.01


def test_write_beside_each_file_and_bad_input_gets_one_line_each(basedir: Path, jfk_flac: Path,
                                                                 tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    good = work / "jfk.flac"
    good.write_bytes(jfk_flac.read_bytes())
    corrupt, missing = DATA / "corrupt.wav", work / "missing.mp3"
    proc = cli(basedir, "transcribe", str(corrupt), str(good), str(missing), "--format", "vtt", "--write")
    assert proc.returncode == 1
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2 and "corrupt.wav" in errors[0] and "no such file" in errors[1]
    check_vtt((work / "jfk.vtt").read_text())
    assert (work / "jfk.vtt").stat().st_mode & 0o077 == 0  # a transcript is private
    assert not (DATA / "corrupt.vtt").exists()
    # Again: the file is there, so it is not overwritten without --force.
    before = (work / "jfk.vtt").read_bytes()
    again = cli(basedir, "transcribe", str(good), "--format", "vtt", "--write")
    assert again.returncode == 1 and "already exists" in again.stderr and len(again.stderr.splitlines()) == 1
    assert (work / "jfk.vtt").read_bytes() == before
    assert cli(basedir, "transcribe", str(good), "--format", "vtt", "--write", "--force").returncode == 0


def test_unwritable_output_dir_is_one_line_and_the_other_files_still_run(basedir: Path, jfk_flac: Path,
                                                                         tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    ok = tmp_path / "ok"
    ok.mkdir()
    a = locked / "a.flac"
    b = ok / "b.flac"
    a.write_bytes(jfk_flac.read_bytes())
    b.write_bytes(jfk_flac.read_bytes())
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            # root ignores modes: make the target a directory instead, which no one can replace.
            (locked.parent / "locked").chmod(0o700)
            (locked / "a.srt").mkdir()
        proc = cli(basedir, "transcribe", str(a), str(b), "--format", "srt", "--write", "--force")
    finally:
        locked.chmod(0o700)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "a.srt" in lines[0], proc.stderr
    check_srt((ok / "b.srt").read_text())


def test_usage_errors_are_one_line(basedir: Path, jfk_flac: Path, tmp_path: Path) -> None:
    for argv in (["--format", "srt", str(jfk_flac), str(jfk_flac)],
                 ["--json", "--format", "srt", str(jfk_flac)],
                 ["--force", str(jfk_flac)],
                 ["--out-dir", str(tmp_path / "nope"), str(jfk_flac)]):
        proc = cli(basedir, "transcribe", *argv)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, (argv, proc.stderr)
        assert proc.stdout == ""


def test_out_dir_and_txt(basedir: Path, jfk_flac: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = cli(basedir, "transcribe", str(jfk_flac), "--out-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    assert_heard(JFK, (out / "jfk.txt").read_text())


def test_transcribe_uses_the_vocabulary(basedir: Path, speech_dir: Path) -> None:
    from tests.support import pulse

    wav = pulse.speak("I added a new panel to Grafana.", speech_dir / "cli-grafana.wav").path
    assert cli(basedir, "vocabulary", "add", "Grafana", "Kubernetes").returncode == 0
    proc = cli(basedir, "transcribe", str(wav))
    assert proc.returncode == 0 and "Grafana" in proc.stdout, proc.stdout + proc.stderr
