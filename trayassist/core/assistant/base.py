"""The skill interface: parse an utterance into a Match, then run it against a Context."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trayassist.core.assistant.context import Context
    from trayassist.core.assistant.normalize import Utterance

# Confidence levels skills use, so they stay comparable across skills.
EXACT = 0.95  # a full-utterance template matched
STRONG = 0.85  # a template matched with a fuzzy key phrase
WEAK = 0.6  # looks related, not enough to act on


@dataclass(frozen=True)
class Match:
    """A skill's reading of an utterance. `error` means: recognised, but cannot be done."""

    intent: str
    confidence: float
    params: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What running (or previewing) a match produced."""

    reply: str
    performed: bool
    output_override: str | None = None  # "type" or "clipboard" for dictation commands
    output_text: str | None = None
    needs_confirmation: bool = False


class Skill(ABC):
    """One thing the assistant can do. Subclasses set `name` and implement match/run/preview.

    With the intent model, the model proposes a label ("timers.set") and `parse` reads the
    parameters; `match` (full-sentence templates) is the second, stricter way in."""

    name: str = ""
    # Intents that destroy something (a list, an alarm, history): acted on only above the
    # model's higher threshold for destructive actions.
    destructive: frozenset[str] = frozenset()
    # Intents the public training data has no examples of (privacy, history, "type …"): their
    # full-sentence templates decide alone, as they did before the model, and go first.
    template_only: frozenset[str] = frozenset()

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        """Read the parameters of an utterance the model gave this skill (`label` is "skill" or
        "skill.intent"). None means: this is not something the skill can do after all."""
        return self.match(utt, ctx)

    @abstractmethod
    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        """Return a Match if this utterance is meant for this skill.

        May read from `ctx` (installed apps, known folders) but never changes anything.
        """

    @abstractmethod
    def run(self, match: Match, ctx: Context) -> Outcome:
        """Carry out the match (may have side effects)."""

    def preview(self, match: Match, ctx: Context) -> Outcome:
        """What `run` would do, with no side effect at all (for --dry-run)."""
        return Outcome(reply=f"would {match.intent.replace('_', ' ')}", performed=False)
