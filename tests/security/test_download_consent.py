"""Consent scope: "Download" lets one child process fetch one model. The app process, under
its installed guard, allows nothing while the child downloads (a non-loopback connect is
still blocked) and nothing afterwards; model.bin goes to the child, not to the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.fake_hub import model_files, serve
from trayassist.core.transcribe import models

pytestmark = pytest.mark.security

REPO = Path(__file__).resolve().parents[2]
MB = 1 << 20

APP = textwrap.dedent("""
    import json, os, socket, sys, threading
    from trayassist.core.privacy.guard import ConnectionBlocked, NetworkGuard
    guard = NetworkGuard()
    guard.install()  # as app.py does, before anything else
    from trayassist.builder import ServiceBuilder
    from trayassist.core.events import DownloadPhase, EventBus
    from trayassist.core.paths import Paths
    from trayassist.core.transcribe.downloader import Downloads

    def say(**fields):
        print(json.dumps(fields), flush=True)

    builder = ServiceBuilder(Paths.from_basedir(sys.argv[1]), dict(os.environ), guard)
    bus = EventBus()
    downloads = Downloads(builder.download_model, bus.publish)  # what Runtime.download uses
    started, ended = threading.Event(), threading.Event()
    outcome = {}
    bus.subscribe(lambda p: p.phase is DownloadPhase.DOWNLOADING and p.done > 0 and started.set())
    downloads.start("base.en", lambda result, error: (outcome.update(error=repr(error)), ended.set()))
    assert started.wait(120)
    child = downloads._running["base.en"].pid
    try:
        socket.create_connection(("10.255.255.1", 9), timeout=3)
        connect = "connected"
    except ConnectionBlocked:
        connect = "blocked"
    say(stage="during", pid=os.getpid(), child=child, connect=connect, **guard.status())
    sys.stdin.readline()  # the test lets the hub finish
    assert ended.wait(120)
    say(stage="after", error=outcome["error"], new_own=guard.check_own_sockets(),
        consented_hosts=sorted(guard._consented_hosts), **guard.status())
""")


def test_the_app_allows_nothing_while_its_child_downloads(bundled_model_path: Path, tmp_path: Path) -> None:
    with serve(model_files(bundled_model_path), repo=models.REPOS["base.en"]) as hub:
        hub.state.hold_after = 30 * MB  # the download stays in progress while the app is probed
        env = os.environ | {"PYTHONPATH": str(REPO), "HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": "1"}
        proc = subprocess.Popen([sys.executable, "-c", APP, str(tmp_path / "base")], cwd=REPO, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            during = json.loads(proc.stdout.readline() or "{}")
            hub.state.release.set()
            proc.stdin.write("go\n")
            proc.stdin.flush()
            after = json.loads(proc.stdout.readline() or "{}")
            _out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err
        clients = list(hub.state.model_bin_clients)
    # While the child downloads: no consent window in the app, and its guard still blocks.
    assert during["stage"] == "during", err
    assert during["consent"] is None and during["self_allowed"] == 0
    assert during["connect"] == "blocked" and during["self_blocked"] == 1
    # model.bin went to the child process only.
    assert clients == [during["child"]] and during["child"] != during["pid"]
    # Afterwards: downloaded, and still nothing allowed, no address remembered as consented.
    assert after["error"] == "None"
    assert after["consent"] is None and after["self_allowed"] == 0 and after["consented_hosts"] == []
    assert after["self_connections"] == 0 and after["new_own"] == 0 and after["consented_connections"] == 0
    assert all(a["allowed"] is False for a in after["recent"])
    assert (tmp_path / "base" / "cache" / "models" / "models--Systran--faster-whisper-base.en").is_dir()
