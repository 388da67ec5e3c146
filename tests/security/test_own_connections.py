"""Our own sockets are counted whatever the indicators do: a native connect (ctypes, so no
audit hook sees it) while "Pause indicators" is on, a connect-send-close far shorter than
the 1 s check while a model loads, and `trayassist transcribe` run without the app.
Everything runs in a private network namespace where 10.254.0.1 is a non-loopback address
that reaches nothing outside, with a server there that answers after a chosen delay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.security.test_guard import unshare_prefix
from tests.support import pulse
from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from tests.support.keyring import write_settings
from tests.support.pulse import wait_for

pytestmark = [pytest.mark.security, pytest.mark.root]

HOST, PORT = "10.254.0.1", 8123

# Answers each request after the delay the client asks for (its first line), then closes;
# leaves when the process under test (argv[3]) is gone.
SERVER = textwrap.dedent("""
    import os, socket, sys, threading, time
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((sys.argv[1], int(sys.argv[2]))); srv.listen()
    def watch(pid):
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            time.sleep(0.2)  # sleep-ok: polls whether the process under test still runs
    threading.Thread(target=watch, args=(int(sys.argv[3]),), daemon=True).start()
    def serve(c):
        hold = float(c.recv(100).split(b"\\n")[0] or 0)
        time.sleep(hold)  # sleep-ok: the reply delay under test
        c.sendall(b"ok"); c.close()
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
""")

# What a native library phoning home does: connect, send, wait for the answer, close, all
# through libc (ctypes), where Python's audit hooks see nothing.
NATIVE = textwrap.dedent("""
    import ctypes, socket, struct

    def exchange(host, port, hold):
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
        addr = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton(host))
        assert libc.connect(fd, addr, len(addr)) == 0, ctypes.get_errno()
        msg = f"{hold}\\n".encode()
        libc.send(fd, msg, len(msg), 0)
        buf = ctypes.create_string_buffer(16)
        libc.recv(fd, buf, 16, 0)
        libc.close(fd)
""")

# Loaded into the process under test (the app, the CLI) through PYTHONPATH: does one
# native exchange when the trigger file appears, or once the guard's watch runs.
SITECUSTOMIZE = NATIVE + textwrap.dedent("""
    import os, threading, time
    _spec = os.environ.get("TRAYASSIST_TEST_NATIVE")
    if _spec:
        _host, _port, _hold, _trigger, _done = _spec.split("|")

        def _go():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if _trigger == "watched":
                    if any(t.name == "own-sockets" for t in threading.enumerate()):
                        break
                elif os.path.exists(_trigger):
                    break
                time.sleep(0.01)  # sleep-ok: waiting for the moment under test
            exchange(_host, int(_port), float(_hold))
            open(_done, "w").close()

        threading.Thread(target=_go, name="test-native", daemon=True).start()
""")


def in_netns(tmp_path: Path) -> list[str]:
    """The command prefix: a fresh network namespace with HOST on lo and the server on it."""
    prefix = unshare_prefix()  # [unshare, -n, sh, -c, SCRIPT, sh]: our Python goes in as $0
    server = f'("$0" -c "$SERVER" {HOST} {PORT} $$ </dev/null >/dev/null 2>&1 &)'
    script = prefix[4].replace('exec "$@"', f'{server} && sleep 0.3 && exec "$0" "$@"')
    return [*prefix[:4], script, sys.executable]


def native_env(tmp_path: Path, hold: float, trigger: str) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return {"PYTHONPATH": str(site), "SERVER": SERVER,
            "TRAYASSIST_TEST_NATIVE": f"{HOST}|{PORT}|{hold}|{trigger}|{tmp_path / 'done'}"}


FAST = NATIVE + textwrap.dedent("""
    import json, sys, time
    from trayassist.core.privacy.guard import NetworkGuard
    from trayassist.core.privacy.own_watch import OwnSocketWatch
    guard = NetworkGuard(); guard.install()
    OwnSocketWatch(guard).start()
    guard.watch_closely(30)  # what the app does when a model starts loading
    for _ in range(3):
        exchange(sys.argv[1], int(sys.argv[2]), 0.1)  # each socket lives ~0.1 s
    deadline = time.monotonic() + 3
    while guard.self_connections < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # sleep-ok: bounded polling of the count
    print(json.dumps({"self_connections": guard.self_connections}))
""")


def test_short_native_connections_are_counted_while_watching_closely(tmp_path: Path) -> None:
    r = subprocess.run([*in_netns(tmp_path), "-c", FAST, HOST, str(PORT)], capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, SERVER=SERVER))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[-1]) == {"self_connections": 3}


class NetnsApp(App):
    prefix: list[str]

    def start(self, wait: bool = True) -> App:
        with open(self.basedir / "app.stdout", "a") as log:
            self.proc = subprocess.Popen(
                [*self.prefix, "-m", "trayassist.cli", "--basedir", str(self.basedir), "--no-err-windows", "run"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        if wait and not wait_for(lambda: self.try_status() is not None, 60):
            self.stop()  # never leave the namespace's process to a later test's garbage collector
            raise RuntimeError(f"app did not answer status; output:\n{self.output()}")
        return self


@pytest.mark.e2e
def test_pause_indicators_does_not_pause_the_own_connection_check(
        desktop: Desktop, basedir: Path, tmp_path: Path, virtual_mic: str) -> None:
    write_settings(basedir, history_key_backend="off", indicators_enabled=False)
    trigger = tmp_path / "go"
    app = NetnsApp(basedir, app_env(desktop.display, native_env(tmp_path, 1.5, str(trigger))))
    app.prefix = in_netns(tmp_path)
    app.start()
    try:
        assert wait_for(lambda: app.status()["network"]["self_connections"] == 0 or None, 30)
        trigger.touch()
        assert wait_for(lambda: (tmp_path / "done").exists() or None, 20)
        assert wait_for(lambda: app.status()["network"]["self_connections"] == 1 or None, 5), app.status()
    finally:
        app.stop()


@pytest.mark.model
@pytest.mark.audio
def test_transcribe_runs_under_the_guard(basedir: Path, tmp_path: Path, speech_dir: Path,
                                         virtual_mic: str) -> None:
    speech = pulse.speak("the command line is watched too", speech_dir / "cli_guard.wav")
    env = dict(os.environ, **native_env(tmp_path, 0.3, "watched"))
    r = subprocess.run([*in_netns(tmp_path), "-m", "trayassist.cli", "--basedir", str(basedir),
                        "transcribe", str(speech.path)], capture_output=True, text=True, timeout=240, env=env)
    assert (tmp_path / "done").exists(), r.stderr
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "trayassist transcribe: error: this process made 1 non-loopback connection(s)" in r.stderr
    assert "watched" in r.stdout.lower()  # the transcription itself still happened
