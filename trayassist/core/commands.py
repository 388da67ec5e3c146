"""What the running app can be asked to do: one table, served over IPC to the CLI and
used by the tray's own menu. Every command answers through `done(result, error)`; none
blocks a worker while it waits (a release waits on its future, `ask` on a gate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from trayassist.core.errors import UserError
from trayassist.core.lanes import Done, Gate, Lane, deliver

if TYPE_CHECKING:
    from trayassist.core.controller import Controller

log = logging.getLogger(__name__)

# The table: name and what it does. The IPC protocol accepts exactly these names.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("activate", "a second launch hands over: say that TrayAssist already runs"),
    ("status", "the live status, as `trayassist status --json` prints it"),
    ("ptt.press", "open the microphone; answers once the stream runs"),
    ("ptt.release", "close the microphone; with wait, answers with the transcript and the assistant's result"),
    ("ptt.toggle", "press when idle, release when listening"),
    ("ptt.cancel", "close the microphone and discard what was said: nothing typed, nothing kept"),
    ("ask", "run the assistant on text; dry_run only reports the match"),
    ("history.forget", "forget what was said in the last span (5m, 2h, 1d, today)"),
    ("history.delete", "delete history records by id"),
    ("history.wipe", "crypto-erase the whole history"),
    ("vocabulary", "add, remove, list or import the words the transcriber should prefer"),
    ("quit", "stop the app"),
)
NAMES = frozenset(name for name, _ in COMMANDS)
ASK_WAIT_S = 20.0  # right after start the history (and so the assistant) may still be opening

Handler = Callable[[Mapping[str, Any], Done], None]


class HistoryActions(Protocol):
    def forget_since(self, since: datetime) -> int: ...
    def delete(self, record_id: int) -> bool: ...
    def wipe(self) -> None: ...


@dataclass(frozen=True)
class AppActions:
    """What the commands need beyond the controller (built by the composition root)."""

    ptt: Callable[[Callable[[], Any], Done], None]  # press/release/cancel, in order, once started
    history_lane: Lane
    history: Callable[[], HistoryActions | None]  # the open history, if any
    assistant_ready: Gate
    activate: Callable[[], None]  # say "already running" (the UI, on its own thread)
    quit: Callable[[], None]  # ask the UI to quit (the UI, on its own thread)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


class CommandTable:
    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        missing, extra = NAMES - set(handlers), set(handlers) - NAMES
        if missing or extra:
            raise ValueError(f"command table mismatch: missing {sorted(missing)}, unknown {sorted(extra)}")
        self._handlers = dict(handlers)

    def dispatch(self, name: str, args: Mapping[str, Any], done: Done) -> None:
        """Run one command; `done` is called exactly once, on whichever thread finishes it."""
        handler = self._handlers.get(name)
        if handler is None:
            done(None, UserError(f"unknown command {name}"))
            return
        try:
            handler(args, done)
        except Exception as exc:  # a bug in one command must not take the caller down
            done(None, exc)


def app_commands(controller: Controller, actions: AppActions) -> CommandTable:
    def on_ptt(fn: Callable[[], Any]) -> Handler:
        def handler(_args: Mapping[str, Any], done: Done) -> None:
            actions.ptt(fn, done)

        return handler

    def press() -> dict[str, Any]:
        controller.press()
        mic: dict[str, Any] = controller.status().to_json()["mic"]
        return mic

    def release(args: Mapping[str, Any], done: Done) -> None:
        wait = bool(args.get("wait"))

        def released(future: Any, error: BaseException | None) -> None:
            if error is not None:
                done(None, error)
            elif wait:
                deliver(future, done)  # answers when the transcript is ready; no thread waits
            else:
                done({"released": True}, None)

        actions.ptt(controller.release, released)

    def ask(args: Mapping[str, Any], done: Done) -> None:
        text = args.get("text")
        if not isinstance(text, str) or not text.strip():
            raise UserError("ask needs text")
        dry_run = bool(args.get("dry_run"))
        actions.assistant_ready.when_open(
            lambda: controller.ask_async(text, dry_run, done), ASK_WAIT_S,
            lambda: done(None, UserError("the assistant is still starting; try again in a moment")))

    def on_history(work: Callable[[HistoryActions, Mapping[str, Any]], Any]) -> Handler:
        def handler(args: Mapping[str, Any], done: Done) -> None:
            def run() -> Any:
                store = actions.history()
                if store is None:
                    raise UserError("the running app has no history open")
                return work(store, args)

            actions.history_lane.submit(run, done)

        return handler

    def forget(store: HistoryActions, args: Mapping[str, Any]) -> dict[str, int]:
        from trayassist.core.history.retention import forget_start

        try:
            start = forget_start(str(args.get("span") or ""), actions.now())
        except ValueError as exc:
            raise UserError(str(exc).splitlines()[0]) from None
        return {"forgotten": store.forget_since(start)}

    def delete(store: HistoryActions, args: Mapping[str, Any]) -> dict[str, list[int]]:
        ids = args.get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and i > 0 for i in ids):
            raise UserError("delete needs record ids")
        gone = [i for i in dict.fromkeys(ids) if store.delete(i)]
        return {"deleted": gone, "missing": [i for i in dict.fromkeys(ids) if i not in gone]}

    def wipe(_args: Mapping[str, Any], done: Done) -> None:
        def run() -> dict[str, bool]:
            controller.forget_last_if(lambda _last: True)  # status forgets, whoever erases the files
            store = actions.history()
            if store is None:
                return {"wiped": False}  # not open here: the CLI erases the files itself
            from trayassist.core.history.errors import HistoryError

            try:
                store.wipe()
            except HistoryError as exc:  # e.g. "wipe incomplete": the keyring was unreachable
                raise UserError(str(exc).splitlines()[0]) from None
            return {"wiped": True}

        actions.history_lane.submit(run, done)

    def vocabulary(args: Mapping[str, Any], done: Done) -> None:
        # On the caller's thread (the GUI's, like the Settings dialog): settings changes never race.
        from trayassist.core.vocabulary import VocabularyError, handle_request

        try:
            result = handle_request(dict(args), controller.settings, controller.update_settings)
        except VocabularyError as exc:
            raise UserError(str(exc)) from None
        done(result, None)

    def quit_(_args: Mapping[str, Any], done: Done) -> None:
        done({"quitting": True}, None)
        actions.quit()

    def activate(_args: Mapping[str, Any], done: Done) -> None:
        import os

        actions.activate()
        done({"pid": os.getpid()}, None)

    return CommandTable({
        "activate": activate,
        "status": lambda _args, done: done(controller.status().to_json(), None),
        "ptt.press": on_ptt(press),
        "ptt.release": release,
        "ptt.toggle": on_ptt(lambda: {"did": controller.toggle()}),
        "ptt.cancel": on_ptt(lambda: {"cancelled": controller.cancel()}),
        "ask": ask,
        "history.forget": on_history(forget),
        "history.delete": on_history(delete),
        "history.wipe": wipe,
        "vocabulary": vocabulary,
        "quit": quit_,
    })
