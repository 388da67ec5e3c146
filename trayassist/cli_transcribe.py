"""`trayassist transcribe FILE... [--json]`: offline transcription of audio files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings
from trayassist.core.paths import Paths


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "transcribe", help="transcribe audio files (wav, flac, mp3, ogg) offline")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    p.add_argument("--json", action="store_true", help="print a JSON list of results")
    return p


def build_engine(paths: Paths, settings: Settings) -> Any:
    from trayassist.core.transcribe.engine import Engine
    from trayassist.core.transcribe.models import resolve

    return Engine(lambda: resolve(settings.model, settings.model_path, paths.cache),
                  device=settings.device, compute_type=settings.compute_type,
                  language=settings.language, idle_unload_s=settings.model_idle_unload_s)


def run(args: argparse.Namespace, paths: Paths, settings: Settings) -> int:
    """Transcribe every file; a bad file gets a one-line error on stderr and exit 1 at the end."""
    from trayassist.core.transcribe.files import FileResult, transcribe_file
    from trayassist.core.transcribe.models import ModelError

    engine = build_engine(paths, settings)
    try:
        engine.load().result()
    except ModelError as exc:
        print(f"trayassist transcribe: {exc}", file=sys.stderr)
        engine.stop()
        return 2
    results: list[FileResult] = []
    try:
        for name in args.files:
            r = transcribe_file(engine, Path(name))
            results.append(r)
            if r.error:
                print(f"trayassist transcribe: {r.error}", file=sys.stderr)
            elif not args.json:
                prefix = f"{name}: " if len(args.files) > 1 else ""
                print(prefix + r.text, flush=True)
    finally:
        engine.stop()
    if args.json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    return 1 if any(r.error for r in results) else 0
