"""The strace reader behind the no-network promises must itself be able to fail."""

import pytest

from tests.support.strace import non_loopback_connects

pytestmark = pytest.mark.unit

SAFE = [
    '123 connect(3, {sa_family=AF_UNIX, sun_path="/run/user/0/pulse/native"}, 110) = 0',
    '123 connect(3, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X95"}, 21 <unfinished ...>',
    "124 <... connect resumed>) = 0",
    '125 connect(7, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    '126 connect(7, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), '
    'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
    "127 connect(9, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0",
    "128 connect(9, {sa_family=AF_UNSPEC, sa_data=\"\"}, 16) = 0",
    "129 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5",
]
UNSAFE = [
    '130 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("52.1.2.3")}, 16) = -1',
    '131 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, 16 <unfinished ...>',
    '132 connect(5, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, "2001:db8::1", '
    "&sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH",
    "133 connect(5, NULL, 0) = -1 EFAULT",
]


def test_only_off_machine_or_unreadable_connects_are_reported() -> None:
    assert non_loopback_connects(SAFE) == []
    assert non_loopback_connects(SAFE + UNSAFE) == UNSAFE
