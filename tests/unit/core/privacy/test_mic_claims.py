"""Streams that claim to be a process they are not: our own pid beyond the streams we
really have, a PipeWire stream whose socket says otherwise, a PulseAudio client whose
claimed pid has no connection to the server. Pure logic, plus sock_diag on real sockets."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from trayassist.core.privacy.mic_claims import Connections, ServerPeers, count_claims, merge_streams
from trayassist.core.privacy.monitor import PrivacyMonitor
from trayassist.core.privacy.types import OWN_NAME, MicStreams, MicUser

pytestmark = pytest.mark.unit

OWN = 1000
IDENT = {OWN: ("python3", "/usr/bin/python3.11"), 50: ("firefox", "/usr/lib/firefox/firefox"),
         80: ("pacat", "/usr/bin/pacat"), 2: ("kthreadd", None)}


def ident(pid: int) -> tuple[str | None, str | None]:
    return IDENT.get(pid, (None, None))


def stream(pid: int | None, name: str, client: int, sec: int | None = None) -> tuple[dict[str, str], str, bool, int]:
    props = {"application.name": name, "application.process.host": "h"}
    if pid is not None:
        props["application.process.id"] = str(pid)
    if sec is not None:
        props["pipewire.sec.pid"] = str(sec)
    return props, "vmic", False, client


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def own_user(streams: int = 1, suspect: int | None = None) -> MicUser:
    return MicUser(OWN, "TrayAssist", "/usr/bin/python3.11", "vmic", streams,
                   suspect_pid=suspect, suspect_exe=ident(suspect)[1] if suspect else None)


def test_a_stream_claiming_our_pid_while_we_record_nothing_is_foreign() -> None:
    count, clock = [0], Clock()
    ms = MicStreams(OWN, own_count=lambda: count[0], clock=clock)
    ms.replace([own_user(1, suspect=80)])
    assert ms.others() == [] and len(ms.own()) == 1  # a moment's grace: our own stream opening
    clock.t = 1.0
    [foreign] = ms.others()
    assert ms.own() == []
    assert (foreign.pid, foreign.exe, foreign.claims, foreign.streams) == (80, "/usr/bin/pacat", OWN_NAME, 1)
    assert foreign.label == "/usr/bin/pacat (claims to be TrayAssist)"
    # We record too: one of the two streams is ours, the other still foreign.
    count[0] = 1
    ms.replace([own_user(2)])
    assert [u.streams for u in ms.own()] == [1]
    [foreign] = ms.others()
    assert foreign.label == "unknown program (claims to be TrayAssist)" and foreign.pid is None
    # The foreign stream goes: ours alone is ours again, at once.
    ms.replace([own_user(1)])
    assert ms.others() == [] and [u.streams for u in ms.own()] == [1]


def test_without_a_count_every_claim_is_trusted_as_before() -> None:
    ms = MicStreams(OWN)
    ms.replace([own_user(2)])
    assert ms.others() == [] and ms.own()[0].streams == 2


def test_pipewire_socket_pid_wins_over_the_claim() -> None:
    users = merge_streams([stream(OWN, "TrayAssist", 7, sec=80)], ident, "h", OWN)
    [u] = users
    assert (u.pid, u.exe, u.claims, u.verified) == (80, "/usr/bin/pacat", OWN_NAME, True)
    assert u.label == "/usr/bin/pacat (claims to be TrayAssist)"


def test_pulse_claim_of_another_app_without_its_connection() -> None:
    """Firefox (pid 50, trusted by the user) holds one connection; a recorder opens a second
    client claiming pid 50. 80 holds a connection no client admits to: it is the recorder."""
    clients = {1: stream(50, "Firefox", 1)[0], 2: stream(50, "Firefox", 2)[0], 3: stream(OWN, "x", 3)[0]}
    conns = Connections({50: 1, 80: 1, OWN: 1}, count_claims(clients, "h"))
    users = merge_streams([stream(50, "Firefox", 2)], ident, "h", OWN, conns)
    [u] = users
    assert (u.pid, u.exe, u.claims, u.claims_exe) == (80, "/usr/bin/pacat", "firefox (pid 50)",
                                                      "/usr/lib/firefox/firefox")
    # A claim its connections back is the process it says it is.
    conns = Connections({50: 2, OWN: 1}, count_claims(clients, "h"))
    [u] = merge_streams([stream(50, "Firefox", 2)], ident, "h", OWN, conns)
    assert (u.pid, u.exe, u.claims, u.verified) == (50, "/usr/lib/firefox/firefox", None, True)


def test_pulse_claims_of_our_pid_carry_the_suspect_for_the_count_rule() -> None:
    clients = {3: stream(OWN, "TrayAssist", 3)[0], 4: stream(OWN, "TrayAssist", 4)[0]}
    conns = Connections({OWN: 1, 80: 1}, count_claims(clients, "h"))
    [u] = merge_streams([stream(OWN, "TrayAssist", 4)], ident, "h", OWN, conns)
    assert (u.pid, u.claims, u.suspect_pid, u.suspect_exe) == (OWN, None, 80, "/usr/bin/pacat")


class StubMic:
    name = "stub"

    def __init__(self, users: list[MicUser]) -> None:
        self._users = users

    def available(self) -> object:
        return None

    def start(self, on_change: object) -> None:
        pass

    def stop(self) -> None:
        pass

    def users(self) -> list[MicUser]:
        return self._users

    def own_streams(self) -> list[MicUser]:
        return []


class QuietNet:
    last_connections: list[object] = []

    def sample(self) -> object:
        from trayassist.core.privacy.net import NetSample

        return NetSample(0.0, 0.0)

    def close(self) -> None:
        pass

    def reset(self) -> None:
        pass


@pytest.mark.parametrize(("user", "alerts"), [
    (MicUser(None, "x", None, claims=OWN_NAME), True),
    (MicUser(80, "Firefox", "/usr/bin/pacat", claims="firefox (pid 50)",
             claims_exe="/usr/lib/firefox/firefox"), True),  # hides behind a trusted app
    (MicUser(None, "Firefox", None, claims="kthreadd (pid 2)"), False),  # e.g. a pid from a sandbox
])
def test_claims_to_be_us_or_a_trusted_app_alert(user: MicUser, alerts: bool) -> None:
    events: list[dict[str, object]] = []
    monitor = PrivacyMonitor(StubMic([user]), QuietNet(), None,  # type: ignore[arg-type]
                             acknowledged_apps=["/usr/lib/firefox/firefox"], on_event=events.append)
    snap = monitor.tick()
    assert bool(snap["network"]["alerts"]) is alerts
    assert snap["mic_others"][0]["label"] == user.label and snap["mic_others"][0]["claims"] == user.claims
    if alerts:
        assert snap["network"]["alert"]["message"] == f"{user.label} is using the microphone"
        assert snap["network"]["alerts"][0]["can_acknowledge"] is False
        assert any(e["kind"] == "alert" for e in events)


def test_server_peers_counts_connections_per_pid(tmp_path: Path) -> None:
    path = str(tmp_path / "native")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(4)
    mine = [socket.socket(socket.AF_UNIX) for _ in range(2)]
    for s in mine:
        s.connect(path)
    accepted = [srv.accept()[0] for _ in mine]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: one connection, held until told
        for s in [*mine, *accepted, srv]:  # inherited: the parent's, not the child's
            s.close()
        c = socket.socket(socket.AF_UNIX)
        c.connect(path)
        os.read(r, 1)
        os._exit(0)
    try:
        accepted.append(srv.accept()[0])
        assert ServerPeers().per_pid(path) == {os.getpid(): 2, pid: 1}
    finally:
        os.write(w, b"x")
        os.waitpid(pid, 0)
        for s in [*mine, *accepted, srv]:
            s.close()


def test_own_capture_streams_counts_an_open_stream_a_press_in_progress_and_a_moment_after() -> None:
    import threading

    from tests.support.fake_audio import FakeSoundDevice
    from trayassist.core.audio import Recorder
    from trayassist.core.privacy.own_streams import OwnCaptureStreams

    now = [100.0]
    recorder = Recorder(FakeSoundDevice(speed=0), clock=lambda: now[0])
    current: list[object] = [None]
    own = OwnCaptureStreams(lambda: current[0], linger_s=3.0)
    assert own() == 0  # no session yet
    current[0] = recorder
    assert own() == 0  # a recorder that never opened a stream
    inside, release = threading.Event(), threading.Event()

    def press() -> str:
        inside.set()
        release.wait(5)
        return "pressed"

    t = threading.Thread(target=own.counting(press))
    t.start()
    assert inside.wait(5) and own() == 1  # opening: the server may list the stream already
    release.set()
    t.join(5)
    assert own() == 0
    recorder.open(lambda block: None)
    assert own() == 1
    recorder.close(tail_s=0)
    assert not recorder.holds_stream
    # Closed, but the server lists it (paused) until it has handled the disconnect.
    assert own() == 1
    now[0] += 2.9
    assert own() == 1
    now[0] += 0.2
    assert own() == 0
