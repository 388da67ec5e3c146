"""The history under faults, through the real CLI (and the real app where it matters):
wrong passphrase, damaged or newer databases, keyring missing or locked, disk full. Each
gives one line on stderr and exit 1, and leaves the files byte for byte as they were."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.conftest import StartApp
from tests.support import pulse
from tests.support.app import App, app_env, cli
from tests.support.desktop import Desktop
from tests.support.keyring import SecretService, available, private_env, write_settings
from tests.support.windows import xdotool
from trayassist.core.config import Settings
from trayassist.core.history.factory import build_store
from trayassist.core.paths import Paths

pytestmark = pytest.mark.faults

PASSPHRASE = "correct horse battery staple"


def digest(data_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data_dir.iterdir()) if p.is_file()}


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("trayassist history: error: "), r.stderr
    return r.stderr.strip()


@pytest.fixture
def passphrase_history(basedir: Path, tmp_path: Path) -> Path:
    """A real passphrase history with three records (default Argon2id cost, as users get)."""
    write_settings(basedir, history_key_backend="passphrase")
    paths = Paths.from_basedir(basedir).ensure()
    store = build_store(paths, Settings(history_key_backend="passphrase"), passphrase=PASSPHRASE)
    assert store is not None
    store.open()
    for i in range(3):
        store.append(f"committed record {i}", duration_s=1.0, model="tiny.en")
    store.close()
    (tmp_path / "right").write_text(PASSPHRASE + "\n")
    (tmp_path / "wrong").write_text("incorrect horse\n")
    return paths.data


def test_wrong_passphrase(passphrase_history: Path, basedir: Path, tmp_path: Path) -> None:
    before = digest(passphrase_history)
    for command in (["list"], ["search", "record"], ["show", "1"], ["export"], ["delete", "1"],
                    ["forget", "--last", "1d"]):
        err = one_line(cli(basedir, "history", *command, "--passphrase-file", str(tmp_path / "wrong")))
        assert "wrong history passphrase" in err, command
    assert digest(passphrase_history) == before
    r = cli(basedir, "history", "list", "--json", "--passphrase-file", str(tmp_path / "right"))
    assert r.returncode == 0, r.stderr
    assert [x["text"] for x in json.loads(r.stdout)] == [f"committed record {i}" for i in (2, 1, 0)]
    one_line(cli(basedir, "history", "list", "--passphrase-file", str(tmp_path / "missing")))
    r = cli(basedir, "history", "list", input="")  # no terminal, no passphrase given
    assert "locked with a passphrase" in one_line(r)


def _flip_page(db: Path) -> None:
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for i in range(page + 8, 2 * page - 8):  # the second page (sqlite_master's first child)
        data[i] ^= 0x5A
    db.write_bytes(bytes(data))


def _newer(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


def _foreign(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 1234")
    conn.close()


DAMAGE = {
    "garbage": lambda db: db.write_bytes(os.urandom(8192)),
    "empty_header": lambda db: db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50),
    "truncated": lambda db: db.write_bytes(db.read_bytes()[: len(db.read_bytes()) // 2]),
    "flipped_page": _flip_page,
    "newer_version": _newer,
    "other_sqlite_db": _foreign,
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_or_newer_database(passphrase_history: Path, basedir: Path, tmp_path: Path, kind: str) -> None:
    db = passphrase_history / "history.sqlite3"
    DAMAGE[kind](db)
    before = digest(passphrase_history)
    for command in (["list"], ["search", "x"], ["export"], ["forget", "--last", "5m"]):
        err = one_line(cli(basedir, "history", *command, "--passphrase-file", str(tmp_path / "right")))
        if kind == "newer_version":
            assert "newer TrayAssist" in err
        else:
            assert "nothing was changed" in err or "damaged" in err or "not a history" in err, err
            assert "`trayassist history start-fresh`" in err, err
    assert digest(passphrase_history) == before  # untouched, byte for byte

    # The way out: keep the damaged file aside, untouched, and start a new history.
    r = cli(basedir, "history", "start-fresh", "--passphrase-file", str(tmp_path / "right"))
    if kind == "newer_version":  # a newer app can still read it: never moved
        assert "nothing was set aside" in one_line(r)
        assert digest(passphrase_history) == before
        return
    assert r.returncode == 0 and r.stderr == "", r.stderr
    stamp = r.stdout.split(".aside-")[1].split(";")[0]
    after = digest(passphrase_history)
    assert after[f"history.sqlite3.aside-{stamp}"] == before["history.sqlite3"]
    assert after[f"history-key.json.aside-{stamp}"] == before["history-key.json"]
    r = cli(basedir, "history", "list", "--json", "--passphrase-file", str(tmp_path / "right"))
    assert r.returncode == 0 and json.loads(r.stdout) == [], r.stderr


def test_keyring_unavailable(basedir: Path, tmp_path: Path) -> None:
    """A history kept in the OS keyring, opened where no keyring runs (no D-Bus session)."""
    why = available()
    if why:
        pytest.skip(why)
    svc = SecretService.start(tmp_path / "home")
    try:
        r = cli(basedir, "ask", "note that the keyring test ran", env=svc.env, timeout=120)
        assert r.returncode == 0, r.stderr
        r = cli(basedir, "history", "list", "--json", env=svc.env)
        assert r.returncode == 0, r.stderr
    finally:
        svc.stop()
    data = basedir / "data"
    before = digest(data)
    env = private_env(tmp_path / "home2")
    r = cli(basedir, "history", "list", env=env, timeout=60)
    err = one_line(r)
    assert "keyring" in err.lower(), err
    assert digest(data) == before


_HOLDS = ("import json, sys, keyring; print(json.dumps(keyring.get_password('trayassist', "
          "'history-key-' + sys.argv[1]) is not None))")


def _keyring_holds(env: dict[str, str], key_id: str) -> bool:
    r = subprocess.run([sys.executable, "-c", _HOLDS, key_id], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return bool(json.loads(r.stdout))


def test_wipe_without_the_keyring_is_incomplete_until_it_is_back(basedir: Path, tmp_path: Path) -> None:
    """Wipe in an SSH session with no D-Bus: the real GNOME Keyring still holds the key, so
    the wipe must say so, and destroy it the next time the keyring can be reached."""
    why = available()
    if why:
        pytest.skip(why)
    home = tmp_path / "home"
    svc = SecretService.start(home)
    try:
        r = cli(basedir, "ask", "note that the wipe test ran", env=svc.env, timeout=120)
        assert r.returncode == 0, r.stderr
        key_id = json.loads((basedir / "data" / "history-key.json").read_text())["key_id"]
        assert _keyring_holds(svc.env, key_id)
    finally:
        svc.stop()
    r = cli(basedir, "history", "wipe", "--yes", env=private_env(tmp_path / "ssh"), timeout=60)
    err = one_line(r)
    assert "wipe incomplete" in err and "OS keyring" in err, err
    assert not (basedir / "data" / "history.sqlite3").exists()
    assert key_id in (basedir / "data" / "history-key.wipe-pending.json").read_text()

    svc = SecretService.start(home)  # the same login keyring, unlocked again
    try:
        assert _keyring_holds(svc.env, key_id)  # the wipe really had not finished
        r = cli(basedir, "history", "wipe", "--yes", env=svc.env, timeout=60)  # as the message says
        assert r.returncode == 0 and "history wiped" in r.stdout, r.stderr
        assert not _keyring_holds(svc.env, key_id)
        assert not (basedir / "data" / "history-key.wipe-pending.json").exists()
    finally:
        svc.stop()


def test_keyring_locked_does_not_hang(basedir: Path, tmp_path: Path) -> None:
    """gnome-keyring running but never unlocked: no login collection to read or write."""
    why = available()
    if why:
        pytest.skip(why)
    svc = SecretService.start(tmp_path / "home", unlock=False)
    try:
        write_settings(basedir, history_key_backend="keyring")
        r = cli(basedir, "ask", "note that the locked keyring test ran", env=svc.env, timeout=60)
        assert r.returncode == 0, r.stderr  # the note still works (kept in memory), one reply
        r = cli(basedir, "history", "list", env=svc.env, timeout=60)
        assert r.returncode in (0, 1), r.stderr
        if r.returncode:
            one_line(r)
    finally:
        svc.stop()


def fill_disk(path: Path) -> None:
    """Write until the file system is full, down to the last byte (unbuffered)."""
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 65536, 4096, 512, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass


# ---- the running app with a damaged database and with a full disk ------------------------
@pytest.mark.e2e
def test_app_with_damaged_database_keeps_running_and_leaves_it(
        start_app: StartApp, basedir: Path, secret_service: SecretService) -> None:
    data = basedir / "data"
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    before = digest(data)
    app = start_app(basedir, env=secret_service.env)
    r = app.cli("ask", "note that the damaged database test ran", "--json")
    assert r.returncode == 0, r.stderr
    s = app.status()
    assert s["state"] in ("idle", "error") and app.proc is not None and app.proc.poll() is None
    assert "notice (warning): History" in (basedir / "log" / "trayassist.log").read_text()
    assert digest(data) == before


@pytest.mark.e2e
def test_app_offers_a_new_history_and_keeps_the_damaged_one(
        desktop: Desktop, basedir: Path, secret_service: SecretService) -> None:
    data = basedir / "data"
    data.mkdir(parents=True)
    damaged = b"SQLite format 3\x00" + os.urandom(4000)
    (data / "history.sqlite3").write_bytes(damaged)
    app = App(basedir, app_env(desktop.display, secret_service.env), dialogs=True)
    try:
        app.start()
        xenv = desktop.env()
        wids: list[str] = []

        def dialog_shown() -> bool:
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "History could not be opened"],
                               env=xenv, capture_output=True, text=True, timeout=10)
            wids[:] = r.stdout.split()
            return bool(wids)

        assert pulse.wait_for(dialog_shown, 30), app.output()
        assert digest(data) == {"history.sqlite3": hashlib.sha256(damaged).hexdigest()}  # asks first
        xdotool(xenv, "windowfocus", "--sync", wids[0])
        xdotool(xenv, "key", "--clearmodifiers", "Return")  # the default: start a new history
        assert pulse.wait_for(lambda: list(data.glob("history.sqlite3.aside-*")), 30)
        [aside] = data.glob("history.sqlite3.aside-*")
        assert aside.read_bytes() == damaged
        r = app.cli("history", "list", "--json")
        assert r.returncode == 0 and json.loads(r.stdout) == [], r.stderr  # a healthy, empty history
        r = app.cli("ask", "note that the new history works", "--json")
        assert r.returncode == 0, r.stderr
        conn = sqlite3.connect(data / "history.sqlite3")  # the app keeps the note there, sealed
        try:
            assert conn.execute("SELECT COUNT(*) FROM items WHERE kind = 'note'").fetchone()[0] == 1
        finally:
            conn.close()
        assert "notice (info): History" in (basedir / "log" / "trayassist.log").read_text()
    finally:
        app.stop()


@pytest.mark.root
@pytest.mark.e2e
@pytest.mark.audio
def test_disk_full_while_writing(start_app: StartApp, tmp_path: Path, secret_service: SecretService,
                                 speech_dir: Path, virtual_mic: str) -> None:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a size-limited tmpfs")
    base = tmp_path / "small"
    base.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(base)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount tmpfs: {mounted.stderr.strip()}")
    try:
        app = start_app(base, env=secret_service.env)
        speech = pulse.speak("the disk is almost full now", speech_dir / "full.wav")
        for i in range(3):
            r = app.cli("ask", f"note that committed note {i}", "--json")
            assert r.returncode == 0, r.stderr
        fill_disk(base / "filler")
        results = []
        for i in range(3):
            results.append(app.cli("ask", f"note that lost note {i}", "--json"))
            app.press()
            pulse.play(speech.path)
            results.append(app.cli("ptt", "release", "--wait", "--json"))
        for r in results:  # each answers: success without saving, or one line
            assert r.returncode == 0 or r.stderr.count("\n") == 1, r.stderr
        saved = [json.loads(r.stdout).get("id") for r in results[1::2] if r.returncode == 0]
        assert saved and all(rid is None for rid in saved), saved  # said "not saved", claimed nothing
        assert app.proc is not None and app.proc.poll() is None
        assert app.status()["state"] in ("idle", "error")
        (base / "filler").unlink()
        assert app.stop() == 0
        r = cli(base, "history", "list", "--json", env=app.env)
        assert r.returncode == 0, r.stderr
        r = cli(base, "ask", "list my notes", "--json", env=app.env)
        assert r.returncode == 0, r.stderr
        for i in range(3):
            assert f"committed note {i}" in r.stdout, r.stdout
    finally:
        subprocess.run(["umount", "-l", str(base)], capture_output=True)
