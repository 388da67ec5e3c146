"""Out-of-fold decisions of the whole assistant (model, router, skills' parsers) on the training pool.

    python -m tools.intent_oof [--folds 5] [--show LABEL] [--misses N]

The model is fitted on k-1 folds and scores the k-th; each request then goes through the real router
and parsers with that out-of-fold proposal, once as if the model's threshold were met and once as if
not (the decision for any threshold follows from the two). The training tool chooses its thresholds
from these; this entry point prints figures and misses for development. The judged splits are never
read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.intent_data import NONE, Example, skill_of, training_pool
from trayassist.core.assistant.intent_model import Proposal
from trayassist.core.assistant.router import CLARIFY_FLOOR, Router

# Out-of-fold fits take minutes; their results are kept here, keyed by the data, the settings and
# the feature code, so changing a parser re-decides without refitting.
CACHE = Path(tempfile.gettempdir()) / "trayassist-intent-oof"


@dataclass(frozen=True)
class Decided:
    """One request's out-of-fold outcome: the model's best public label and its skill's probability,
    and the skill chosen (None: no action) with the model trusted (`above`) or not (`below`)."""

    example: Example
    label: str
    p: float
    above: str | None
    below: str | None
    intent_above: str | None
    clarify: bool  # the model's skill answered with a question back (its parser lacked something)


class _Fixed:
    """Stands in for IntentModel: answers with a proposal computed elsewhere."""

    def __init__(self, labels: list[str], thresholds: dict[str, float]) -> None:
        self.labels = tuple(labels)
        self.thresholds = thresholds
        self.proposal: Proposal | None = None

    def propose(self, _text: str) -> Proposal:
        assert self.proposal is not None
        return self.proposal


def proposal(row: np.ndarray, labels: list[str]) -> Proposal:
    ranked = tuple(sorted(((lb, float(p)) for lb, p in zip(labels, row, strict=True)), key=lambda kv: -kv[1]))
    return Proposal(label=ranked[0][0], probability=ranked[0][1], ranked=ranked)


def decide(pool: list[Example], prob: np.ndarray, labels: list[str]) -> list[Decided]:
    """Route every request twice with its out-of-fold proposal (see the module docstring)."""
    from tests.support.assistant_eval import evaluation_assistant

    assistant = evaluation_assistant()
    skills = assistant.router.skills
    ctx = assistant.context
    open_model = _Fixed(labels, {lb: 0.0 for lb in labels} | {"destructive": 0.0, "clarify": 0.0})
    shut_model = _Fixed(labels, {lb: 2.0 for lb in labels} | {"destructive": 0.0})
    above_router = Router(skills, open_model)  # type: ignore[arg-type]
    below_router = Router(skills, shut_model)  # type: ignore[arg-type]
    out = []
    for e, row in zip(pool, prob, strict=True):
        prop = proposal(row, labels)
        open_model.proposal = shut_model.proposal = prop
        a = above_router.route(e.text, ctx)
        b = below_router.route(e.text, ctx)
        p = prop.skill_probability(prop.skill) if prop.skill else prop.probability
        out.append(Decided(e, prop.label, p,
                           a.skill.name if a.skill and a.match else None,
                           b.skill.name if b.skill and b.match else None,
                           a.match.intent if a.match else None,
                           bool(a.reason == "model" and a.match and a.match.error)))
    return out


def chosen(d: Decided, thresholds: dict[str, float]) -> str | None:
    if d.label == NONE or d.p < thresholds.get(d.label, 1.0):
        return d.below
    if d.clarify and d.p < thresholds.get("clarify", CLARIFY_FLOOR):
        return d.below
    return d.above


def figures(decided: list[Decided], thresholds: dict[str, float]) -> dict[str, Any]:
    """Right skill on supported, wrong action on unsupported: overall and per source."""
    out: dict[str, Any] = {}
    for source in ("all", "clinc", "slurp", "own"):
        rows = [d for d in decided if source == "all" or d.example.source.startswith(source)]
        sup = [d for d in rows if d.example.label != NONE]
        uns = [d for d in rows if d.example.label == NONE]
        right = sum(chosen(d, thresholds) == skill_of(d.example.label) for d in sup)
        wrong = sum(chosen(d, thresholds) is not None for d in uns)
        out[source] = {"right": round(right / max(1, len(sup)), 4), "wrong": round(wrong / max(1, len(uns)), 4),
                       "supported": len(sup), "unsupported": len(uns), "wrong_n": wrong}
    return out


def _key(config: dict[str, Any], pool: list[Example]) -> str:
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for e in pool:
        h.update(f"{e.text}\t{e.label}\t{e.source}\n".encode())
    from trayassist.core.assistant import features
    h.update(Path(features.__file__).read_bytes())
    from trayassist.core.assistant import normalize, numbers
    h.update(Path(normalize.__file__).read_bytes())
    h.update(Path(numbers.__file__).read_bytes())
    return h.hexdigest()[:16]


def oof_probabilities(pool: list[Example], folds: int, **config: Any) -> tuple[np.ndarray, list[str], float]:
    """Calibrated out-of-fold probabilities over the public labels (cached in /tmp by data and
    settings, so parser work does not refit)."""
    from tools import train_intent_model as T

    key = _key({"folds": folds, **config}, pool)
    path = CACHE / f"{key}.npz"
    if path.exists():
        z = np.load(path, allow_pickle=False)
        return z["prob"], json.loads(str(z["labels"])), float(z["t"])
    prob, labels, t = T.oof(pool, folds=folds, **config)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, prob=prob, labels=json.dumps(labels), t=t)
    return prob, labels, t


def main(argv: list[str] | None = None) -> int:
    from tools import train_intent_model as T

    ap = argparse.ArgumentParser(prog="python -m tools.intent_oof", description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=T.FOLDS)
    ap.add_argument("--misses", type=int, default=0, help="print this many misses per kind")
    ap.add_argument("--set", action="append", default=[], help="training setting, e.g. slurp_weight=6")
    ap.add_argument("--source", default="", help="only misses from this source prefix")
    args = ap.parse_args(argv)
    pool = training_pool()
    config = T.default_config() | {k: float(v) if "." in v else int(v) for k, v in (a.split("=") for a in args.set)}
    print(config)
    prob, labels, t = oof_probabilities(pool, args.folds, **config)
    decided = decide(pool, prob, labels)
    y_public = np.array([labels.index(e.label) for e in pool])
    th = T.thresholds(prob, y_public, labels)
    print(f"temperature {t:.3f}; thresholds {th}")
    print("model-level thresholds:", json.dumps(figures(decided, th)))
    best = T.choose_thresholds(decided, labels)
    th |= best
    print("chosen:", best, json.dumps(figures(decided, th)))
    for g in np.round(np.arange(0.3, 0.96, 0.05), 2):
        flat = {lb: float(g) for lb in labels} | {k: v for k, v in th.items() if k.startswith(T.DESTRUCTIVE)}
        f = figures(decided, flat)
        print(f"  flat {g:.2f}: " + " ".join(f"{s}={f[s]['right']:.3f}/{f[s]['wrong']:.4f}" for s in f))
    if args.misses:
        misses: Counter[str] = Counter()
        for d in decided:
            if not d.example.source.startswith(args.source):
                continue
            want, got = skill_of(d.example.label), chosen(d, th)
            if want == got or (args.misses < 0):
                continue
            kind = f"{d.example.source} -> {got}"
            misses[kind] += 1
            if misses[kind] <= args.misses:
                print(f"  {kind:40} p={d.p:.2f} {d.label:14} above={d.above!s:10} {d.example.text!r}")
        print(misses.most_common(60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
