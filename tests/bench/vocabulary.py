"""Custom vocabulary: how often tiny.en gets rare names right, with and without the list.

espeak-ng speaks sentences with rare names; the real Engine transcribes each twice, without
and with the vocabulary (faster-whisper hotwords). The hint's wording was chosen on TUNING
only; the figures that count are on REPORT, written afterwards and never tuned on. CONTROL
(no names) shows what the list costs the rest of the speech.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.bench.report import Figure
from tests.support import pulse
from tests.support.speech import word_error_rate

TUNING = [
    ("Siobhan will send the budget on Monday.", "Siobhan"),
    ("Please ask Doctor Nguyen about the results.", "Nguyen"),
    ("The Kubernetes cluster went down last night.", "Kubernetes"),
    ("I added a new panel to Grafana.", "Grafana"),
    ("Chinua Okonkwo is joining the call.", "Chinua Okonkwo"),
    ("Our flight to Reykjavik leaves at nine.", "Reykjavik"),
    ("We manage the servers with Terraform now.", "Terraform"),
    ("She played a piece by Tchaikovsky.", "Tchaikovsky"),
]
REPORT = [
    ("Saoirse booked the room for Thursday.", "Saoirse"),
    ("Wojciech fixed the login bug yesterday.", "Wojciech"),
    ("We moved the database to PostgreSQL last year.", "PostgreSQL"),
    ("Our office in Ljubljana opens next month.", "Ljubljana"),
    ("Joaquin will present the quarterly results.", "Joaquin"),
    ("Put the proxy behind Nginx before the launch.", "Nginx"),
    ("The conference is in Oaxaca this spring.", "Oaxaca"),
    ("Share the mockups in Figma with the team.", "Figma"),
    ("The new phone from Xiaomi arrived today.", "Xiaomi"),
    ("Ask Priyanka Chaudhary to review the contract.", "Priyanka Chaudhary"),
    ("The train to Hyderabad was delayed again.", "Hyderabad"),
    ("Deploy the service with Ansible tonight.", "Ansible"),
    ("Thiago and Eilidh are on the rota this week.", "Thiago Eilidh"),
    ("Grab a coffee at Tchibo on the way.", "Tchibo"),
    ("The invoice went to Bartholomew yesterday.", "Bartholomew"),
    ("Kalamazoo is a city in Michigan.", "Kalamazoo"),
]
CONTROL = [
    "Please remind me to call my sister tomorrow at noon.",
    "Open the calculator and add twelve plus thirty.",
    "I would like to write a note about the meeting.",
    "The library closes at six o'clock on Saturday.",
    "Turn left at the second traffic light.",
    "The meeting moved to Thursday afternoon.",
]


def names_missed(names: str, heard: str) -> tuple[int, int]:
    said = names.split()
    got = {w.lower() for w in re.findall(r"[\w']+", heard)}
    return sum(1 for n in said if n.lower() not in got), len(said)


def run(out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    from trayassist.core.transcribe.engine import Engine
    from trayassist.core.transcribe.files import decode
    from trayassist.core.transcribe.models import resolve

    figures: list[Figure] = []
    details: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ta-vocab-") as tmp:
        root = Path(tmp)
        engine = Engine(lambda: resolve("tiny.en", "", root / "cache"))
        try:
            engine.load().result(120)

            def heard(sentences: Sequence[str], words: Sequence[str]) -> list[str]:
                engine.set_vocabulary(words)
                texts = []
                for k, s in enumerate(sentences):
                    wav = root / f"{abs(hash(s))}-{k}.wav"
                    if not wav.exists():
                        pulse.speak(s, wav)
                    texts.append(engine.transcribe(decode(wav)).result(120).text)
                return texts

            for label, rows in (("tuning", TUNING), ("held-out", REPORT)):
                vocab = [w for _, names in TUNING + REPORT for w in [names]]  # one list, as a user keeps
                sentences = [s for s, _ in rows]
                result: dict[str, Any] = {}
                for mode, words in (("without", []), ("with", vocab)):
                    texts = heard(sentences, words)
                    missed = [names_missed(n, t) for (_, n), t in zip(rows, texts, strict=True)]
                    rate = sum(m for m, _ in missed) / sum(n for _, n in missed)
                    wer = sum(word_error_rate(s, t) for s, t in zip(sentences, texts, strict=True)) / len(rows)
                    result[mode] = {"name_error_rate": rate, "wer": wer, "texts": texts}
                    out(f"  {label:8} {mode:7} vocabulary: names missed {rate:.3f}, sentence WER {wer:.3f}")
                details[label] = result
                figures.append(Figure("vocabulary", f"{label} names missed, without → with the list", "",
                                      [result["with"]["name_error_rate"]],
                                      note=f"without {result['without']['name_error_rate']:.3f}, with "
                                           f"{result['with']['name_error_rate']:.3f}; sentence WER "
                                           f"{result['without']['wer']:.3f} → {result['with']['wer']:.3f} "
                                           f"({len(rows)} sentences, {len(vocab)}-entry list)"))
            control = {}
            for mode, words in (("without", []), ("with", [n for _, n in TUNING + REPORT])):
                texts = heard(CONTROL, words)
                control[mode] = sum(word_error_rate(s, t) for s, t in zip(CONTROL, texts, strict=True)) / len(CONTROL)
            details["control_wer"] = control
            out(f"  control (no names) WER: without {control['without']:.3f}, with {control['with']:.3f}")
            figures.append(Figure("vocabulary", "control WER (no names) with the list", "", [control["with"]],
                                  note=f"without the list {control['without']:.3f}"))
        finally:
            engine.stop()
    return figures, details
