"""Who a capture stream really belongs to. A PulseAudio client names its own pid
(`application.process.id`), so a recorder can claim to be TrayAssist or an app the user
trusts. PipeWire's `pipewire.sec.pid` comes from the socket (the kernel's word); on
PulseAudio each claimed pid is checked against the processes really connected to the
server's socket (sock_diag), and a claim nobody's connections back is marked as such."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from trayassist.core.privacy.sockdiag import SockDiag, server_clients, socket_owners
from trayassist.core.privacy.types import OWN_NAME, MicUser

Identify = Callable[[int], tuple[str | None, str | None]]
# One capture stream: its properties (the client's under the stream's), its source, whether
# it is paused, and the sound server's client (connection) index.
Stream = tuple[dict[str, str], str, bool, int | None]


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def claimed_pid(props: Mapping[str, str], hostname: str) -> int | None:
    """The pid a client says it has; none for clients on another host."""
    host = props.get("application.process.host")
    return None if host and host != hostname else _int(props.get("application.process.id"))


def stream_pid(props: Mapping[str, str], hostname: str) -> int | None:
    """The capturing pid: PipeWire's socket-credential pid when present (the kernel's word),
    else libpulse's self-reported one, and none for clients on another host."""
    return _int(props.get("pipewire.sec.pid")) or claimed_pid(props, hostname)


@dataclass(frozen=True)
class Connections:
    """How many connections each pid holds to the sound server's socket (kernel's word),
    against how many clients claim each pid: the difference exposes false claims."""

    per_pid: Mapping[int, int]
    claims: Mapping[int, int]

    def backs(self, pid: int) -> bool:
        """Whether `pid` really holds as many connections as clients claim to be it."""
        return self.claims.get(pid, 0) <= self.per_pid.get(pid, 0)

    def unaccounted(self) -> list[int]:
        """Pids with more connections than clients admit to being them: where claims
        to be someone else come from."""
        return sorted(p for p, n in self.per_pid.items() if n > self.claims.get(p, 0))


def count_claims(clients: Mapping[int, Mapping[str, str]], hostname: str) -> dict[int, int]:
    """Clients per self-reported pid, for clients the server did not identify itself."""
    out: Counter[int] = Counter()
    for props in clients.values():
        pid = claimed_pid(props, hostname)
        if pid is not None and "pipewire.sec.pid" not in props:
            out[pid] += 1
    return dict(out)


class ServerPeers:
    """Pids connected to a unix socket server, from sock_diag and /proc/<pid>/fd; the
    inode -> pid walk is redone only for connections not seen before."""

    def __init__(self, diag_factory: Callable[[], SockDiag] = SockDiag) -> None:
        self._factory = diag_factory
        self._owners: dict[int, int] = {}

    def per_pid(self, path: str) -> dict[int, int]:
        with self._factory() as diag:
            clients = server_clients(diag.unix_sockets(), path)
        unknown = clients - self._owners.keys()
        if unknown:
            self._owners.update(socket_owners(unknown))
        self._owners = {i: p for i, p in self._owners.items() if i in clients}
        return dict(Counter(self._owners.values()))


def label_for(pid: int, own_pid: int, identify: Identify) -> str:
    if pid == own_pid:
        return OWN_NAME
    name, _exe = identify(pid)
    return f"{name or 'a process that is gone'} (pid {pid})"


def merge_streams(streams: list[Stream], identify: Identify, hostname: str, own_pid: int = -1,
                  connections: Connections | None = None) -> list[MicUser]:
    """One MicUser per process (a program may open several capture streams). A stream
    whose claimed pid the server contradicts (PipeWire) or no connection backs (PulseAudio,
    when `connections` is known) is shown under its real process when that is known, else
    as an unknown program, with `claims` naming what it pretended to be. Claims to be our
    own pid are left for MicStreams, which knows how many streams are really ours."""
    suspects = connections.unaccounted() if connections is not None else []
    suspect = suspects[0] if len(suspects) == 1 else None
    by_key: dict[object, MicUser] = {}
    for props, device, corked, _client in streams:
        reported = props.get("application.name") or props.get("application.process.binary")
        secure = _int(props.get("pipewire.sec.pid"))
        claim = claimed_pid(props, hostname)
        claims: int | None = None
        if secure is not None:
            pid: int | None = secure
            verified = True
            if claim is not None and claim != secure:
                claims = claim
        else:
            pid = claim
            verified = connections is not None and claim is not None and connections.backs(claim)
            if claim is not None and connections is not None and not verified and claim != own_pid:
                claims, pid = claim, suspect
        os_name, exe = identify(pid) if pid is not None else (None, None)
        name = reported or os_name or "unknown"
        if claims is not None:
            key: object = ("claims", claims, pid)
            user = MicUser(pid, name, exe, device, 1, corked, claims=label_for(claims, own_pid, identify),
                           claims_exe=identify(claims)[1], verified=pid is not None)
        else:
            key = pid if pid is not None else (name, device)
            hint = suspect if pid == own_pid and connections is not None and not verified else None
            user = MicUser(pid, name, exe, device, 1, corked, verified=verified,
                           suspect_pid=hint, suspect_exe=identify(hint)[1] if hint is not None else None)
        prev = by_key.get(key)
        by_key[key] = user if prev is None else MicUser(
            prev.pid, prev.name, prev.exe, prev.device, prev.streams + 1, prev.corked and corked,
            prev.claims, prev.claims_exe, prev.verified, prev.suspect_pid, prev.suspect_exe)
    return sorted(by_key.values(), key=lambda u: (u.pid is None, u.pid or 0, u.name))
