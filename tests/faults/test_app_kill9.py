"""kill -9 of the running APP at random points while it records, transcribes and writes
its encrypted history (real keyring, so the database is on disk); after each restart the
database opens and every record the app reported as saved is there."""

from __future__ import annotations

import json
import random
import subprocess
import threading
from pathlib import Path

import pytest

from tests.faults.conftest import StartApp
from tests.support import pulse
from tests.support.app import cli
from tests.support.keyring import SecretService

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.audio, pytest.mark.model]

ROUNDS = 4


def history(basedir: Path, env: dict[str, str]) -> dict[int, str]:
    r = cli(basedir, "history", "list", "--json", "--limit", "1000", env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return {x["id"]: x["text"] for x in json.loads(r.stdout)}


def test_kill9_during_push_to_talk_and_history_writes(
        start_app: StartApp, basedir: Path, secret_service: SecretService, speech_dir: Path,
        virtual_mic: str) -> None:
    rng = random.Random(20260)
    speech = pulse.speak("remember the blue kettle", speech_dir / "kill9.wav")
    committed: dict[int, str] = {}
    notes: list[str] = []
    for round_ in range(ROUNDS):
        app = start_app(basedir, env=secret_service.env)
        # Work the app: utterances and notes, each confirmed before we count it as committed.
        for i in range(2):
            result = app.say(speech.path)
            if result["id"] is not None:
                committed[result["id"]] = result["text"]
            note = f"round {round_} item {i} marker"
            r = app.cli("ask", f"note that {note}", "--json")
            assert r.returncode == 0 and json.loads(r.stdout)["performed"], r.stdout + r.stderr
            notes.append(note)
        # Then kill it at a random point of a press/play/release/ask in flight.
        assert app.proc is not None
        delay = rng.uniform(0.05, 2.5)
        killer = threading.Timer(delay, app.proc.kill)
        killer.start()
        inflight = [subprocess.Popen(["paplay", "-d", pulse.SINK, str(speech.path)])]
        for args in (["ptt", "press"], ["ptt", "release", "--wait"], ["ask", "note that in flight"]):
            try:
                app.cli(*args, timeout=30)
            except subprocess.TimeoutExpired:
                pass
        killer.join()
        app.proc.wait(timeout=10)
        assert app.proc.returncode == -9
        for p in inflight:
            p.wait(timeout=60)
        # Restart: the database opens and every confirmed record is intact.
        seen = history(basedir, secret_service.env)
        for rid, text in committed.items():
            assert seen.get(rid) == text, (round_, rid, delay)
    final = start_app(basedir, env=secret_service.env)
    r = final.cli("ask", "list my notes", "--json")
    assert r.returncode == 0, r.stderr
    reply = json.loads(r.stdout)["reply"]
    for note in notes:
        assert note in reply, (note, reply)
    assert len(committed) >= ROUNDS  # most utterances were saved, so the check had teeth
