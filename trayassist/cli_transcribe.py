"""`trayassist transcribe FILE... [--format txt|json|srt|vtt]`: offline transcription of audio files.

To stdout by default (json: a list, one object per file); with --write (beside each file)
or --out-dir DIR, one file per input. A bad file gets one line and the others still run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings
from trayassist.core.paths import Paths

FORMATS = ("txt", "json", "srt", "vtt")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "transcribe", help="transcribe audio files (wav, flac, mp3, ogg) offline")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="txt (default), json with segment and word times, srt or vtt subtitles")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--write", action="store_true",
                       help="write NAME.FORMAT beside each audio file instead of printing")
    where.add_argument("--out-dir", type=Path, metavar="DIR", help="write NAME.FORMAT into DIR")
    p.add_argument("--force", action="store_true", help="with --write/--out-dir: overwrite existing files")
    return p


def build_engine(paths: Paths, settings: Settings) -> Any:
    """The same engine the app builds, so models downloaded by the app are found too."""
    import os

    from trayassist.builder import ServiceBuilder

    return ServiceBuilder(paths, dict(os.environ)).engine(settings)


def run(args: argparse.Namespace, paths: Paths, settings: Settings, guard: Any = None) -> int:
    """Transcribe every file under the network guard (the app's, with our sockets watched
    closely: the model and FFmpeg are native code); exit 1 if anything got out. `guard`:
    a NetworkGuard not to install (tests); None installs one for this process."""
    from trayassist.core.privacy.own_watch import guarded_command

    with guarded_command("transcribe", guard) as guard:
        code = _transcribe(args, paths, settings)
    return 1 if guard.self_connections else code


def _transcribe(args: argparse.Namespace, paths: Paths, settings: Settings) -> int:
    """Transcribe every file; a bad file gets a one-line error on stderr and exit 1 at the end."""
    from trayassist.core.transcribe.files import (
        FileResult,
        OutputError,
        output_path,
        transcribe_file,
        write_transcript,
    )
    from trayassist.core.transcribe.models import ModelError

    fmt = args.format or ("json" if args.json else "txt")
    if args.json and args.format not in (None, "json"):
        return _usage("--json is --format json; give one of them")
    writing = args.write or args.out_dir is not None
    if fmt in ("srt", "vtt") and len(args.files) > 1 and not writing:
        return _usage(f"several files as {fmt}: add --write or --out-dir DIR (one file each)")
    if args.force and not writing:
        return _usage("--force goes with --write or --out-dir")
    if args.out_dir is not None and not args.out_dir.is_dir():
        return _usage(f"--out-dir {args.out_dir}: no such folder")
    engine = build_engine(paths, settings)
    try:
        engine.load().result()
    except ModelError as exc:
        print(f"trayassist transcribe: {exc}", file=sys.stderr)
        engine.stop()
        return 2
    results: list[FileResult] = []
    failed = False
    try:
        for name in args.files:
            r = transcribe_file(engine, Path(name))
            results.append(r)
            if r.error:
                failed = True
                print(f"trayassist transcribe: {r.error}", file=sys.stderr)
            elif writing:
                try:
                    target = write_transcript(r, fmt, output_path(Path(name), fmt, args.out_dir),
                                              overwrite=args.force)
                except OutputError as exc:
                    failed = True
                    print(f"trayassist transcribe: {exc}", file=sys.stderr)
                    continue
                print(f"{name} -> {target}", flush=True)
            elif fmt == "txt":
                prefix = f"{name}: " if len(args.files) > 1 else ""
                print(prefix + r.text, flush=True)
            elif fmt in ("srt", "vtt"):
                sys.stdout.write(r.render(fmt))
    finally:
        engine.stop()
    if fmt == "json" and not writing:
        print(json.dumps([json.loads(r.render("json")) for r in results], ensure_ascii=False, indent=2))
    return 1 if failed else 0


def _usage(message: str) -> int:
    print(f"trayassist transcribe: error: {message}", file=sys.stderr)
    return 2
