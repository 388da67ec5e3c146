"""The labelled requests the intent model learns from and is judged on, mapped to TrayAssist's labels.

Sources (all under resources/intents/data, see resources/intents/README.md):
- CLINC150 train/val (CC BY 3.0): `train` and `oos_train` are training data; `val` and
  `oos_val` are never trained or tuned on (the first judged split).
- SLURP devel (CC BY 4.0): a fold carved out once (seed 13, 40 % of each intent, ids in
  `slurp-devel-heldout.txt`) is never trained or tuned on (the second judged split).
- own-examples.tsv: our skills' specifics the public sets do not have (privacy, history,
  "type …", app names, prose that only looks like a command), written for this project.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "resources" / "intents" / "data"
CLINC = DATA / "clinc150-train-val.json"
SLURP = DATA / "slurp-devel.jsonl"
OWN = DATA / "own-examples.tsv"
SLURP_HELDOUT = DATA / "slurp-devel-heldout.txt"
HELDOUT_SEED = 13
HELDOUT_SHARE = 0.4

NONE = "none"
# Model labels: "skill" or "skill.intent"; the skill's parser decides the finer intent.
CLINC_MAP = {
    "time": "time", "date": "time", "timezone": "time",
    "alarm": "timers.set", "timer": "timers.set", "reminder_update": "timers.set",
    "reminder": "timers.query",
    "calculator": "calculator",
    # Not in the data README's list, but the calculator converts units: we count these as ours
    # and report the figures both ways.
    "measurement_conversion": "calculator",
    "shopping_list": "notes.query", "todo_list": "notes.query",
    "shopping_list_update": "notes.add", "todo_list_update": "notes.add",
    "change_volume": "volume",
}
SLURP_MAP = {
    "datetime_query": "time", "datetime_convert": "time",
    "alarm_set": "timers.set", "alarm_query": "timers.query", "alarm_remove": "timers.remove",
    "lists_createoradd": "notes.add", "lists_query": "notes.query", "lists_remove": "notes.remove",
    "qa_maths": "calculator",
    "audio_volume_up": "volume", "audio_volume_down": "volume", "audio_volume_mute": "volume",
}
# The *_list_update intents mix adding and removing; the words say which.
_REMOVING = re.compile(r"\b(?:remove|delete|erase|cancel|wipe|clear|take|get rid|cross|strike|"
                       r"scratch|empty|drop)\b")


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # a model label, or "none"
    source: str  # "clinc:<intent>", "slurp:<intent>", "own"


def skill_of(label: str) -> str | None:
    return None if label == NONE else label.split(".", 1)[0]


def clinc_label(text: str, intent: str) -> str:
    label = CLINC_MAP.get(intent, NONE)
    if label == "notes.add" and _REMOVING.search(text):
        return "notes.remove"
    return label


def clinc(split: str) -> list[Example]:
    """`train` (with oos_train) or `val` (with oos_val)."""
    data = json.loads(CLINC.read_text(encoding="utf-8"))
    rows = [Example(t, clinc_label(t, i), f"clinc:{i}") for t, i in data[split]]
    rows += [Example(t, NONE, "clinc:oos") for t, _i in data[f"oos_{split}"]]
    return rows


def _slurp_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SLURP.read_text(encoding="utf-8").splitlines() if line.strip()]


def carve_slurp_heldout() -> list[int]:
    """The held-out fold: 40 % of each intent, drawn once with a fixed seed."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for r in _slurp_rows():
        by_intent[str(r["intent"])].append(int(str(r["slurp_id"])))
    rng = random.Random(HELDOUT_SEED)
    out: list[int] = []
    for intent in sorted(by_intent):
        ids = sorted(by_intent[intent])
        rng.shuffle(ids)
        out += ids[:round(len(ids) * HELDOUT_SHARE)]
    return sorted(out)


def slurp_heldout_ids() -> set[int]:
    return {int(x) for x in SLURP_HELDOUT.read_text(encoding="utf-8").split()}


def slurp_intent(row: dict[str, object]) -> str:
    """SLURP's intent is its scenario and action ("lists" + "query"). A few rows of devel carry only
    the action in `intent` ("query", "set"); reading both fields gives them their real intent."""
    scenario, action = str(row.get("scenario", "")), str(row.get("action", ""))
    return f"{scenario}_{action}" if scenario and action else str(row["intent"])


def slurp(heldout: bool) -> list[Example]:
    """SLURP devel without (heldout=False) or only (True) the held-out fold."""
    ids = slurp_heldout_ids()
    out = []
    for r in _slurp_rows():
        if (int(str(r["slurp_id"])) in ids) != heldout:
            continue
        intent = slurp_intent(r)
        out.append(Example(str(r["sentence"]), SLURP_MAP.get(intent, NONE), f"slurp:{intent}"))
    return out


def own() -> list[Example]:
    rows = []
    for n, line in enumerate(OWN.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, _, label = line.partition("\t")
        if not label.strip():
            raise ValueError(f"{OWN.name}:{n}: no label")
        rows.append(Example(text.strip(), label.strip(), "own"))
    return rows


def training_pool() -> list[Example]:
    return clinc("train") + slurp(heldout=False) + own()


def judged_splits() -> dict[str, list[Example]]:
    return {"clinc150-val": clinc("val"), "slurp-devel-heldout": slurp(heldout=True)}
