"""`trayassist history list/search/show/export/delete/forget/wipe/start-fresh`: the encrypted history.

The CLI opens the database directly (safe while the app runs). A passphrase-locked
history is unlocked with `--passphrase-file FILE` (first line of FILE) or
`--passphrase-stdin` (first line of standard input), for scripts and tests; on a
terminal without either, the passphrase is asked for. Transcripts go to stdout only.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from trayassist.core.config import Settings
from trayassist.core.paths import Paths

EXIT_OK, EXIT_FAIL = 0, 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "history", help="the encrypted history: list, search, show, export, delete, forget, wipe")
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_mutually_exclusive_group()
    group.add_argument("--passphrase-file", metavar="FILE", type=Path,
                       help="unlock a passphrase history with the first line of FILE")
    group.add_argument("--passphrase-stdin", action="store_true",
                       help="unlock with the first line of standard input")
    sub = p.add_subparsers(dest="history_command", metavar="COMMAND", required=True,
                           parser_class=type(p))

    def add(name: str, help_: str, json_flag: bool = True) -> argparse.ArgumentParser:
        q: argparse.ArgumentParser = sub.add_parser(name, help=help_, parents=[common])
        if json_flag:
            q.add_argument("--json", action="store_true", help="machine-readable output")
        return q

    q = add("list", "newest first")
    q.add_argument("--limit", type=_positive, default=20)
    q.add_argument("--offset", type=_non_negative, default=0)
    q = add("search", "case-insensitive substring search, newest first")
    q.add_argument("query")
    q.add_argument("--word", action="store_true", help="match whole words only")
    q.add_argument("--limit", type=_positive, default=None)
    q = add("show", "one record in full")
    q.add_argument("id", type=_record_id)
    q = add("export", "Markdown or JSON of the given records, or all", json_flag=False)
    q.add_argument("ids", nargs="*", type=_record_id, metavar="ID")
    q.add_argument("--format", choices=("md", "json"), default="md")
    q.add_argument("--out", type=Path, metavar="FILE", help="write here (mode 0600) instead of stdout")
    q.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    q = add("delete", "delete records by id", json_flag=False)
    q.add_argument("ids", nargs="+", type=_record_id, metavar="ID")
    q = add("forget", "delete what was said recently", json_flag=False)
    q.add_argument("--last", required=True, metavar="SPAN", help="5m, 2h, 1d or today")
    q = add("wipe", "destroy the key and every record (crypto-erase)", json_flag=False)
    q.add_argument("--yes", action="store_true", help="really wipe")
    add("start-fresh", "when the history cannot be opened (damaged file, lost key): keep it aside, "
        "untouched, and start a new empty one", json_flag=False)
    return p


def _int_arg(text: str, lo: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}") from None
    if value < lo:
        raise argparse.ArgumentTypeError(f"{what} must be at least {lo}")
    return value


def _positive(text: str) -> int:
    return _int_arg(text, 1, "the value")


def _non_negative(text: str) -> int:
    return _int_arg(text, 0, "the value")


def _record_id(text: str) -> int:
    return _int_arg(text, 1, "a record id")


class _Fail(Exception):
    """A one-line error for stderr."""


def _read_passphrase(args: argparse.Namespace, stdin: Any) -> str | None:
    if args.passphrase_file is not None:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise _Fail(f"cannot read the passphrase file ({exc.strerror})") from None
        return text.splitlines()[0] if text else ""
    if args.passphrase_stdin:
        line = str(stdin.readline())
        return line.rstrip("\r\n")
    return None


def run(args: argparse.Namespace, paths: Paths, settings: Settings,
        keyring_module: Any = None, stdin: Any = None, stdout: Any = None,
        stderr: Any = None) -> int:
    """Run one history command; every failure is one line on stderr and exit 1."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        return _run(args, paths, settings, keyring_module, stdin, out)
    except _Fail as exc:
        print(f"trayassist history: error: {exc}", file=err)
    except Exception as exc:  # HistoryError and friends: their str() is the one line
        from trayassist.core.history import HistoryError

        if not isinstance(exc, HistoryError | ValueError | OSError):
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if getattr(exc, "fresh_start_helps", False):
            message = _with_fresh_command(message)
        print(f"trayassist history: error: {message}", file=err)
    return EXIT_FAIL


