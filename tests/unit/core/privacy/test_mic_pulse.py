"""The PulseAudio backend against the real server: `parec -d vmic` is the "other app"."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.pulse import wait_for
from trayassist.core.privacy.mic_pulse import PulseMicWatch, merge_streams, stream_pid

pytestmark = [pytest.mark.unit, pytest.mark.audio]


def parec(source: str, server: str | None = None) -> subprocess.Popen[bytes]:
    cmd = ["parec", "-d", source] + ([f"--server={server}"] if server else [])
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def watch(virtual_mic: str) -> Iterator[tuple[PulseMicWatch, threading.Event]]:
    changed = threading.Event()
    w = PulseMicWatch()
    w.start(changed.set)
    assert wait_for(lambda: w.connected, 5), w.last_error
    yield w, changed
    w.stop()


def test_parec_appears_within_a_second_and_disappears(
        watch: tuple[PulseMicWatch, threading.Event], virtual_mic: str) -> None:
    w, changed = watch
    changed.clear()
    proc = parec(virtual_mic)
    try:
        t0 = time.monotonic()
        assert wait_for(lambda: any(u.pid == proc.pid for u in w.users()), 1.0)
        appeared = time.monotonic() - t0
        user = next(u for u in w.users() if u.pid == proc.pid)
        assert changed.is_set()  # pushed by the event, not found by a poll of ours
        assert user.name == "parec"  # what the client says about itself...
        assert user.exe is not None and Path(user.exe).name == "pacat"  # ...and the real binary
        assert user.device == virtual_mic and not user.corked
    finally:
        stop(proc)
    t1 = time.monotonic()
    assert wait_for(lambda: all(u.pid != proc.pid for u in w.users()), 1.0)
    print(f"parec appeared after {appeared * 1000:.0f} ms, "
          f"gone {(time.monotonic() - t1) * 1000:.0f} ms after it exited")


def test_own_process_is_exposed_apart(virtual_mic: str) -> None:
    proc = parec(virtual_mic)
    w = PulseMicWatch(own_pid=proc.pid)  # pretend parec is TrayAssist
    w.start(lambda: None)
    try:
        assert wait_for(lambda: [u.pid for u in w.own_streams()] == [proc.pid], 5), w.last_error
        assert all(u.pid != proc.pid for u in w.users())
    finally:
        stop(proc)
        w.stop()


def test_watch_does_not_create_capture_streams(
        watch: tuple[PulseMicWatch, threading.Event]) -> None:
    w, _ = watch
    assert all(u.pid is None or u.name != "trayassist-micwatch" for u in w.users())
    assert w.own_streams() == []


def test_missing_server_is_reported_for_doctor() -> None:
    status = PulseMicWatch(server="unix:/nonexistent/native").available()
    assert not status.ok and status.fix


class PrivatePulse:
    """A second PulseAudio daemon of our own, so killing it cannot disturb other tests."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tapa"))  # short: unix socket path limit
        self.server = f"unix:{self.dir}/native"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {"HOME": str(self.dir), "XDG_RUNTIME_DIR": str(self.dir), "PATH": "/usr/bin:/bin",
               "PULSE_RUNTIME_PATH": str(self.dir / "rt"), "PULSE_STATE_PATH": str(self.dir / "st")}
        self.proc = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--use-pid-file=no",
             "--disable-shm=yes", "--load=module-null-sink sink_name=priv",
             f"--load=module-native-protocol-unix socket={self.dir}/native auth-anonymous=1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = wait_for(lambda: subprocess.run(["pactl", "-s", self.server, "info"],
                                             capture_output=True).returncode == 0, 10)
        assert ok, "private pulseaudio did not start"

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def private_pulse() -> Iterator[PrivatePulse]:
    if not shutil.which("pulseaudio"):
        pytest.skip("pulseaudio is not installed")
    pp = PrivatePulse()
    pp.start()
    try:
        yield pp
    finally:
        pp.kill()
        shutil.rmtree(pp.dir, ignore_errors=True)


