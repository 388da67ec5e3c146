"""The learned intent model: a linear layer over n-gram features, scored with numpy alone.

Trained by `python -m tools.train_intent_model` (scikit-learn, dev only); shipped as one .npz."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trayassist.core.assistant.features import text_features

NONE = "none"
FORMAT = 1


class IntentModelError(RuntimeError):
    """The model file is missing or damaged; the message is one line, fit to show."""


@dataclass(frozen=True)
class Proposal:
    """The model's reading of one utterance: the best label and the calibrated distribution."""

    label: str  # "skill" or "skill.intent", or "none"
    probability: float
    ranked: tuple[tuple[str, float], ...]  # every label, best first

    @property
    def skill(self) -> str | None:
        return None if self.label == NONE else self.label.split(".", 1)[0]

    def skill_probability(self, skill: str) -> float:
        """Everything the model gives this skill, over all its intents."""
        return sum(p for label, p in self.ranked if label.split(".", 1)[0] == skill)


class IntentModel:
    """Loads the weights on first use (not at construction) and proposes a label per text.

    Thread-safe: loading is guarded; scoring only reads arrays."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._loaded: _Weights | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def load(self) -> None:
        with self._lock:
            if self._loaded is None:
                self._loaded = _Weights.read(self.path)

    @property
    def thresholds(self) -> dict[str, float]:
        self.load()
        assert self._loaded is not None
        return dict(self._loaded.thresholds)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label the model proposes ("none" once, however many groups it learnt)."""
        self.load()
        assert self._loaded is not None
        return tuple(dict.fromkeys(NONE if lb.startswith(NONE) else lb for lb in self._loaded.labels))

    @property
    def info(self) -> dict[str, Any]:
        self.load()
        assert self._loaded is not None
        return dict(self._loaded.info)

    def propose(self, text: str) -> Proposal:
        self.load()
        assert self._loaded is not None
        return self._loaded.propose(text)


@dataclass(frozen=True)
class _Weights:
    vocab: dict[str, int]
    weights: np.ndarray  # (features, labels) float16
    bias: np.ndarray  # (labels,) float32
    labels: tuple[str, ...]
    temperature: float
    thresholds: dict[str, float]
    info: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> _Weights:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
                vocab_words = bytes(z["vocab"]).decode("utf-8").split("\n")
                weights = np.ascontiguousarray(z["weights"])
                bias = z["bias"].astype(np.float32)
        except FileNotFoundError as exc:
            raise IntentModelError(f"the intent model is missing ({path})") from exc
        except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
            raise IntentModelError(f"the intent model is damaged ({path.name}: {exc})") from exc
        labels = tuple(meta.get("labels", ()))
        if meta.get("format") != FORMAT or weights.shape != (len(vocab_words), len(labels)) \
                or bias.shape != (len(labels),) \
                or not any(lb.startswith(NONE) for lb in labels):
            raise IntentModelError(f"the intent model has an unexpected shape ({path.name})")
        return cls(vocab={w: i for i, w in enumerate(vocab_words)}, weights=weights, bias=bias,
                   labels=labels, temperature=float(meta["temperature"]),
                   thresholds={k: float(v) for k, v in meta["thresholds"].items()},
                   info=dict(meta.get("info", {})))

    def logits(self, text: str) -> np.ndarray:
        counts: dict[int, int] = {}
        for f in text_features(text):
            i = self.vocab.get(f)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return self.bias.copy()
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        val = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        val /= np.sqrt(float(np.dot(val, val)))
        out: np.ndarray = val @ self.weights[idx].astype(np.float32) + self.bias
        return out

    def propose(self, text: str) -> Proposal:
        z = self.logits(text) / self.temperature
        z -= z.max()
        p = np.exp(z)
        p /= p.sum()
        # Unsupported requests are learnt as several groups ("none:03"); they count as one.
        summed: dict[str, float] = {}
        for label, q in zip(self.labels, p.tolist(), strict=True):
            key = NONE if label.startswith(NONE) else label
            summed[key] = summed.get(key, 0.0) + q
        ranked = tuple(sorted(summed.items(), key=lambda kv: -kv[1]))
        return Proposal(label=ranked[0][0], probability=ranked[0][1], ranked=ranked)
