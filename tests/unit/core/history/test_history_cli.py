"""`trayassist history ...` through a small argparse harness, plus the real `trayassist.cli`."""

from __future__ import annotations

import argparse
import io
import json
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import pytest

from tests.unit.core.history.support import MemoryKeyring, keyring_module, passphrase_store
from trayassist import cli_history
from trayassist.core.config import Settings
from trayassist.core.paths import Paths

pytestmark = pytest.mark.unit
PW = "cli passphrase"


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


def harness(argv: list[str], paths: Paths, settings: Settings | None = None,
            keyring_mod: object = None, stdin: str = "") -> tuple[int, str, str]:
    parser = OneLineParser(prog="trayassist")
    parser.add_argument("--basedir")
    cli_history.add_parser(parser.add_subparsers(dest="command", parser_class=OneLineParser))
    out, err = io.StringIO(), io.StringIO()
    try:
        args = parser.parse_args(["--basedir", str(paths.basedir), *argv])
    except SystemExit as exc:
        return int(exc.code or 0), "", ""
    code = cli_history.run(args, paths, settings or Settings(), keyring_module=keyring_mod,
                           stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.from_basedir(tmp_path / "base").ensure()


@pytest.fixture
def filled(paths: Paths, tmp_path: Path) -> Path:
    """Three records locked with a passphrase; returns a passphrase file."""
    store = passphrase_store(paths.data, PW, clock=lambda: datetime.now(UTC))
    store.open()
    now = datetime.now(UTC)
    store.append("buy milk on the way home", when=now - timedelta(hours=3), duration_s=2.0,
                 model="tiny.en", action={"skill": "notes", "reply": "Noted."})
    store.append("call the dentist", when=now - timedelta(minutes=30))
    store.append("Milkshake for later", when=now - timedelta(minutes=2))
    store.close()
    pw = tmp_path / "pw.txt"
    pw.write_text(PW + "\n")
    return pw


def run_pw(argv: list[str], paths: Paths, pw: Path) -> tuple[int, str, str]:
    return harness([*argv, "--passphrase-file", str(pw)], paths)


def test_list_search_show(paths: Paths, filled: Path) -> None:
    code, out, err = run_pw(["history", "list"], paths, filled)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["3", "2", "1"]
    assert "Milkshake for later" in lines[0]
    code, out, _ = run_pw(["history", "list", "--json", "--limit", "1", "--offset", "1"], paths, filled)
    assert [r["text"] for r in json.loads(out)] == ["call the dentist"]
    code, out, _ = run_pw(["history", "search", "MILK", "--json"], paths, filled)
    assert [r["id"] for r in json.loads(out)] == [3, 1]
    code, out, _ = run_pw(["history", "search", "milk", "--word", "--json"], paths, filled)
    assert [r["id"] for r in json.loads(out)] == [1]
    code, out, _ = run_pw(["history", "show", "1"], paths, filled)
    assert code == 0 and "assistant: Noted." in out and "buy milk on the way home" in out
    code, out, _ = run_pw(["history", "show", "1", "--json"], paths, filled)
    assert json.loads(out)["model"] == "tiny.en"


def test_passphrase_from_stdin_and_wrong(paths: Paths, filled: Path) -> None:
    code, out, _ = harness(["history", "list", "--passphrase-stdin"], paths, stdin=PW + "\n")
    assert code == 0 and len(out.splitlines()) == 3
    code, out, err = harness(["history", "list", "--passphrase-stdin"], paths, stdin="nope\n")
    assert (code, out) == (1, "")
    assert err == "trayassist history: error: wrong history passphrase\n"
    code, _, err = harness(["history", "list"], paths)  # not a terminal, no passphrase given
    assert code == 1 and "--passphrase-file" in err and err.count("\n") == 1


def test_export_to_file_and_stdout(paths: Paths, filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    code, out, _ = run_pw(["history", "export", "--format", "md", "--out", str(target), "1", "3"],
                          paths, filled)
    assert code == 0 and "exported 2 records" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text()
    assert "buy milk" in text and "Milkshake" in text and "dentist" not in text
    code, _, err = run_pw(["history", "export", "--out", str(target)], paths, filled)
    assert code == 1 and "exists; pass --force" in err
    code, out, _ = run_pw(["history", "export", "--format", "json"], paths, filled)
    assert [r["id"] for r in json.loads(out)["records"]] == [1, 2, 3]


def test_delete_forget_wipe(paths: Paths, filled: Path) -> None:
    code, out, err = run_pw(["history", "delete", "2", "42"], paths, filled)
    assert code == 1 and "deleted 1 record" in out
    assert err == "trayassist history: error: no history record with id 42\n"
    code, out, _ = run_pw(["history", "forget", "--last", "5m"], paths, filled)
    assert (code, out) == (0, "forgot 1 record\n")
    code, out, _ = run_pw(["history", "list", "--json"], paths, filled)
    assert [r["id"] for r in json.loads(out)] == [1]
    code, _, err = run_pw(["history", "wipe"], paths, filled)
    assert code == 1 and "--yes" in err
    code, out, _ = run_pw(["history", "wipe", "--yes"], paths, filled)
    assert code == 0 and "history wiped" in out
    code, out, _ = run_pw(["history", "list", "--json"], paths, filled)
    assert json.loads(out) == []


def test_wipe_without_the_passphrase(paths: Paths, filled: Path) -> None:
    code, out, _ = harness(["history", "wipe", "--yes"], paths)
    assert code == 0 and "history wiped" in out
    assert not paths.history_db.exists() and not (paths.data / "history-key.json").exists()


@pytest.mark.parametrize("argv", [
    ["history", "show", "abc"], ["history", "show", "0"], ["history", "list", "--limit", "-1"],
    ["history", "export", "--format", "csv"], ["history", "forget"], ["history", "bogus"],
    ["history"],
])
def test_bad_usage_is_one_line(paths: Paths, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = harness(argv, paths)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error:")


@pytest.mark.parametrize("span", ["5x", "0m", "yesterday"])
def test_bad_span_is_one_line(paths: Paths, filled: Path, span: str) -> None:
    code, _, err = run_pw(["history", "forget", "--last", span], paths, filled)
    assert code == 1 and "bad span" in err and err.count("\n") == 1


def test_backend_settings(paths: Paths) -> None:
    code, _, err = harness(["history", "list"], paths, Settings(history_key_backend="off"))
    assert code == 1 and "history is off" in err
    code, _, err = harness(["history", "list"], paths, Settings(history_key_backend="session"))
    assert code == 1 and "session-only" in err
    # Nothing stored yet: empty, and no key is made just to look.
    code, out, _ = harness(["history", "list", "--json"], paths, keyring_mod=keyring_module(MemoryKeyring()))
    assert (code, out) == (0, "[]\n")
    assert not (paths.data / "history-key.json").exists()


def test_keyring_history_through_cli(paths: Paths) -> None:
    from tests.unit.core.history.support import keyring_store

    kr = MemoryKeyring()
    store = keyring_store(paths.data, kr, clock=lambda: datetime.now(UTC)).open()
    store.append("kept with the keyring")
    store.close()
    code, out, _ = harness(["history", "search", "keyring"], paths, keyring_mod=keyring_module(kr))
    assert code == 0 and "kept with the keyring" in out
    code, out, _ = harness(["history", "wipe", "--yes"], paths, keyring_mod=keyring_module(kr))
    assert code == 0
    assert len(kr.entries) == 1  # the old key went, a fresh one came


def test_real_cli_dispatches_history(paths: Paths, filled: Path) -> None:
    base = str(paths.basedir)
    proc = subprocess.run([sys.executable, "-m", "trayassist.cli", "--basedir", base, "history", "search",
                           "dentist", "--json", "--passphrase-file", str(filled)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert [r["text"] for r in json.loads(proc.stdout)] == ["call the dentist"]
    proc = subprocess.run([sys.executable, "-m", "trayassist.cli", "history", "show", "99",
                           "--basedir", base, "--passphrase-file", str(filled)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no history record" in proc.stderr
