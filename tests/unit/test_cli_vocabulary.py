"""`trayassist vocabulary` through the real CLI, with no app running (it edits settings.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def cli(basedir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trayassist.cli", "vocabulary", *argv, "--basedir", str(basedir)],
                          capture_output=True, text=True, timeout=60)


def test_add_list_remove_export_import(basedir: Path, tmp_path: Path) -> None:
    assert cli(basedir, "add", "Siobhan", "Chinua Okonkwo").returncode == 0
    again = cli(basedir, "add", "siobhan", "Grafana")
    assert again.returncode == 0 and "added: siobhan, Grafana" in again.stdout
    assert cli(basedir, "list").stdout.splitlines() == ["siobhan", "Chinua Okonkwo", "Grafana"]
    assert json.loads(cli(basedir, "list", "--json").stdout) == ["siobhan", "Chinua Okonkwo", "Grafana"]
    settings = json.loads((basedir / "config" / "settings.json").read_text())
    assert settings["vocabulary"] == ["siobhan", "Chinua Okonkwo", "Grafana"]
    exported = tmp_path / "words.txt"
    exported.write_text(cli(basedir, "export").stdout)
    gone = cli(basedir, "remove", "GRAFANA", "nope")
    assert gone.returncode == 1 and gone.stderr.strip() == "trayassist vocabulary: error: not in the vocabulary: nope"
    assert cli(basedir, "list").stdout.splitlines() == ["siobhan", "Chinua Okonkwo"]
    assert cli(basedir, "import", str(exported)).returncode == 0
    assert cli(basedir, "list").stdout.splitlines() == ["siobhan", "Chinua Okonkwo", "Grafana"]


@pytest.mark.parametrize("argv", [["add", ""], ["add", "x" * 80], ["import", "/nonexistent/words.txt"],
                                  ["add"], ["frobnicate"]])
def test_bad_input_is_one_line_and_changes_nothing(basedir: Path, argv: list[str]) -> None:
    cli(basedir, "add", "Siobhan")
    proc = cli(basedir, *argv)
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert cli(basedir, "list").stdout.splitlines() == ["Siobhan"]


def test_a_bad_file_names_its_line(basedir: Path, tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("Siobhan\n" + "y" * 80 + "\n")
    proc = cli(basedir, "import", str(words))
    assert proc.returncode == 2 and "line 2" in proc.stderr
    binary = tmp_path / "words.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "not a UTF-8 text file" in cli(basedir, "import", str(binary)).stderr
    assert cli(basedir, "list").stdout == ""
