"""The command line: `trayassist [--basedir DIR] [--no-err-windows] COMMAND [ARGS]`.

Commands for the running app travel over its private socket. Heavy modules
(Qt, the model) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, NoReturn

from trayassist import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

# Commands whose parser and handler live in their own module: add_parser() and run().
EXTERNAL = {"history": "trayassist.cli_history", "transcribe": "trayassist.cli_transcribe",
            "vocabulary": "trayassist.cli_vocabulary", "model-download": "trayassist.cli_model_download"}


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not a usage dump
        self.exit(EXIT_USAGE, f"trayassist: error: {message} (see `trayassist --help`)\n")


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--basedir", metavar="DIR", default=default,
                        help="keep config, data, cache, state, logs and the socket under DIR")
    parser.add_argument("--no-err-windows", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="log errors instead of showing dialogs")


def build_parser() -> Parser:
    parser = Parser(prog="trayassist", description="A private, offline voice assistant in your tray.")
    parser.add_argument("--version", action="version", version=f"trayassist {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        _global_options(p, suppress=True)
        return p

    add("run", "start the tray app (a second launch hands over and exits 0)")
    p = add("doctor", "check microphone, model, hotkey, keyring, tray and guard")
    p.add_argument("--json", action="store_true")
    p = add("ptt", "push-to-talk on the running app")
    p.add_argument("action", choices=["press", "release", "toggle", "cancel"])
    p.add_argument("--wait", action="store_true", help="with release: wait for the transcript")
    p.add_argument("--json", action="store_true")
    p.add_argument("--timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    p = add("status", "live state of the running app")
    p.add_argument("--json", action="store_true")
    p = add("ask", "run the assistant on text")
    p.add_argument("text", nargs="+")
    p.add_argument("--dry-run", action="store_true", help="match and report, do nothing")
    p.add_argument("--json", action="store_true")
    add("quit", "stop the running app")
    for module in EXTERNAL.values():
        mod = importlib.import_module(module)  # a broken subcommand fails loudly, never vanishes
        before = set(sub.choices)
        mod.add_parser(sub)
        for name in set(sub.choices) - before:
            _global_options(sub.choices[name], suppress=True)
            _suppress_nested(sub.choices[name])
    # A command added without help (the model-download child) stays out of the usage line too.
    sub.metavar = "{" + ",".join(a.dest for a in sub._choices_actions) + "}"
    return parser


def _suppress_nested(parser: argparse.ArgumentParser) -> None:
    """Accept the global options after nested sub-commands too (history list --basedir X)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if not any("--basedir" in a.option_strings for a in child._actions):
                    _global_options(child, suppress=True)


def main(argv: list[str] | None = None) -> int:
    from trayassist.core.ipc_peer import EndpointRefused

    try:
        return _main(argv)
    except EndpointRefused as exc:  # a runtime dir, socket or peer that is not the user's
        return _fail(str(exc))
    except BrokenPipeError:
        # `trayassist status | head -1`: the reader left; say nothing more (Python docs' recipe).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAIL


def _main(argv: list[str] | None) -> int:
    import os

    from trayassist.core.hardening import harden_process

    harden_process()  # every command may decrypt the history: no core dumps of it

    # Before any library loads: onnxruntime (the VAD) otherwise phones home to Microsoft,
    # and the HF hub stays offline unless the user consents to a download.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    from trayassist.core.paths import Paths

    try:
        paths = Paths.from_basedir(args.basedir)
    except OSError as exc:
        return _fail(f"cannot use --basedir: {exc.strerror}")
    if command == "run":
        from trayassist.app import run

        return run(paths, no_err_windows=args.no_err_windows, verbose=args.verbose)
    if command in EXTERNAL:
        from trayassist.core.config import SettingsStore

        paths.ensure()
        settings = SettingsStore(paths.settings_file).load()
        return int(importlib.import_module(EXTERNAL[command]).run(args, paths, settings))
    if command == "doctor":
        from trayassist.doctor import run_doctor

        return run_doctor(paths, as_json=args.json)
    if command == "ask":
        return _ask(paths, " ".join(args.text), args.dry_run, args.json)
    return _remote(paths, command, args)


def _fail(message: str) -> int:
    print(f"trayassist: error: {message}", file=sys.stderr)
    return EXIT_FAIL


def _call(paths: Any, cmd: str, timeout: float = 10.0, **kwargs: Any) -> dict[str, Any]:
    from trayassist import ipc_client

    return ipc_client.call(paths.ipc_name, cmd, timeout=timeout, **kwargs)


def _remote(paths: Any, command: str, args: argparse.Namespace) -> int:
    from trayassist.core.ipc_protocol import ProtocolError
    from trayassist.ipc_client import NotRunning

    try:
        if command == "status":
            reply = _call(paths, "status")
            if not reply["ok"]:
                return _fail(reply["error"])
            if args.json:
                print(json.dumps(reply["result"], indent=2))
            else:
                from trayassist.core.status import Status
                from trayassist.core.status_text import describe

                print(describe(Status.from_json(reply["result"])))
            return EXIT_OK
        if command == "quit":
            reply = _call(paths, "quit")
            return EXIT_OK if reply["ok"] else _fail(reply["error"])
        if command == "ptt":
            if args.wait and args.action != "release":
                return _fail("--wait goes with `ptt release`")
            reply = _call(paths, f"ptt.{args.action}", timeout=args.timeout, wait=args.wait)
            if not reply["ok"]:
                return _fail(reply["error"])
            result = reply.get("result")
            if args.json:
                print(json.dumps(result, indent=2, ensure_ascii=False))
            elif args.wait and isinstance(result, dict):
                print(result.get("text", ""))
                assistant = result.get("assistant") or {}
                if assistant.get("skill") and assistant.get("reply"):  # dictation needs no reply line
                    print(assistant["reply"])
            return EXIT_OK
    except NotRunning:
        return _fail("TrayAssist is not running (start it with `trayassist`)")
    except BrokenPipeError:
        raise
    except (ProtocolError, OSError) as exc:
        return _fail(str(exc) or type(exc).__name__)
    return _fail(f"unknown command {command}")  # pragma: no cover


def _ask(paths: Any, text: str, dry_run: bool, as_json: bool) -> int:
    from trayassist.core.ipc_protocol import ProtocolError
    from trayassist.ipc_client import NotRunning

    if not text.strip():
        return _fail("nothing to ask: give the words, e.g. trayassist ask \"what time is it\"")
    try:
        reply = _call(paths, "ask", timeout=30.0, text=text, dry_run=dry_run)
        if not reply["ok"]:
            return _fail(reply["error"])
        result = reply["result"]
    except NotRunning:
        # No app running: answer here, under the same guard as the app. Timers set now
        # fire when the app next runs.
        from trayassist.app import local_assistant
        from trayassist.core.privacy.own_watch import guarded_command

        try:
            with guarded_command("ask") as guard, local_assistant(paths) as assistant:
                result = assistant.handle(text, dry_run=dry_run).to_dict()
        except Exception as exc:
            return _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if guard.self_connections:
            return EXIT_FAIL  # guarded_command said why, in one line
    except (ProtocolError, OSError) as exc:
        return _fail(str(exc) or type(exc).__name__)
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        skill = result.get("skill") or "none"
        print(f"skill: {skill}")
        if result.get("params"):
            print("params: " + json.dumps(result["params"], ensure_ascii=False))
        print(result.get("reply") or "")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
