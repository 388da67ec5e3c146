"""Rebuilds the assistant's intent model from resources/intents/data (needs the `dev` extra).

    python -m tools.train_intent_model [--out resources/intents/model/intent-model.npz]

Logistic regression over the runtime's own n-gram features (trayassist.core.assistant.features),
temperature-calibrated on out-of-fold predictions of the training pool, and thresholded on what the
whole assistant (router and parsers included) decides with those predictions (tools/intent_oof.py);
the judged splits (CLINC150 val, the SLURP held-out fold) are never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from tools.intent_data import NONE, ROOT, Example, training_pool
from trayassist.core.assistant.features import text_features
from trayassist.core.assistant.intent_model import FORMAT
from trayassist.core.assistant.router import CLARIFY_FLOOR

OUT = ROOT / "resources" / "intents" / "model" / "intent-model.npz"
MIN_DF = 2
C = 16.0
FOLDS = 5
GROUPS = 24
NONE_WEIGHT = 0.5
SLURP_WEIGHT = 3.0
SEED = 13
# Destructive intents: the out-of-fold share of "none" requests we accept the model proposing them
# for, before their parsers filter further (NONE_RATE is the model-level rule ordinary labels had
# before thresholds were chosen on the whole assistant; still printed for comparison).
NONE_RATE = 0.005
NONE_RATE_DESTRUCTIVE = 0.001
# Thresholds trade right skills for fewer wrong actions: a wrong-action rate counts this many times a
# right-skill rate (a wrong action acts on dictation, or does the wrong thing; a miss types the words).
WRONG_COST = 10.0
PER_LABEL = True
FLOOR, FLOOR_DESTRUCTIVE = 0.5, 0.7  # never act on less, whatever the out-of-fold figures say
DESTRUCTIVE = ("notes.remove", "timers.remove", "history")


def vocabulary(feats: list[list[str]]) -> list[str]:
    df: Counter[str] = Counter()
    for f in feats:
        df.update(set(f))
    return sorted(k for k, n in df.items() if n >= MIN_DF)


def vectorize(feats: list[list[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for r, f in enumerate(feats):
        counts = Counter(vocab[x] for x in f if x in vocab)
        if not counts:
            continue
        norm = float(np.sqrt(sum(v * v for v in counts.values())))
        for c, v in counts.items():
            rows.append(r)
            cols.append(c)
            vals.append(v / norm)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(feats), len(vocab)), dtype=np.float64)


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float, weights: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, tol=1e-4)
    model.fit(x, y, sample_weight=weights)
    return model


def none_groups(pool: list[Example], x: sparse.csr_matrix, groups: int) -> list[str]:
    """Training labels where "none" is split into `groups` clusters of similar source intents, so the
    linear layer need not fit every unsupported request into one region."""
    labels = [e.label for e in pool]
    if groups <= 1:
        return labels
    from sklearn.cluster import KMeans

    intents = sorted({e.source for e in pool if e.label == NONE})
    rows = {s: [i for i, e in enumerate(pool) if e.source == s and e.label == NONE] for s in intents}
    centroids = np.vstack([np.asarray(x[rows[s]].mean(axis=0)) for s in intents])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-12
    found = KMeans(groups, n_init=10, random_state=SEED).fit_predict(centroids)
    group = dict(zip(intents, found, strict=True))
    return [f"{NONE}:{group[e.source]:02d}" if e.label == NONE else e.label for e in pool]


def temperature(logits: np.ndarray, y: np.ndarray) -> float:
    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())
    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def thresholds(prob: np.ndarray, y: np.ndarray, labels: list[str]) -> dict[str, float]:
    """The lowest probability at which out-of-fold "none" requests are proposed a skill at most
    NONE_RATE of the time (NONE_RATE_DESTRUCTIVE for destructive labels)."""
    none = labels.index(NONE)
    is_none = y == none
    best = prob.argmax(axis=1)
    top = prob.max(axis=1)
    out: dict[str, float] = {}
    for rate, floor, names in (
            (NONE_RATE, FLOOR, [lb for lb in labels if not lb.startswith(DESTRUCTIVE)]),
            (NONE_RATE_DESTRUCTIVE, FLOOR_DESTRUCTIVE, [lb for lb in labels if lb.startswith(DESTRUCTIVE)])):
        idx = [labels.index(n) for n in names if n != NONE]
        proposed = np.isin(best, idx)
        chosen = 0.99
        for t in np.round(np.arange(floor, 0.991, 0.01), 2):
            if ((proposed & (top >= t) & is_none).sum() / max(1, is_none.sum())) <= rate:
                chosen = float(t)
                break
        for n in names:
            if n != NONE:
                out[n] = chosen
        if rate == NONE_RATE_DESTRUCTIVE:
            out["destructive"] = chosen
    return out


def choose_thresholds(decided: list[Any], labels: list[str]) -> dict[str, float]:
    """Thresholds from what the whole assistant (model, router, parsers) decided out of fold: the one
    probability for ordinary labels, then the one for questions back ("clarify"), that maximise, summed
    over the public sets (CLINC150, SLURP), the right-skill rate minus WRONG_COST times the wrong-action
    rate. Destructive labels keep the model-level rule (their own parsers are the second lock)."""
    from tools.intent_oof import chosen

    ordinary = [lb for lb in labels if lb != NONE and not lb.startswith(DESTRUCTIVE)]
    sets = [[d for d in decided if d.example.source.startswith(s)] for s in ("clinc", "slurp")]

    def score(th: dict[str, float]) -> float:
        total = 0.0
        for rows in sets:
            sup = [d for d in rows if d.example.label != NONE]
            uns = [d for d in rows if d.example.label == NONE]
            right = sum(chosen(d, th) == d.example.label.split(".")[0] for d in sup)
            wrong = sum(chosen(d, th) is not None for d in uns)
            total += right / len(sup) - WRONG_COST * wrong / len(uns)
        return total

    grid = [float(t) for t in np.round(np.arange(FLOOR, 0.991, 0.01), 2)]
    th = {lb: FLOOR for lb in ordinary} | {"clarify": CLARIFY_FLOOR}
    for _round in range(2):
        best = max(grid, key=lambda t: (score(th | {lb: t for lb in ordinary}), t))
        th |= {lb: best for lb in ordinary}
        th["clarify"] = max((t for t in grid if t >= best), key=lambda t: (score(th | {"clarify": t}), t))
    if PER_LABEL:
        # Then each label on its own, from the shared value: where no look-alike reaches a label,
        # its commands need not pay for another label's look-alikes. Labels the public sets have no
        # commands for (privacy, apps, …) have nothing to weigh and keep the shared value.
        public = {d.example.label for rows in sets for d in rows}
        for lb in (lb for lb in ordinary if lb in public):
            th[lb] = max(grid, key=lambda t, lb=lb: (score(th | {lb: t}), t))
    return th


def report_oof(prob: np.ndarray, y: np.ndarray, labels: list[str], th: dict[str, float]) -> dict[str, Any]:
    none = labels.index(NONE)
    best = prob.argmax(axis=1)
    top = prob.max(axis=1)
    acts = np.array([labels[b] != NONE and top[i] >= th[labels[b]] for i, b in enumerate(best)])
    skill = np.array([lb.split(".")[0] for lb in labels])
    supported = y != none
    right = acts & supported & (skill[best] == skill[y])
    return {"supported": int(supported.sum()), "right_skill": float(right.sum() / supported.sum()),
            "wrong_action_on_none": float((acts & ~supported).sum() / (~supported).sum())}


def collapse(prob: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Sum the "none:NN" groups into one "none" column, as the runtime does."""
    keep = [lb for lb in labels if not lb.startswith(NONE)]
    out = np.zeros((prob.shape[0], len(keep) + 1))
    for j, lb in enumerate(labels):
        out[:, keep.index(lb) if lb in keep else len(keep)] += prob[:, j]
    return out, [*keep, NONE]


