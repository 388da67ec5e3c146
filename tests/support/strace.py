"""Reading `strace -f -e trace=connect` output: which connects left this machine.

With -f, a connect interrupted by another thread's syscall is split into
`connect(3, {sa_family=AF_UNIX, ...}, 21 <unfinished ...>` and a later
`<... connect resumed>) = 0`: the address is on the first line, so each line is
judged by the address it names, whatever its ending."""

from __future__ import annotations

import re
from collections.abc import Iterable

FAMILY = re.compile(r"\bconnect\(\d+, \{sa_family=(?P<fam>AF_\w+)(?P<rest>[^}]*)\}")
LOOPBACK = re.compile(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|inet_pton\(AF_INET6, "::ffff:127\.')
LOCAL_FAMILIES = {"AF_UNIX", "AF_NETLINK", "AF_UNSPEC"}


def non_loopback_connects(lines: Iterable[str]) -> list[str]:
    """The connect lines that name an address off this machine, or that cannot be read
    (a connect line with no address is reported, not assumed safe)."""
    bad = []
    for line in lines:
        if "connect(" not in line:
            continue
        m = FAMILY.search(line)
        if m is None:
            if "resumed>" in line:  # the rest of a line judged when it began
                continue
            bad.append(line)
            continue
        fam = m.group("fam")
        if fam in LOCAL_FAMILIES:
            continue
        if fam in ("AF_INET", "AF_INET6") and LOOPBACK.search(m.group("rest")):
            continue
        bad.append(line)
    return bad
