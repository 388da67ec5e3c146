"""Resource samples of a running process and the least-squares slope through them."""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Sample:
    cycle: int
    rss: int  # bytes
    fds: int
    threads: int


def sample(pid: int, cycle: int) -> Sample:
    p = psutil.Process(pid)
    return Sample(cycle, p.memory_info().rss, p.num_fds(), p.num_threads())


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 when there is nothing to fit)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
