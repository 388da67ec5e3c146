"""`trayassist vocabulary add|remove|list|import|export`: words and names the transcriber should prefer.

Used for every transcription, `transcribe` included. While the app runs the change goes
through its socket (the app owns settings.json and applies the words from the next
utterance on); otherwise settings.json is edited directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings, SettingsStore
from trayassist.core.paths import Paths

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "vocabulary", help="words and names the transcriber should prefer (every transcription)")
    sub = p.add_subparsers(dest="vocabulary_command", metavar="COMMAND", required=True,
                           parser_class=type(p))
    q = sub.add_parser("add", help="add words or names (quote a name of several words)")
    q.add_argument("words", nargs="+", metavar="WORD")
    q = sub.add_parser("remove", help="remove words or names, whatever their case")
    q.add_argument("words", nargs="+", metavar="WORD")
    q = sub.add_parser("list", help="one entry per line")
    q.add_argument("--json", action="store_true", help="a JSON list")
    q = sub.add_parser("import", help="add the entries of a text file (one per line, # comments)")
    q.add_argument("file", type=Path, metavar="FILE")
    sub.add_parser("export", help="print the list as a text file that `import` reads")
    return p


class _Fail(Exception):
    """A one-line error for stderr."""


def run(args: argparse.Namespace, paths: Paths, settings: Settings) -> int:
    from trayassist.core.vocabulary import VocabularyError

    try:
        return _run(args, paths, settings)
    except _Fail as exc:
        print(f"trayassist vocabulary: error: {exc}", file=sys.stderr)
    except VocabularyError as exc:
        print(f"trayassist vocabulary: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FAIL


def _run(args: argparse.Namespace, paths: Paths, settings: Settings) -> int:
    from trayassist.core import vocabulary

    command = args.vocabulary_command
    if command in ("list", "export"):
        words = _change(paths, "list", [])["words"]
        if command == "export":
            sys.stdout.write(vocabulary.export_text(words))
        elif args.json:
            print(json.dumps(words, ensure_ascii=False, indent=2))
        else:
            for w in words:
                print(w)
        return EXIT_OK
    if command == "import":
        try:
            text = args.file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise _Fail(f"{args.file}: not a UTF-8 text file") from None
        except OSError as exc:
            raise _Fail(f"{args.file}: {exc.strerror or 'cannot read'}") from None
        vocabulary.parse_text(text)  # refuse a bad file here, with its line number
        change = _change(paths, "import", [text])
    else:
        for w in args.words:
            if command == "add":
                vocabulary.normalise_entry(w)
        change = _change(paths, command, list(args.words))
    if change["added"]:
        print(f"added: {', '.join(change['added'])}")
    if change["skipped"]:
        print(f"already there: {', '.join(change['skipped'])}")
    if change["removed"]:
        print(f"removed: {', '.join(change['removed'])}")
    if change["missing"]:
        raise _Fail(f"not in the vocabulary: {', '.join(change['missing'])}")
    return EXIT_OK


def _change(paths: Paths, action: str, words: list[str]) -> dict[str, Any]:
    """Through the running app if there is one (it owns settings.json), else on the file."""
    from trayassist import ipc_client
    from trayassist.core import vocabulary
    from trayassist.core.ipc_protocol import ProtocolError

    try:
        reply = ipc_client.call(paths.ipc_name, "vocabulary", timeout=10.0, action=action, words=words)
    except ipc_client.NotRunning:
        store = SettingsStore(paths.settings_file)
        settings = store.load()  # fresh: not the copy main() loaded before we asked
        new, change = vocabulary.apply(action, words, settings)
        if new is not settings:
            try:
                store.save(new)
            except OSError as exc:
                raise _Fail(f"cannot save settings ({exc.strerror})") from None
        return change.to_dict()
    except (ProtocolError, OSError) as exc:
        raise _Fail(str(exc) or type(exc).__name__) from None
    if not reply.get("ok"):
        error = str(reply.get("error") or "the running app refused the change")
        if "unknown command" in error:
            # An older running app: editing the file now would be overwritten by its next save.
            error = "the running TrayAssist does not take vocabulary changes; quit it and try again"
        raise _Fail(error)
    result = reply.get("result")
    if not isinstance(result, dict):
        raise _Fail("the running app sent an unexpected answer")
    return result