def default_config() -> dict[str, Any]:
    return {"c": C, "groups": GROUPS, "none_weight": NONE_WEIGHT, "slurp_weight": SLURP_WEIGHT}


def design(pool: list[Example], groups: int, none_weight: float, slurp_weight: float
           ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, list[str], list[str]]:
    """Features, training labels (with "none" groups), sample weights, label names, vocabulary."""
    feats = [text_features(e.text) for e in pool]
    vocab_list = vocabulary(feats)
    vocab = {w: i for i, w in enumerate(vocab_list)}
    x = vectorize(feats, vocab)
    names = none_groups(pool, x, groups)
    labels = sorted(set(names))
    y = np.array([labels.index(n) for n in names])
    # SLURP is spoken requests, the closest to what the app hears, but a tenth of the pool.
    w = np.array([(none_weight if n.startswith(NONE) else 1.0) * (slurp_weight if e.source.startswith("slurp") else 1.0)
                  for n, e in zip(names, pool, strict=True)])
    return x, y, w, labels, vocab_list


def oof(pool: list[Example], folds: int = FOLDS, c: float = C, groups: int = GROUPS,
        none_weight: float = NONE_WEIGHT, slurp_weight: float = SLURP_WEIGHT) -> tuple[np.ndarray, list[str], float]:
    """Calibrated out-of-fold probabilities over the public labels, the labels, the temperature."""
    x, y, w, labels, vocab_list = design(pool, groups, none_weight, slurp_weight)
    print(f"{len(pool)} examples, {len(labels)} labels, {len(vocab_list)} features", flush=True)
    logits = np.full((len(pool), len(labels)), -30.0)  # a label missing from a fold: never proposed
    for k, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y)):
        model = fit(x[tr], y[tr], c, w[tr])
        logits[np.ix_(te, model.classes_)] = model.decision_function(x[te])
        print(f"  fold {k + 1}/{folds} done", flush=True)
    t = temperature(logits, y)
    prob, public = collapse(softmax(logits / t), labels)
    return prob, public, t


