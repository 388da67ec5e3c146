"""What the assistant did with one utterance, in a JSON-friendly shape."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

NO_COMMAND = "no command recognised"


@dataclass(frozen=True)
class AssistantResult:
    """`skill` None means: not a command, keep the text as dictation."""

    text: str
    skill: str | None = None
    intent: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    reply: str = NO_COMMAND
    performed: bool = False
    dry_run: bool = False
    output_override: str | None = None  # "type" / "clipboard" / None
    output_text: str | None = None
    needs_confirmation: bool = False
    confidence: float = 0.0
    model: str | None = None  # the LLM that answered, when skill == "llm"
    match_ms: float = 0.0

    @property
    def is_command(self) -> bool:
        return self.skill is not None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        json.dumps(d)  # params must stay JSON-serialisable; fail loudly here, not in the CLI
        return d