def _run(args: argparse.Namespace, paths: Paths, settings: Settings, keyring_module: Any,
         stdin: Any, out: Any) -> int:
    from trayassist.core.history import KeyUnavailable, PassphraseNeeded
    from trayassist.core.history.factory import build_store, key_meta_path, wipe_without_key

    command = args.history_command
    if command == "wipe" and not args.yes:
        raise _Fail("wipe destroys the history key and every record; run it again with --yes")
    if command in ("wipe", "forget", "delete") and _through_app(args, paths, out):
        return EXIT_OK
    if keyring_module is None:
        import keyring as keyring_module
    backend = settings.history_key_backend
    if backend == "off":
        raise _Fail("history is off (history_key_backend is off)")
    if backend == "session":
        raise _Fail("the history is session-only: it lives in the running app's memory, "
                    "the CLI cannot read it")
    paths.ensure()
    exists = paths.history_db.exists() or key_meta_path(paths).exists()
    if not exists and command != "wipe":
        return _empty(args, out)
    passphrase = _read_passphrase(args, stdin)
    if command == "start-fresh":
        return _start_fresh(paths, settings, keyring_module, passphrase, stdin, out)
    try:
        store = build_store(paths, settings, keyring_module, passphrase)
    except PassphraseNeeded:
        if command == "wipe":
            return _report_wipe(wipe_without_key(paths, keyring_module), out)
        store = build_store(paths, settings, keyring_module, _ask_passphrase(stdin))
    except KeyUnavailable:
        if command == "wipe":
            return _report_wipe(wipe_without_key(paths, keyring_module), out)
        raise
    assert store is not None  # "off" was handled above
    if command == "wipe":
        store.wipe()  # works on a locked or damaged history too
        store.close()
        return _report_wipe(True, out)
    try:
        store.open()
        return _COMMANDS[command](store, args, out)
    finally:
        store.close()


def _through_app(args: argparse.Namespace, paths: Paths, out: Any) -> bool:
    """Erasing goes through the running app when there is one, so that what it shows
    (`status.last`, the History window) forgets too. False: do it here."""
    from trayassist import ipc_client
    from trayassist.core.ipc_protocol import ProtocolError

    command = args.history_command
    request: dict[str, Any] = {"wipe": {}, "forget": {"span": getattr(args, "last", "")},
               "delete": {"ids": list(getattr(args, "ids", []) or [])}}
    try:
        reply = ipc_client.call(paths.ipc_name, f"history.{command}", timeout=60.0, **request[command])
    except ipc_client.NotRunning:
        return False
    except (ProtocolError, OSError) as exc:
        raise _Fail(f"the running TrayAssist did not answer: {exc}") from None
    if not reply.get("ok"):
        if "no history open" in str(reply.get("error")):
            return False  # the app runs without it (locked, off): the files are ours to change
        raise _Fail(str(reply.get("error")))
    result = reply.get("result") or {}
    if command == "wipe":
        if not result.get("wiped"):
            return False
        return _report_wipe(True, out) == EXIT_OK
    if command == "forget":
        count = int(result.get("forgotten", 0))
        print(f"forgot {count} record{'s' if count != 1 else ''}", file=out)
        return True
    deleted, missing = result.get("deleted") or [], result.get("missing") or []
    print(f"deleted {len(deleted)} record{'s' if len(deleted) != 1 else ''}", file=out)
    if missing:
        raise _Fail(f"no history record with id {', '.join(str(i) for i in missing)}")
    return True


def _with_fresh_command(message: str) -> str:
    """Name the command that does what a fresh-start message asks for."""
    from trayassist.core.history.errors import FRESH_HINT

    command = "`trayassist history start-fresh` starts a new history (the old one is kept aside)"
    return message.replace(FRESH_HINT, command) if FRESH_HINT in message else f"{message}; {command}"


def _ask_passphrase(stdin: Any) -> str:
    if not stdin.isatty():
        raise _Fail("the history is locked with a passphrase; pass --passphrase-file FILE "
                    "or --passphrase-stdin")
    return getpass.getpass("History passphrase: ")


def _start_fresh(paths: Paths, settings: Settings, keyring_module: Any, passphrase: str | None,
                 stdin: Any, out: Any) -> int:
    """Only for a history that cannot be opened: a healthy one is never moved."""
    import os

    from trayassist.builder import Remedy, ServiceBuilder

    if passphrase is None and settings.history_key_backend == "passphrase":
        passphrase = _ask_passphrase(stdin)  # unlocks the old one, or protects the new one
    builder = ServiceBuilder(paths, dict(os.environ), keyring_module=keyring_module)
    probe = builder.open_history(settings, passphrase)
    if probe.store is not None:
        probe.store.close()
        raise _Fail("the history opens fine, so nothing was set aside "
                    "(`trayassist history wipe --yes` erases it)")
    if probe.remedy is not Remedy.FRESH_START:
        raise _Fail(f"{probe.problem}; nothing was set aside")
    opening = builder.start_new_history(settings, passphrase)
    aside = opening.aside
    kept = f"the old history was kept aside as {aside}" if aside else "the old key record was kept aside"
    if opening.store is None:
        raise _Fail(f"{kept}, but the new one did not open: {opening.problem}")
    opening.store.close()
    print(f"{kept}; a new empty history is ready (`history wipe --yes` erases both)", file=out)
    return EXIT_OK


