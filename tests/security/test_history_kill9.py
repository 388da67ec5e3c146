"""kill -9 while appending: the database opens afterwards with every committed record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.unit.core.history.support import passphrase_store

pytestmark = [pytest.mark.security, pytest.mark.faults]

WRITER = r"""
import sys
from pathlib import Path
from tests.unit.core.history.support import passphrase_store
store = passphrase_store(Path(sys.argv[1])).open()
i = 0
while True:
    rid = store.append(f"record {i} " + "x" * (i % 300), duration_s=1.0)
    store.put_item("timeline", str(i % 7), {"n": i})
    print(rid, i, flush=True)  # only after append() returned, i.e. after COMMIT
    i += 1
"""


@pytest.mark.parametrize("round_", range(3))
def test_sigkill_during_appends(tmp_path: Path, round_: int) -> None:
    data = tmp_path / "data"
    data.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data)], stdout=subprocess.PIPE,
                            text=True, cwd=Path(__file__).resolve().parents[2])
    committed: dict[int, int] = {}
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    want = 60 + 37 * round_  # kill at a different point each round
    while len(committed) < want and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        rid, i = map(int, line.split())
        committed[rid] = i
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) >= want, "writer did not get going"
    store = passphrase_store(data).open()
    for rid, i in committed.items():
        assert store.get(rid).text.startswith(f"record {i} ")
    assert store.count() >= len(committed)  # perhaps one more, committed but not yet printed
    assert len(store.search("record")) == store.count()  # every row authenticates
    assert {item["id"] for item in store.get_items("timeline")} <= {str(n) for n in range(7)}
    store.append("after the crash")
    store.close()
