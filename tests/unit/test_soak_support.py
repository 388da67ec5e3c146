"""The soak test's leak measure: catches steady growth, ignores a one-time step."""

import pytest

from tests.support.soak import slope, steady_growth, typical_growth

pytestmark = pytest.mark.unit

CYCLES = [35.0, 40.0, 45.0, 50.0, 55.0, 60.0]


def test_a_one_time_step_is_not_a_leak() -> None:
    # CI's 60-cycle run (MiB): one +55 MB step, flat before and after.
    rss = [m * 2**20 for m in (384, 439, 444, 445, 445, 445)]
    assert slope(CYCLES, rss) > 2**20  # least squares calls it a leak
    assert typical_growth(CYCLES, rss) < 0.25 * 2**20  # what is left is settling (+5, +1 MB), under 1 MB


@pytest.mark.parametrize("step_at", [1, 3, 5])
def test_steady_growth_is_caught_wherever_a_step_falls(step_at: int) -> None:
    leak = 200 * 1024  # bytes per cycle
    rss = [400 * 2**20 + leak * (c - 35) + (55 * 2**20 if i >= step_at else 0) for i, c in enumerate(CYCLES)]
    assert typical_growth(CYCLES, rss) == pytest.approx(leak)


def test_nothing_to_fit() -> None:
    assert typical_growth([], []) == 0.0 and typical_growth([5.0], [1.0]) == 0.0


def test_swings_while_settling_are_not_a_leak() -> None:
    # CI's 60-cycle run at 53b63ee (MiB): a +11 MB swing in the last interval.
    rss = [m * 2**20 for m in (342, 345, 334, 341, 348, 359)]
    assert typical_growth(CYCLES, rss) > 2**20  # the median of five intervals calls it a leak
    assert steady_growth(CYCLES, rss) < 0.7 * 2**20


@pytest.mark.parametrize("step_at", [None, 1, 3, 5])
def test_steady_growth_catches_a_leak_through_swings_and_steps(step_at: int | None) -> None:
    leak = 1.5 * 2**20  # bytes per cycle: what the short run must catch
    swing = [0, 6, -5, 4, -6, 5]  # MiB, as large as CI's
    rss = [400 * 2**20 + leak * (c - 35) + swing[i] * 2**20 + (55 * 2**20 if step_at is not None and i >= step_at
                                                                 else 0) for i, c in enumerate(CYCLES)]
    assert steady_growth(CYCLES, rss) > 2**20
