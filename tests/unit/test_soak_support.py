"""The soak test's leak measure: catches steady growth, ignores a one-time step."""

import pytest

from tests.support.soak import slope, typical_growth

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