def _report_wipe(found: bool, out: Any) -> int:
    print("history wiped: key destroyed, records deleted, fresh key ready" if found
          else "nothing to wipe", file=out)
    return EXIT_OK


def _empty(args: argparse.Namespace, out: Any) -> int:
    command = args.history_command
    if command == "start-fresh":
        print("there is no history yet, so nothing was set aside", file=out)
        return EXIT_OK
    if command in ("show",):
        raise _Fail(f"no history record with id {args.id}")
    if command == "delete":
        raise _Fail(f"no history record with id {args.ids[0]}")
    if command == "export":
        if args.ids:
            raise _Fail(f"no history record with id {args.ids[0]}")
        from trayassist.core.history.records import export_records
        return _write_export(args, export_records([], args.format, datetime.now().astimezone()), 0, out)
    if command == "forget":
        from trayassist.core.history.retention import forget_start
        forget_start(args.last, datetime.now().astimezone())  # still reject a bad span
        print("forgot 0 records", file=out)
        return EXIT_OK
    if getattr(args, "json", False):
        print("[]", file=out)
    return EXIT_OK


def _line(record: Any) -> str:
    when = record.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    first = record.text.splitlines()[0] if record.text else ""
    return f"{record.id:>6}  {when}  {record.duration_s:5.1f}s  {first}"


def _print_records(records: list[Any], args: argparse.Namespace, out: Any) -> int:
    if args.json:
        print(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2), file=out)
    else:
        for r in records:
            print(_line(r), file=out)
    return EXIT_OK


def _list(store: Any, args: argparse.Namespace, out: Any) -> int:
    return _print_records(store.list(args.limit, args.offset), args, out)


def _search(store: Any, args: argparse.Namespace, out: Any) -> int:
    if not args.query.strip():
        raise _Fail("the search text is empty")
    return _print_records(store.search(args.query, whole_word=args.word, limit=args.limit), args, out)


def _show(store: Any, args: argparse.Namespace, out: Any) -> int:
    record = store.get(args.id)
    if args.json:
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    when = record.time.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    print(f"id: {record.id}\ntime: {when}\nduration: {record.duration_s:.1f} s", file=out)
    if record.model:
        print(f"model: {record.model}", file=out)
    if record.reply:
        print(f"assistant: {record.reply}", file=out)
    print(f"\n{record.text}", file=out)
    return EXIT_OK


def _export(store: Any, args: argparse.Namespace, out: Any) -> int:
    text = store.export(args.ids or None, args.format)
    count = len(args.ids) if args.ids else store.count()
    return _write_export(args, text, count, out)


def _write_export(args: argparse.Namespace, text: str, count: int, out: Any) -> int:
    if args.out is None:
        out.write(text)
        return EXIT_OK
    from trayassist.core.history.records import write_export

    target = Path(args.out).expanduser()
    if target.exists() and not args.force:
        raise _Fail(f"{target} exists; pass --force to overwrite it")
    if not target.parent.is_dir():
        raise _Fail(f"no such directory: {target.parent}")
    write_export(target, text)
    print(f"exported {count} record{'s' if count != 1 else ''} to {target} (plaintext)", file=out)
    return EXIT_OK


def _delete(store: Any, args: argparse.Namespace, out: Any) -> int:
    missing = [i for i in dict.fromkeys(args.ids) if not store.delete(i)]
    deleted = len(set(args.ids)) - len(missing)
    print(f"deleted {deleted} record{'s' if deleted != 1 else ''}", file=out)
    if missing:
        raise _Fail(f"no history record with id {', '.join(str(i) for i in missing)}")
    return EXIT_OK


def _forget(store: Any, args: argparse.Namespace, out: Any) -> int:
    from trayassist.core.history.retention import forget_start

    count = store.forget_since(forget_start(args.last, store.clock()))
    print(f"forgot {count} record{'s' if count != 1 else ''}", file=out)
    return EXIT_OK


_COMMANDS: dict[str, Callable[[Any, argparse.Namespace, Any], int]] = {
    "list": _list, "search": _search, "show": _show, "export": _export,
    "delete": _delete, "forget": _forget,
}
