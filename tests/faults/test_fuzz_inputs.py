"""Hypothesis against the parsers that read what the app did not write itself: history
record blobs and payloads, IPC requests (beyond tests/unit/core/test_ipc_protocol.py:
near-valid requests and whole byte streams), the settings file, and the assistant's number,
duration and clock parsers. Bounded so the whole file runs in well under a minute."""

from __future__ import annotations

import json
import os
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trayassist.core.assistant.numbers import parse_number
from trayassist.core.assistant.timeparse import describe_duration, next_occurrence, parse_clock, parse_duration
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.history.crypto import KEY_BYTES, RecordCipher
from trayassist.core.history.errors import RecordTampered
from trayassist.core.history.records import Record, decode_meta, encode_payload, split_payload
from trayassist.core.ipc_protocol import COMMANDS, MAX_MESSAGE_BYTES, ProtocolError, Request, parse_reply, parse_request

pytestmark = [pytest.mark.faults, pytest.mark.unit]

KEY = bytes(range(KEY_BYTES))
CIPHER = RecordCipher(KEY, "k1")
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- history record decoder ----------------------------------------------------------------
@FAST
@given(st.binary(max_size=200), st.sampled_from(["utterance", "notes", "privacy_event"]),
       st.integers(min_value=-2**40, max_value=2**40), st.integers(min_value=0, max_value=2**45))
def test_open_arbitrary_blob_only_raises_record_tampered(blob: bytes, kind: str, rid: int, ts: int) -> None:
    with pytest.raises(RecordTampered) as info:
        CIPHER.open(kind, rid, ts, blob)
    assert "\n" not in str(info.value)


@FAST
@given(st.text(max_size=200), st.integers(min_value=0, max_value=300), st.data())
def test_every_single_byte_change_of_a_sealed_record_is_caught(text: str, where: int, data: st.DataObject) -> None:
    blob = CIPHER.seal("utterance", 7, 1_700_000_000_000, text.encode())
    i = where % len(blob)
    flip = data.draw(st.integers(min_value=1, max_value=255))
    bad = blob[:i] + bytes([blob[i] ^ flip]) + blob[i + 1:]
    with pytest.raises(RecordTampered):
        CIPHER.open("utterance", 7, 1_700_000_000_000, bad)
    cut = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    with pytest.raises(RecordTampered):
        CIPHER.open("utterance", 7, 1_700_000_000_000, blob[:cut])
    assert CIPHER.open("utterance", 7, 1_700_000_000_000, blob) == text.encode()


@FAST
@given(st.binary(max_size=300))
def test_payload_decoder_on_authentic_garbage(raw: bytes) -> None:
    """A blob that authenticates but holds nonsense (a bug or an older writer): the decoder
    raises ValueError or yields a Record whose fields fail loudly as RecordTampered."""
    try:
        text, meta = split_payload(raw)
    except ValueError:
        return
    record = Record(1, 0, 0, text, meta)
    try:
        model, action = record.model, record.action
    except RecordTampered:
        return
    assert isinstance(model, str) and (action is None or isinstance(action, dict))
    record.to_dict()
    assert isinstance(record.reply, str)


@FAST
@given(st.text(max_size=100), st.text(max_size=20),
       st.none() | st.dictionaries(st.text(max_size=8), st.text(max_size=20) | st.integers(), max_size=4))
def test_payload_round_trip(text: str, model: str, action: dict | None) -> None:
    got_text, meta = split_payload(encode_payload(text, model, action))
    assert got_text == text.replace("\x00", "")
    assert decode_meta(meta) == (model, action)


# ---- IPC requests ------------------------------------------------------------------------
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
                       lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
                       max_leaves=15)


@FAST
@given(st.sampled_from(sorted(COMMANDS)) | st.text(max_size=12), JSONISH, st.dictionaries(st.text(max_size=8), JSONISH,
                                                                                          max_size=3))
