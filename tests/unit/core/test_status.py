"""The status is one frozen value; its JSON keys are a public contract (scripts read them)."""

import json

import pytest

from trayassist.core.status import (
    LastUtterance,
    ModelStatus,
    NetworkStatus,
    Problem,
    ProblemKind,
    State,
    Status,
)

pytestmark = pytest.mark.unit

PUBLIC_KEYS = {"state", "mic", "network", "model", "last", "indicators_paused", "error", "problems"}
NETWORK_KEYS = {"up_bps", "down_bps", "talkers", "self_connections", "self_blocked", "alert", "alerts",
                "per_process_rates"}


def full() -> Status:
    snapshot = {"up_bps": 12.5, "down_bps": 3.0, "talkers": [{"pid": 7, "name": "curl", "remote_connections": 1}],
                "self_connections": 0, "self_blocked": 1, "per_process_rates": True,
                "alert": {"pid": 7, "name": "curl", "message": "curl is recording and uploading"},
                "alerts": [{"pid": 7, "name": "curl"}]}
    return Status(State.ERROR, mic_self=False, mic_others=({"pid": 7, "name": "parec", "exe": "/usr/bin/parec"},),
                  network=NetworkStatus.from_snapshot(snapshot), model=ModelStatus("tiny.en", True, "/m", "loaded"),
                  last=LastUtterance(3, "hello"), indicators_paused=False,
                  problems=(Problem(ProblemKind.MICROPHONE, "No microphone found", "plug one in"),
                            Problem(ProblemKind.HISTORY, "history is not being saved")))


def test_the_public_json_keys_are_pinned() -> None:
    raw = full().to_json()
    assert set(raw) == PUBLIC_KEYS
    assert set(raw["mic"]) == {"self", "receiving", "others"}
    assert set(raw["network"]) == NETWORK_KEYS
    assert set(raw["model"]) == {"name", "loaded", "path", "state"}
    assert set(raw["last"]) == {"id", "text"}
    assert raw["network"]["alert"] == {"pid": 7, "name": "curl", "message": "curl is recording and uploading"}
    assert raw["state"] == "error" and raw["error"] == "No microphone found"
    json.dumps(raw)  # plain JSON, no enums or tuples left


def test_json_reads_back_to_the_same_status() -> None:
    status = full()
    assert Status.from_json(json.loads(json.dumps(status.to_json()))) == Status.from_json(status.to_json())
    back = Status.from_json(status.to_json())
    assert back.state is State.ERROR and back.problem == status.problem and back.last == status.last
    assert back.network.alert is not None and back.network.alert.name == "curl"


def test_only_a_blocking_problem_is_the_error() -> None:
    quiet = Status(State.IDLE, problems=(Problem(ProblemKind.HISTORY, "history is not being saved"),))
    assert quiet.problem is None and quiet.to_json()["error"] is None
    assert quiet.to_json()["problems"][0]["kind"] == "history"


def test_reading_a_status_from_a_newer_app_never_fails() -> None:
    odd = Status.from_json({"state": "dreaming", "problems": [{"kind": "teleport", "message": "x"}], "mic": {}})
    assert odd.state is State.ERROR and odd.problem is None and odd.problems[0].message == "x"
