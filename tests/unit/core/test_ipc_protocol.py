import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayassist.core.ipc_protocol import (
    MAX_MESSAGE_BYTES,
    ProtocolError,
    encode_reply,
    encode_request,
    parse_reply,
    parse_request,
)

pytestmark = pytest.mark.unit


def test_request_round_trip() -> None:
    req = parse_request(encode_request("ptt.release", wait=True).rstrip(b"\n"))
    assert req.cmd == "ptt.release" and req.args == {"wait": True}


@pytest.mark.parametrize("line, fragment", [
    (b"not json", "not JSON"),
    (b"[1,2]", "not an object"),
    (b'{"cmd": "rm -rf"}', "unknown command"),
    (b'{"cmd": "status", "args": [1]}', "args"),
    (b"\xff\xfe", "not JSON"),
    (b"[" * 100000 + b"]" * 100000, "too large"),
])
def test_bad_requests_are_refused_with_one_line(line: bytes, fragment: str) -> None:
    with pytest.raises(ProtocolError, match=fragment):
        parse_request(line)


def test_oversized_is_refused() -> None:
    with pytest.raises(ProtocolError, match="too large"):
        parse_request(b'{"cmd":"ask","args":{"text":"' + b"a" * MAX_MESSAGE_BYTES + b'"}}')


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
def test_parser_never_raises_anything_but_protocol_error(data: bytes) -> None:
    try:
        parse_request(data)
    except ProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                    max_leaves=20))
def test_parser_on_any_json(value: object) -> None:
    try:
        req = parse_request(json.dumps(value).encode())
    except ProtocolError:
        return
    assert isinstance(req.args, dict)


def test_reply_is_one_line() -> None:
    raw = encode_reply(False, error="first line\nsecond line")
    assert raw.count(b"\n") == 1
    assert parse_reply(raw) == {"ok": False, "error": "first line"}
