"""CaptureClock: when each delivered block was captured, for steady and bursty devices.

The devices are simulated from what the PulseAudio virtual source did (tests/bench, a beep
played at a known instant): steady 8.7 ms blocks with ADC times within 10 ms of the truth;
under PULSE_LATENCY_MSEC=1500, 1.5 s of audio at once every 1.5 s, delivered 0.28 s after
its last frame was captured, with ADC times 0.54 s ahead of the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from trayassist.core.capture import CaptureClock

RATE = 16000.0
OFFSET = 1000.0  # the stream clock (PortAudio's) is not the monotonic one


@dataclass
class Delivery:
    frames: int
    captured_until: float  # truth, monotonic
    arrived: float  # monotonic
    adc_error: float = 0.0  # how far ahead of the truth the device dates the block


def steady(start: float, seconds: float, block: int = 139) -> list[Delivery]:
    out, n = [], 0
    while n < seconds * RATE:
        n += block
        t = start + n / RATE
        out.append(Delivery(block, t, t + 0.005))
    return out


def bursty(start: float, seconds: float, burst_s: float = 1.5, late_s: float = 0.28,
           adc_error: float = 0.54, block: int = 139) -> list[Delivery]:
    out, n = [], 0
    while n < seconds * RATE:
        ends = n + int(burst_s * RATE)
        arrived = start + ends / RATE + late_s
        while n < ends:
            k = min(block, ends - n)
            n += k
            out.append(Delivery(k, start + n / RATE, arrived, adc_error))
    return out


def feed(clock: CaptureClock, deliveries: list[Delivery], adc: bool = True) -> list[float]:
    told = []
    for d in deliveries:
        first = d.captured_until - d.frames / RATE
        now = d.arrived + OFFSET  # PortAudio's "now" at the callback
        a = min(first + d.adc_error + OFFSET, now) if adc else 0.0  # now minus a delay: never later
        told.append(clock.block(d.frames, a, now, d.arrived))
    return told


def make(opened_at: float | None = 10.0) -> CaptureClock:
    mono = [0.0]
    return CaptureClock(RATE, now=lambda: mono[0] + OFFSET, arrival=lambda: mono[0], opened_at=opened_at)


def test_steady_device_is_dated_by_its_adc_time() -> None:
    clock = make()
    deliveries = steady(start=10.5, seconds=3)  # started capturing 0.5 s after the open
    told = feed(clock, deliveries)
    assert not clock.bursty
    assert clock.longest_burst_s < 0.05  # each block on its own, not the whole recording
    assert told[-1] - OFFSET == pytest.approx(deliveries[-1].captured_until, abs=1e-6)


@pytest.mark.parametrize("start", [10.0, 10.4, 11.25])
@pytest.mark.parametrize("adc", [True, False])
def test_bursty_device_is_never_dated_after_the_truth(start: float, adc: bool) -> None:
    clock = make(opened_at=10.0)
    deliveries = bursty(start=start, seconds=8)
    told = feed(clock, deliveries, adc=adc)
    assert clock.bursty and clock.longest_burst_s == pytest.approx(1.5, abs=0.01)
    # the very first block cannot be told from a steady device's: from the second on
    for d, t in zip(deliveries[1:], told[1:], strict=True):
        assert t - OFFSET <= d.captured_until + 1e-9
    # ... and it lags only by how long the device took to start capturing
    assert deliveries[-1].captured_until - (told[-1] - OFFSET) == pytest.approx(start - 10.0, abs=1e-6)


def test_the_release_instant_counts_as_arrived_only_once_its_audio_has() -> None:
    """The tail's question: has audio captured at the release instant arrived?"""
    clock = make(opened_at=10.0)
    deliveries = bursty(start=10.3, seconds=9)
    release = 14.0  # monotonic: the key went up
    told = feed(clock, deliveries)
    first_yes = next(i for i, t in enumerate(told) if t - OFFSET >= release)
    assert deliveries[first_yes].captured_until >= release
    # trusting the device's own times would have said yes a burst earlier
    trusting = feed(make(opened_at=None), deliveries)
    early = next(i for i, t in enumerate(trusting) if t - OFFSET >= release)
    assert deliveries[early].captured_until < release - 0.2


def test_without_an_open_time_the_device_times_are_kept() -> None:
    clock = make(opened_at=None)
    deliveries = bursty(start=10.0, seconds=3)
    told = feed(clock, deliveries)
    assert all(t - OFFSET > d.captured_until + 0.2 for d, t in zip(deliveries, told, strict=True))