def test_reconnects_after_the_server_restarts(private_pulse: PrivatePulse) -> None:
    w = PulseMicWatch(server=private_pulse.server)
    w.start(lambda: None)
    try:
        assert wait_for(lambda: w.connected, 5)
        private_pulse.kill()
        assert wait_for(lambda: not w.connected, 5)
        private_pulse.start()
        assert wait_for(lambda: w.connected, 10), w.last_error
        assert w.reconnects >= 2
        proc = parec("priv.monitor", private_pulse.server)
        try:
            assert wait_for(lambda: any(u.pid == proc.pid for u in w.users()), 2)
        finally:
            stop(proc)
    finally:
        w.stop()


def test_stream_pid_prefers_kernel_pid_and_ignores_other_hosts() -> None:
    assert stream_pid({"pipewire.sec.pid": "12", "application.process.id": "99"}, "h") == 12
    assert stream_pid({"application.process.id": "99", "application.process.host": "h"}, "h") == 99
    assert stream_pid({"application.process.id": "99", "application.process.host": "x"}, "h") is None
    assert stream_pid({}, "h") is None


def test_merge_streams_one_entry_per_process_names_both_ways() -> None:
    ident = {5: ("python3", "/usr/bin/python3.11")}
    streams = [({"application.process.id": "5", "application.name": "Zoom"}, "mic", False, 1),
               ({"application.process.id": "5", "application.name": "Zoom"}, "mic", True, 1),
               ({"application.name": "remote thing"}, "mic", False, 2)]
    users = merge_streams(streams, lambda p: ident.get(p, (None, None)), "h")
    assert [(u.pid, u.name, u.exe, u.streams, u.corked) for u in users] == [
        (5, "Zoom", "/usr/bin/python3.11", 2, False), (None, "remote thing", None, 1, False)]


class _RacyPulse:
    """pulsectl's loop, as far as the watch sees it: events are dispatched during any call
    (a listing too), and each event_listen() starts with its stop flag cleared, blocking
    until the next event. Here a stream starts while the first listing runs."""

    def __init__(self, *_a: Any, **_k: Any) -> None:
        self.streams: list[Any] = []
        self.callback: Any = None
        self.stop = threading.Event()

    def __enter__(self) -> _RacyPulse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def connect(self) -> None: ...
    def event_mask_set(self, *_a: str) -> None: ...

    def event_callback_set(self, cb: Any) -> None:
        self.callback = cb

    def source_list(self) -> list[Any]:
        return [SimpleNamespace(index=0, name="vmic")]

    def client_list(self) -> list[Any]:
        return [SimpleNamespace(index=7, proplist={"application.process.id": "4242",
                                                   "application.name": "recorder"})]

    def source_output_list(self) -> list[Any]:
        listed = list(self.streams)
        if not self.streams:  # the new stream's event arrives while this listing runs
            self.streams.append(SimpleNamespace(client=7, source=0, corked=False, proplist={}))
            try:
                self.callback("new source_output")
            except _RacyPulse.LoopStop:
                pass  # pulsectl sets its stop flag, which the next event_listen() clears
        return listed

    def event_listen(self) -> None:
        self.stop.wait()  # no further event comes

    def event_listen_stop(self) -> None:
        self.stop.set()

    class LoopStop(Exception):
        pass


def test_a_stream_that_starts_during_a_listing_is_not_missed_until_the_next_event() -> None:
    fake = SimpleNamespace(Pulse=_RacyPulse, PulseLoopStop=_RacyPulse.LoopStop)
    w = PulseMicWatch(pulsectl_module=fake, identify=lambda pid: ("recorder", "/usr/bin/recorder"),
                      hostname="h", own_pid=1)
    w.start(lambda: None)
    try:
        assert wait_for(lambda: [u.pid for u in w.users()] == [4242], 2), w.users()
    finally:
        w.stop()
