"""One whole e2e session of the real app, with the REAL keyring (gnome-keyring's Secret
Service), run under `strace -f -e trace=connect`. Then four proofs, each its own test:
no plaintext transcript on disk, no non-loopback connect, the mic closed whenever status
says idle, and the socket and data files private to the user."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.canary import assert_absent
from tests.support.desktop import Desktop, start_desktop
from tests.support.keyring import SecretService, available
from tests.support.pulse import wait_for
from tests.support.strace import non_loopback_connects

pytestmark = [pytest.mark.security, pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]

IDLE_WATCH_S = 15.0
WORDS = ["purple", "walrus", "banana", "seven", "orange", "giraffe", "window", "river", "candle", "pepper"]


@dataclass
class Session:
    base: Path
    home: Path
    trace: Path
    pid: int
    started: float
    canaries: list[str] = field(default_factory=list)
    idle_checks: list[dict[str, Any]] = field(default_factory=list)
    modes: dict[str, int] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)
    history_json: list[dict[str, Any]] = field(default_factory=list)


class TracedApp(App):
    """The app under `strace -f`, so every connect(2) of every thread and child is logged."""

    trace: Path

    def start(self, wait: bool = True) -> App:
        with open(self.basedir.parent / "app.stdout", "a") as log:
            self.proc = subprocess.Popen(
                ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(self.trace),
                 sys.executable, "-m", "trayassist.cli", "--basedir", str(self.basedir), "--no-err-windows", "run"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        if wait and not wait_for(lambda: self.try_status() is not None, 90):
            raise RuntimeError("app did not answer status")
        return self

    def app_pid(self) -> int:
        """strace's child: the python running trayassist."""
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])


def mic_streams(pid: int) -> list[dict[str, str]]:
    return [o for o in pulse.source_outputs() if o.get("application.process.id") == str(pid)]


def idle_check(app: TracedApp, pid: int, when: str) -> dict[str, Any]:
    status = app.status()
    return {"when": when, "state": status["state"], "mic_self": status["mic"]["self"],
            "streams": len(mic_streams(pid))}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, virtual_mic: str) -> Iterator[Session]:
    for tool in ("strace", "Xvfb", "trayer"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")
    why = available()
    if why:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("privacy")
    base, home = root / "base", root / "home"
    base.mkdir()
    svc = SecretService.start(home)
    desk: Desktop = start_desktop(tray=True)
    app = TracedApp(base, app_env(desk.display, svc.env))
    app.trace = root / "connect.trace"
    started = time.time() - 1
    try:
        app.start()
        pid = app.app_pid()
        s = Session(base, home, app.trace, pid, started)
        s.modes = {str(p.relative_to(base)): stat.S_IMODE(p.lstat().st_mode) for p in base.rglob("*")
                   if not p.name.startswith("app.stdout")}
        s.idle_checks.append(idle_check(app, pid, "start"))
        # Two utterances: a unique sentence, spoken through the virtual mic.
        for n in range(2):
            words = [WORDS[(n * 3 + i) % len(WORDS)] for i in range(3)]
            sentence = f"the {words[0]} {words[1]} ate a {words[2]} number {n + 4}"
            speech = pulse.speak(sentence, root / f"canary{n}.wav")
            app.press()
            assert wait_for(lambda: mic_streams(pid) != [], 5), "no capture stream while listening"
            pulse.play(speech.path)
            result = app.release()
            assert result["id"] is not None, "history was not saved (real keyring expected)"
            s.transcripts.append(result["text"])
            assert wait_for(lambda: app.status()["state"] == "idle", 30)
            s.idle_checks.append(idle_check(app, pid, f"after utterance {n}"))
        token = uuid.uuid4().hex[:12]
        note = f"note that the zebra {token} hides the spare key"
        r = app.cli("ask", note, "--json")
        assert r.returncode == 0, r.stderr
        s.canaries = [t for t in s.transcripts if len(t) >= 12] + [f"zebra {token}", token]
        s.idle_checks.append(idle_check(app, pid, "after ask"))
        # Stay up a while, idle, checking the mic each second: native code that phones home
        # on a timer (onnxruntime's telemetry: ~8 s after the VAD loads) gets its chance.
        deadline = time.monotonic() + IDLE_WATCH_S
        while time.monotonic() < deadline:
            s.idle_checks.append(idle_check(app, pid, "idle watch"))
            time.sleep(1.0)  # sleep-ok: one status/pactl check a second in a bounded watch
        hist = subprocess.run([sys.executable, "-m", "trayassist.cli", "--basedir", str(base), "history", "list",
                               "--json"], env=app.env, capture_output=True, text=True, timeout=120)
        assert hist.returncode == 0, hist.stderr
        s.history_json = json.loads(hist.stdout)
        s.modes |= {str(p.relative_to(base)): stat.S_IMODE(p.lstat().st_mode) for p in base.rglob("*")}
        assert app.stop() == 0
        yield s
    finally:
        app.stop()
        desk.stop()
        svc.stop()


def test_history_really_on_disk(session: Session) -> None:
    """The precondition that makes the scan meaningful: records exist, encrypted, on disk."""
    assert (session.base / "data" / "history.sqlite3").stat().st_size > 0
    texts = [r["text"] for r in session.history_json]
    assert all(t in texts for t in session.transcripts), (texts, session.transcripts)


def test_no_plaintext_transcript_anywhere_on_disk(session: Session) -> None:
    roots = [session.base, Path(tempfile.gettempdir()), session.home]
    # Our own test output and the test's speech files are not the app's.
    skip = lambda p: p.name == "app.stdout" or p.name.endswith(".wav")  # noqa: E731
    scanned = sum(assert_absent(c, roots, session.started, skip) for c in session.canaries)
    assert scanned > 10
    logs = list((session.base / "log").rglob("*"))
    assert any(p.name == "trayassist.log" for p in logs)


def test_no_non_loopback_connect_in_the_whole_session(session: Session) -> None:
    lines = [line for line in session.trace.read_text().splitlines() if "connect(" in line]
    assert any("AF_UNIX" in line for line in lines), "strace saw no connect at all"
    assert non_loopback_connects(lines) == []


def test_mic_closed_whenever_status_says_idle(session: Session) -> None:
    assert len(session.idle_checks) >= 4
    for check in session.idle_checks:
        assert check["state"] == "idle", check
        assert check["mic_self"] is False and check["streams"] == 0, check


def test_socket_and_data_files_are_private(session: Session) -> None:
    modes = session.modes
    assert "runtime/ipc.sock" in modes and "data/history.sqlite3" in modes
    assert "data/history-key.json" in modes
    loose = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert loose == {}
