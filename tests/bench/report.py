"""Figures, their budgets and how they are printed: a console table, Markdown and JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Budget:
    """`stat` of the figure must be <= `limit` (every budget in DESIGN.md is an upper bound)."""

    limit: float
    stat: str = "p50"
    text: str = ""


@dataclass
class Figure:
    area: str
    name: str
    unit: str  # "s", "ms", "%", "MB", "x"
    values: list[float]
    budget: Budget | None = None
    note: str = ""
    load: float = field(default_factory=lambda: os.getloadavg()[0])

    @property
    def stats(self) -> dict[str, float]:
        return summarise(self.values)

    @property
    def ok(self) -> bool | None:
        if self.budget is None or not self.values:
            return None
        return self.stats[self.budget.stat] <= self.budget.limit

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["stats"], d["ok"] = self.stats, self.ok
        return d


def summarise(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    s = sorted(values)
    return {"n": len(s), "p50": statistics.median(s), "p95": _percentile(s, 0.95),
            "min": s[0], "max": s[-1], "mean": statistics.fmean(s)}


def _percentile(s: Sequence[float], q: float) -> float:
    # Linear interpolation between closest ranks (numpy's default), on sorted data.
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "%":
        return f"{value:.2f} %"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.2f}×"
    if unit == "cores":
        return f"{value:.2f} cores"
    if unit == "":
        return f"{value:+.3f}" if abs(value) < 1 else f"{value:g}"
    return f"{value:g} {unit}"


def mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: ""}[ok]


def budget_text(f: Figure) -> str:
    if f.budget is None:
        return ""
    return f.budget.text or f"{f.budget.stat} ≤ {fmt(f.budget.limit, f.unit)}"


def _row(f: Figure) -> list[str]:
    st = f.stats
    return [f.area, f.name, fmt(st.get("p50"), f.unit), fmt(st.get("p95"), f.unit),
            fmt(st.get("min"), f.unit), fmt(st.get("max"), f.unit), str(st.get("n", 0)),
            budget_text(f), mark(f.ok), f"{f.load:.1f}"]


HEADER = ["area", "figure", "p50", "p95", "min", "max", "n", "budget", "", "load"]


def table(figures: Sequence[Figure]) -> str:
    rows = [HEADER] + [_row(f) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  [{f.area} / {f.name}] {f.note}" for f in figures if f.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def markdown(figures: Sequence[Figure]) -> str:
    """The README's table: median (p95) and the budget, with ✓ / ✗."""
    out = ["| What | Median | p95 | Budget | |", "|---|---|---|---|---|"]
    for f in figures:
        st = f.stats
        out.append(f"| {f.area}: {f.name} | {fmt(st.get('p50'), f.unit)} | {fmt(st.get('p95'), f.unit)} "
                   f"| {budget_text(f) or '—'} | {mark(f.ok)} |")
    return "\n".join(out)


def machine() -> dict[str, Any]:
    return {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(),
            "machine": platform.machine(), "python": platform.python_version(),
            "loadavg_start": os.getloadavg()}


def write_json(path: Path, figures: Sequence[Figure], meta: dict[str, Any],
               extra: dict[str, Any]) -> None:
    meta = meta | {"loadavg_end": os.getloadavg()}
    data = {"meta": meta, "figures": [f.to_dict() for f in figures], "details": extra}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
