"""Lanes run jobs in order and report to done-callbacks; a gate runs or times out each waiter once."""

import threading

import pytest

from trayassist.core.lanes import Gate, Lane

pytestmark = pytest.mark.unit


def test_a_lane_keeps_order_and_reports_results_and_errors() -> None:
    lane = Lane("test")
    seen: list[object] = []
    finished = threading.Event()

    def boom() -> None:
        raise ValueError("no")

    for i in range(20):
        lane.submit(lambda i=i: i, lambda r, e: seen.append(r))
    lane.submit(boom, lambda r, e: seen.append(type(e).__name__))
    lane.submit(lambda: None, lambda r, e: finished.set())
    assert finished.wait(5)
    assert seen == [*range(20), "ValueError"]
    lane.shutdown()


def test_a_gate_holds_work_until_open_and_runs_it_once() -> None:
    gate = Gate()
    ran, timed_out = [], []
    gate.when_open(lambda: ran.append(1), 30, lambda: timed_out.append(1))
    assert ran == [] and not gate.is_open
    gate.open()
    gate.open()
    assert ran == [1] and timed_out == []
    gate.when_open(lambda: ran.append(2), 30, lambda: timed_out.append(2))
    assert ran == [1, 2]  # open: runs at once


def test_a_waiter_that_times_out_never_runs_later() -> None:
    gate = Gate()
    ran: list[int] = []
    expired = threading.Event()
    gate.when_open(lambda: ran.append(1), 0.05, expired.set)
    assert expired.wait(5)
    gate.open()
    assert ran == []