def train(out: Path, c: float = C, groups: int = GROUPS, none_weight: float = NONE_WEIGHT,
          folds: int = FOLDS, slurp_weight: float = SLURP_WEIGHT) -> dict[str, Any]:
    from tools.intent_oof import decide, figures, oof_probabilities

    started = time.monotonic()
    pool: list[Example] = training_pool()
    prob, public, t = oof_probabilities(pool, folds, c=c, groups=groups, none_weight=none_weight,
                                        slurp_weight=slurp_weight)
    y_public = np.array([public.index(NONE if e.label == NONE else e.label) for e in pool])
    th = thresholds(prob, y_public, public)
    oof_report = report_oof(prob, y_public, public, th)
    for source in ("clinc", "slurp", "own"):
        rows = np.array([e.source.startswith(source) for e in pool])
        oof_report[source] = report_oof(prob[rows], y_public[rows], public, th)
    print(f"temperature {t:.3f}; thresholds {th}; out-of-fold {oof_report}", flush=True)
    decided = decide(pool, prob, public)
    print(f"whole assistant, out-of-fold, model-level thresholds: {figures(decided, th)}", flush=True)
    th |= choose_thresholds(decided, public)
    oof_report["whole_assistant"] = figures(decided, th)
    print(f"thresholds {th}; whole assistant, out-of-fold: {oof_report['whole_assistant']}", flush=True)
    x, y, w, labels, vocab_list = design(pool, groups, none_weight, slurp_weight)
    final = fit(x, y, c, w)
    weights = final.coef_.T.astype(np.float16)
    meta = {
        "format": FORMAT, "labels": labels, "temperature": t, "thresholds": th,
        "info": {"examples": len(pool), "features": len(vocab_list), "C": c, "min_df": MIN_DF,
                 "none_groups": groups, "none_weight": none_weight, "slurp_weight": slurp_weight,
                 "folds": folds, "seed": SEED, "out_of_fold": oof_report,
                 "sources": dict(Counter(e.source.split(":")[0] for e in pool)),
                 "data": "CLINC150 train (CC BY 3.0), SLURP devel minus a held-out fold "
                         "(CC BY 4.0), TrayAssist's own examples"},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, weights=weights, bias=final.intercept_.astype(np.float32),
                        vocab=np.frombuffer("\n".join(vocab_list).encode("utf-8"), dtype=np.uint8),
                        meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8))
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.train_intent_model", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--C", type=float, default=C, help="inverse regularisation strength")
    ap.add_argument("--groups", type=int, default=GROUPS, help="clusters of unsupported intents")
    ap.add_argument("--none-weight", type=float, default=NONE_WEIGHT, help="weight of unsupported requests")
    ap.add_argument("--slurp-weight", type=float, default=SLURP_WEIGHT, help="weight of SLURP requests")
    args = ap.parse_args(argv)
    train(args.out, args.C, args.groups, args.none_weight, slurp_weight=args.slurp_weight)
    return 0


if __name__ == "__main__":
    sys.exit(main())