def test_near_valid_requests(cmd: str, args: object, extra: dict) -> None:
    body = {"cmd": cmd, "args": args} | {k: v for k, v in extra.items() if k not in ("cmd", "args")}
    line = json.dumps(body).encode()
    try:
        req = parse_request(line)
    except ProtocolError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(req, Request) and req.cmd in COMMANDS and isinstance(req.args, dict)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=4), st.sampled_from([b"[", b"{\"a\":", b"\xff", b"\\u", b"\xed\xa0\x80"]))
def test_deep_nesting_and_bad_encodings(depth_k: int, unit: bytes) -> None:
    line = unit * (depth_k * 5000)
    with pytest.raises(ProtocolError):
        parse_request(line[:MAX_MESSAGE_BYTES])
    with pytest.raises(ProtocolError):
        parse_request(line + b"x" * MAX_MESSAGE_BYTES)


@FAST
@given(st.binary(max_size=500))
def test_reply_parser_never_raises_anything_but_protocol_error(data: bytes) -> None:
    try:
        obj = parse_reply(data)
    except ProtocolError:
        return
    assert isinstance(obj, dict) and "ok" in obj


# ---- settings loader ---------------------------------------------------------------------
SETTINGS_BYTES = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(
        st.sampled_from([f.name for f in Settings.__dataclass_fields__.values()] + ["x", "version"]), JSONISH,
        max_size=8)),
    st.builds(lambda s: s.encode("utf-8", "surrogatepass"), st.text(alphabet=string.printable + "{}[]\":,",
                                                                       max_size=200)),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SETTINGS_BYTES)
def test_settings_load_never_raises_and_keeps_a_damaged_file(tmp_path: Path, data: bytes) -> None:
    d = tmp_path / f"s{os.urandom(6).hex()}"
    d.mkdir()
    path = d / "settings.json"
    path.write_bytes(data)
    store = SettingsStore(path)
    loaded = store.load()
    assert isinstance(loaded, Settings)
    assert all("\n" not in p for p in store.problems)
    kept = [p for p in d.iterdir() if p.name.startswith("settings.json.damaged-")]
    try:
        ok = isinstance(json.loads(data.decode("utf-8")), dict)
    except ValueError:
        ok = False
    if ok:
        assert kept == [] and path.read_bytes() == data  # read, never rewritten by loading
    else:
        assert len(kept) == 1 and kept[0].read_bytes() == data  # kept aside, byte for byte
    store.save(loaded)  # and a save afterwards works
    assert SettingsStore(path).load() == loaded or store.newer_version


# ---- assistant's number and time parsers -------------------------------------------------
SPOKEN = st.lists(st.sampled_from(["1", "2", "30", "0.5", "1.5", "12", "99", "100000", "a", "an", "and", "for",
                                   "to", "hour", "hours", "minute", "minutes", "second", "seconds", "day", "days",
                                   "past", "till", "pm", "am", "oclock", "in", "the", "morning", "tonight", ":",
                                   "noon", "midnight", "half", "at", "1e309", "-5", "nan", "inf"]), max_size=10)


@FAST
@given(SPOKEN | st.builds(lambda t: t.split(), st.text(max_size=60)))
def test_duration_parser(tokens: list[str]) -> None:
    text = " ".join(tokens)
    value = parse_duration(text)
    if value is not None:
        assert value > 0 and value == value  # positive, not NaN
        assert isinstance(describe_duration(min(value, 10**9)), str)


@FAST
@given(SPOKEN | st.builds(lambda t: t.split(), st.text(max_size=60)),
       st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_clock_parser_and_next_occurrence(tokens: list[str], now: datetime) -> None:
    parsed = parse_clock(" ".join(tokens))
    if parsed is None:
        return
    hour, minute, ap = parsed
    assert 0 <= hour <= 23 and 0 <= minute <= 59 and ap in (None, "am", "pm")
    now = now.replace(tzinfo=UTC)
    when = next_occurrence(now, hour, minute, ap)
    assert now < when <= now + timedelta(days=1)
    assert when.minute == minute


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_number_parser_on_unicode(text: str) -> None:
    value = parse_number(text)
    assert value is None or isinstance(value, int | float)
