"""The one settings schema: typed fields, defaults, a version and migrations.

Settings live in `<config>/settings.json`, written atomically. A damaged file is
kept aside (never overwritten silently) and the defaults are used.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trayassist.core.atomic import write_atomic

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

MODEL_CHOICES = (
    "tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
    "large-v3", "large-v3-turbo", "distil-small.en", "distil-medium.en", "distil-large-v3",
)
RETENTION_CHOICES = ("off", "24h", "3m", "18m", "forever")
HOTKEY_MODES = ("hold", "toggle", "hybrid")
OUTPUT_MODES = ("type", "clipboard", "both", "none")
KEY_BACKENDS = ("auto", "keyring", "passphrase", "session", "off")
FILE_FORMATS = ("txt", "json", "srt", "vtt")


def _choice(*choices: str) -> dict[str, Any]:
    return {"choices": choices}


@dataclass
class Settings:
    """Every user setting. Field metadata carries choices and bounds for validation."""

    version: int = SCHEMA_VERSION
    # Transcription
    model: str = field(default="tiny.en", metadata=_choice(*MODEL_CHOICES))
    model_path: str = ""  # a local CTranslate2 model directory; wins over `model`
    language: str = "en"  # ISO code, or "auto"
    device: str = field(default="auto", metadata=_choice("auto", "cpu", "cuda"))
    compute_type: str = field(default="int8", metadata=_choice("int8", "int8_float16", "float16", "float32", "default"))
    model_idle_unload_s: int = field(default=300, metadata={"min": 10, "max": 86400})
    input_device: str = ""  # "" is the system default input
    # Words and names the model should prefer (every transcription, files included)
    vocabulary: list[str] = field(default_factory=list)
    # Long dictation: each decode also hears the sentence before (fewer errors at sentence
    # starts; the text comes later after release). Off: the 0.5 s release -> text budget.
    dictation_context: bool = False
    # Dictation only (never what the assistant parses)
    spoken_punctuation: bool = True  # "comma", "new line"... become marks
    drop_fillers: bool = True  # "um", "uh", a parenthetical "you know"
    replacements: list[list[str]] = field(default_factory=list, metadata={"pairs": True})  # [from, to]
    transcribe_format: str = field(default="srt", metadata=_choice(*FILE_FORMATS))  # "Transcribe a file…"
    # Hotkey and output
    hotkey: str = "ctrl+alt+space"
    hotkey_mode: str = field(default="hold", metadata=_choice(*HOTKEY_MODES))
    # Listening without a key held (toggle mode, a hybrid tap, the tray) ends by itself after
    # this much silence (0: never) and at this length, both in seconds of audio.
    toggle_silence_stop_s: int = field(default=3, metadata={"min": 0, "max": 600})
    toggle_max_s: int = field(default=300, metadata={"min": 10, "max": 3600})
    partial_text: bool = True  # show the words heard so far while listening
    output_mode: str = field(default="type", metadata=_choice(*OUTPUT_MODES))
    sounds: bool = False
    notifications: bool = True
    notification_text: bool = False  # show what was said / noted in notifications (lock screens keep them)
    # Privacy indicators
    indicators_enabled: bool = True
    acknowledged_apps: list[str] = field(default_factory=list)
    # History
    history_retention: str = field(default="3m", metadata=_choice(*RETENTION_CHOICES))
    history_key_backend: str = field(default="auto", metadata=_choice(*KEY_BACKENDS))
    # Assistant
    assistant_enabled: bool = True
    spoken_replies: bool = False
    llm_enabled: bool = False
    llm_url: str = "http://127.0.0.1:8080/v1"
    llm_model: str = ""
    # The local LLM server must run as you or root; name a system user to trust as well
    # (Ollama's service runs as "ollama"): another user on 127.0.0.1 could read your questions.
    llm_trusted_user: str = ""
    # Desktop
    start_at_login: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Settings:
        merged = self.to_dict() | changes
        settings, problems = Settings.from_dict(merged)
        if problems:
            raise ValueError("; ".join(problems))
        return settings

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> tuple[Settings, list[str]]:
        """Validate raw values field by field; a bad value falls back to its default."""
        problems: list[str] = []
        raw = migrate(dict(raw))
        values: dict[str, Any] = {}
        defaults = cls()
        for f in dataclasses.fields(cls):
            if f.name not in raw or f.name == "version":
                continue
            value = raw[f.name]
            default = getattr(defaults, f.name)
            error = _check(f, value, default)
            if error:
                problems.append(f"{f.name}: {error}; using {default!r}")
                continue
            if f.metadata.get("pairs"):
                value = [list(v) for v in value]
            values[f.name] = list(value) if isinstance(default, list) else value
        return cls(**values), problems


def _check(f: dataclasses.Field[Any], value: Any, default: Any) -> str | None:
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            return "expected a whole number"
        lo, hi = f.metadata.get("min"), f.metadata.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return f"out of range {lo}..{hi}"
        return None
    if isinstance(default, str):
        if not isinstance(value, str):
            return "expected text"
        choices = f.metadata.get("choices")
        if choices and value not in choices:
            return f"expected one of {', '.join(choices)}"
        return None
    if isinstance(default, list) and f.metadata.get("pairs"):
        if not isinstance(value, list) or not all(
                isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) and v[0].strip()
                for v in value):
            return 'expected a list of ["from", "to"] pairs of text'
        return None
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "expected a list of text"
        return None
    return None  # pragma: no cover


# version -> function that upgrades a dict from that version to the next one
MIGRATIONS: dict[int, Any] = {}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    version = raw.get("version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        version = SCHEMA_VERSION
    while version < SCHEMA_VERSION and version in MIGRATIONS:
        raw = MIGRATIONS[version](raw)
        version += 1
    raw["version"] = SCHEMA_VERSION
    return raw


class SettingsStore:
    """Loads and saves Settings atomically; keeps a damaged file aside."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []
        self.newer_version = False

    def load(self) -> Settings:
        self.problems = []
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            self.problems.append(f"cannot read settings ({exc.strerror}); using defaults")
            return Settings()
        try:
            raw = json.loads(data.decode("utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
        except ValueError:
            aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
            self.path.replace(aside)
            self.problems.append(f"settings file was damaged; kept it as {aside.name} and used defaults")
            log.warning("settings file damaged; moved to %s", aside)
            return Settings()
        version = raw.get("version")
        self.newer_version = isinstance(version, int) and version > SCHEMA_VERSION
        settings, problems = Settings.from_dict(raw)
        self.problems.extend(problems)
        for p in problems:
            log.warning("setting %s", p)
        return settings

    def save(self, settings: Settings) -> None:
        if self.newer_version:
            # Written by a newer TrayAssist: keep it, save beside it instead of downgrading it.
            aside = self.path.with_name(self.path.name + ".newer-backup")
            if not aside.exists():
                self.path.replace(aside)
            self.newer_version = False
        data = json.dumps(settings.to_dict(), indent=2, sort_keys=True).encode("utf-8")
        write_atomic(self.path, data + b"\n")
