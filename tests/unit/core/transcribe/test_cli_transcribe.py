"""`trayassist transcribe FILE... [--json]` on good, corrupt and mixed files."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pytest

from trayassist import cli_transcribe
from trayassist.core.config import Settings
from trayassist.core.paths import Paths
from trayassist.core.privacy.guard import NetworkGuard

pytestmark = [pytest.mark.unit, pytest.mark.model]

DATA = Path(__file__).parents[3] / "data" / "audio"


def run(basedir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_transcribe.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["transcribe", *argv])
    # A guard that is not installed: an audit hook cannot be removed from the test process.
    return cli_transcribe.run(args, Paths.from_basedir(basedir).ensure(), Settings(), guard=NetworkGuard())


def test_a_good_wav(basedir: Path, speech_parts: list[Path], capsys) -> None:
    assert run(basedir, str(speech_parts[1])) == 0
    out, err = capsys.readouterr()
    assert "calculator" in out.lower() and err == ""


def test_flac_and_ogg_via_pyav(basedir: Path, speech_parts: list[Path], tmp_path: Path,
                               capsys) -> None:
    files = []
    for ext in ("flac", "ogg"):
        dst = tmp_path / f"speech.{ext}"
        subprocess.run(["sox", str(speech_parts[3]), str(dst)], check=True, timeout=60)
        files.append(str(dst))
    assert run(basedir, "--json", *files) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["error"] for r in results] == [None, None]
    for r in results:
        assert "timer" in r["text"].lower() and 3.0 < r["duration"] < 5.0


def test_corrupt_file_gives_one_line_error_and_nonzero_exit(basedir: Path, capsys) -> None:
    bad = DATA / "corrupt.wav"
    assert run(basedir, str(bad)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "cannot read audio" in lines[0]


def test_a_mix_still_transcribes_the_good_files(basedir: Path, speech_parts: list[Path],
                                                capsys) -> None:
    files = [str(DATA / "truncated.wav"), str(speech_parts[0]), str(DATA / "notes.txt"),
             str(DATA / "missing.mp3"), str(speech_parts[4])]
    assert run(basedir, "--json", *files) == 1
    out, err = capsys.readouterr()
    results = json.loads(out)
    assert [r["file"] for r in results] == files
    assert [r["error"] is None for r in results] == [False, True, False, False, True]
    assert "sister" in results[1]["text"].lower() and "library" in results[4]["text"].lower()
    assert len(err.strip().splitlines()) == 3 and "no such file" in err
