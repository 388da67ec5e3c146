"""Platform backends on a private Xvfb: pynput hotkey, typing/pasting into real windows.

Each module run starts its own `Xvfb` on a free display (-displayfd) and points only
our subprocesses and backends at it, then tears everything down.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.pulse import wait_for
from tests.support.windows import UNICODE, Window, focus, line_edit_windows, xdotool
from trayassist.platform.hotkeys.chord import parse_chord
from trayassist.platform.hotkeys.controller import HotkeyController
from trayassist.platform.hotkeys.pynput_backend import PynputBackend
from trayassist.platform.output import OutputResult, TextOutput, X11Clipboard

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    for tool in ("Xvfb", "xdotool", "xclip", "xprop", "xterm"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} missing: run `make test` (installs it as root)")
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        assert number.isdigit(), "Xvfb did not report a display"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def xenv(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    return env | {"DISPLAY": display}


@pytest.fixture
def windows(xenv: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], Window]]:
    yield from line_edit_windows(xenv, tmp_path)




# --- hotkey -----------------------------------------------------------------------


@pytest.fixture
def pynput_backend(xenv: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[PynputBackend]:
    # pynput (Xlib) reads DISPLAY from the process environment; monkeypatch restores it.
    monkeypatch.setenv("DISPLAY", xenv["DISPLAY"])
    backend = PynputBackend(xenv)
    ok, why = backend.available()
    assert ok, why
    yield backend
    backend.stop()


def test_pynput_fires_exactly_once_on_the_chord_only(
    pynput_backend: PynputBackend, xenv: dict[str, str]
) -> None:
    events: list[tuple[str, str]] = []

    def on(kind: str) -> Callable[[], None]:
        return lambda: events.append((kind, threading.current_thread().name))

    pynput_backend.start(parse_chord("ctrl+alt+space"), on("press"), on("release"))
    xdotool(xenv, "keydown", "ctrl+alt+space")
    assert wait_for(lambda: len(events) == 1, 10)
    xdotool(xenv, "keydown", "space")  # a second down while held, like auto-repeat
    xdotool(xenv, "keyup", "ctrl+alt+space")
    assert wait_for(lambda: len(events) == 2, 10)
    assert [k for k, _ in events] == ["press", "release"]
    assert all(t != threading.main_thread().name for _, t in events)  # listener thread

    # The wrong chord, then the right one as a marker: events arrive in order, so had
    # ctrl+shift+alt+space fired we would now see more than two new events.
    xdotool(xenv, "keydown", "ctrl+shift+alt+space")
    xdotool(xenv, "keyup", "ctrl+shift+alt+space")
    xdotool(xenv, "keydown", "ctrl+alt+space")
    xdotool(xenv, "keyup", "ctrl+alt+space")
    assert wait_for(lambda: len(events) >= 4, 10)
    assert [k for k, _ in events] == ["press", "release", "press", "release"]


def test_pynput_drives_hold_controller(pynput_backend: PynputBackend,
                                       xenv: dict[str, str]) -> None:
    calls: list[str] = []
    ctl = HotkeyController("hold", lambda: calls.append("start"), lambda: calls.append("stop"))
    pynput_backend.start(parse_chord("super+h"), ctl.press, ctl.release)
    xdotool(xenv, "keydown", "super+h")
    assert wait_for(lambda: calls == ["start"], 10)
    xdotool(xenv, "keyup", "h")
    assert wait_for(lambda: calls == ["start", "stop"], 10)
    xdotool(xenv, "keyup", "super")
    listener = pynput_backend._listener  # type: ignore[attr-defined]
    pynput_backend.stop()
    assert not listener.is_alive()  # stopped without waiting for another key event
    xdotool(xenv, "key", "super+h")  # after stop() nothing may arrive
    assert pynput_backend.matcher is not None and not pynput_backend.matcher.active
    assert calls == ["start", "stop"]


def test_callback_error_does_not_kill_the_hotkey(
    pynput_backend: PynputBackend, xenv: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    presses: list[int] = []

    def flaky_press() -> None:
        presses.append(1)
        if len(presses) == 1:
            raise RuntimeError("bug in on_start")

    pynput_backend.start(parse_chord("ctrl+alt+space"), flaky_press, lambda: None)
    xdotool(xenv, "key", "ctrl+alt+space")
    xdotool(xenv, "key", "ctrl+alt+space")
    assert wait_for(lambda: len(presses) == 2, 10)
    assert "hotkey callback failed" in caplog.text


def test_start_on_a_dead_display_raises(monkeypatch: pytest.MonkeyPatch, xenv: dict[str, str],
                                        tmp_path: Path) -> None:
    from trayassist.platform.hotkeys.backend import HotkeyError

    # The real display first, so pynput imports; then point Xlib at nothing.
    monkeypatch.setenv("DISPLAY", xenv["DISPLAY"])
    backend = PynputBackend(xenv)
    assert backend.available()[0]
    monkeypatch.setenv("DISPLAY", ":4093")
    with pytest.raises(HotkeyError, match="cannot open the X display"):
        backend.start(parse_chord("ctrl+alt+space"), lambda: None, lambda: None)
    backend.stop()


# --- text output --------------------------------------------------------------------


@pytest.fixture
def output(xenv: dict[str, str]) -> TextOutput:
    return TextOutput.for_session(xenv, platform="linux")


def test_unicode_arrives_intact_in_a_qt_line_edit(
    output: TextOutput, windows: Callable[[str], Window], xenv: dict[str, str]
) -> None:
    win = windows("ta-edit")
    focus(xenv, win)
    output.focus.mark()
    result = output.deliver(UNICODE, "type")
    assert result.inserted, result
    assert result.method == "paste:ctrl+v:xlib"  # xdotool type mangles non-ASCII
    assert wait_for(lambda: win.text() == UNICODE, 10), repr(win.text())
    assert result.focus_checked and not result.focus_changed


def test_ascii_is_typed_into_a_qt_line_edit(
    output: TextOutput, windows: Callable[[str], Window], xenv: dict[str, str]
) -> None:
    win = windows("ta-ascii")
    focus(xenv, win)
    result = output.deliver("Hello, world: 42 (typed)!", "type")
    assert result.method == "type:xdotool"
    assert wait_for(lambda: win.text() == "Hello, world: 42 (typed)!", 10), repr(win.text())


def test_unicode_arrives_intact_in_xterm(
    output: TextOutput, xenv: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "xterm.txt"
    term = subprocess.Popen(["xterm", "-title", "ta-xterm", "-e", "sh", "-c", f"cat > {out}"],
                            env=xenv | {"LC_ALL": "C.UTF-8"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wid = xdotool(xenv, "search", "--sync", "--name", "^ta-xterm$").splitlines()[0]
        assert wait_for(out.exists, 10)  # the shell inside is running
        xdotool(xenv, "windowfocus", "--sync", wid)
        result = output.deliver(UNICODE, "type")
        assert result.method == "paste:shift+insert:xlib"  # xterm pastes PRIMARY
        output.deliver("\n", "type")  # cat writes the line out on Enter
        assert wait_for(lambda: out.read_text(encoding="utf-8") == UNICODE + "\n", 10), \
            repr(out.read_text(encoding="utf-8"))
    finally:
        term.terminate()
        term.wait(timeout=10)


def test_paste_restores_the_previous_clipboard(
    output: TextOutput, windows: Callable[[str], Window], xenv: dict[str, str]
) -> None:
    clip = X11Clipboard.for_env(xenv)
    assert clip.set("previous ✓ clipboard")
    win = windows("ta-restore")
    focus(xenv, win)
    result = output.deliver("ß und 日本語 über alles", "type")
    assert result.inserted and result.method.startswith("paste:")
    assert wait_for(lambda: win.text() == "ß und 日本語 über alles", 10)
    assert clip.get() == "previous ✓ clipboard"


def test_clipboard_mode_copies_without_typing(
    output: TextOutput, windows: Callable[[str], Window], xenv: dict[str, str]
) -> None:
    win = windows("ta-clip")
    focus(xenv, win)
    result = output.deliver("copy me 😀", "clipboard")
    assert result.on_clipboard and not result.inserted
    assert X11Clipboard.for_env(xenv).get() == "copy me 😀"
    xdotool(xenv, "type", "z")  # marker: anything typed before would precede it
    assert wait_for(lambda: win.text() == "z", 10), repr(win.text())


def test_focus_change_copies_instead_of_typing(
    output: TextOutput, windows: Callable[[str], Window], xenv: dict[str, str]
) -> None:
    first, second = windows("ta-first"), windows("ta-second")
    focus(xenv, first)
    assert output.focus.mark() == first.wid
    focus(xenv, second)  # the user clicked elsewhere while the words were transcribed
    result = output.deliver("meant for the first window", "type")
    assert result.focus_changed and not result.inserted and result.on_clipboard
    assert result.notice is not None
    assert X11Clipboard.for_env(xenv).get() == "meant for the first window"
    xdotool(xenv, "type", "z")  # marker in the now-focused window
    assert wait_for(lambda: second.text() == "z", 10), repr(second.text())
    assert first.text() == ""


@pytest.mark.parametrize("kind", ["ascii", "unicode", "ascii-typed"])
def test_600_characters_land_quickly(
    windows: Callable[[str], Window], xenv: dict[str, str],
    kind: str, record_property: Callable[[str, object], None],
) -> None:
    # A benchmark figure, recorded rather than asserted (timing varies with load).
    output = TextOutput.for_session(xenv, platform="linux",
                                    method="type" if kind == "ascii-typed" else "auto")
    unit = "Grüße aus 日本 ✓ " if kind == "unicode" else "The quick brown fox jumps over it. "
    text = (unit * 60)[:600]
    win = windows(f"ta-bench-{kind}")
    focus(xenv, win)
    results: list[OutputResult] = []
    # deliver() blocks until the old clipboard is back, after the text landed: run it
    # beside the poll so the landing time is measured, not deliver()'s return.
    worker = threading.Thread(target=lambda: results.append(output.deliver(text, "type")))
    start = time.monotonic()
    worker.start()
    assert wait_for(lambda: win.text() == text, 10, interval=0.002)
    landed = time.monotonic() - start
    worker.join(timeout=10)
    (result,) = results
    record_property(f"land_600_{kind}_s", round(landed, 3))
    print(f"600 {kind} chars via {result.method}: landed {landed:.3f} s, "
          f"deliver() returned after {result.seconds:.3f} s")
    assert result.inserted


def test_hold_chord_marks_focus_and_dictation_lands_in_that_window(
    pynput_backend: PynputBackend, output: TextOutput,
    windows: Callable[[str], Window], xenv: dict[str, str],
) -> None:
    """The wiring the app does: press marks the focused window, release delivers there."""
    win = windows("ta-flow")
    focus(xenv, win)
    stopped = threading.Event()
    ctl = HotkeyController("hold", lambda: output.focus.mark(), stopped.set)
    pynput_backend.start(parse_chord("ctrl+alt+space"), ctl.press, ctl.release)
    xdotool(xenv, "keydown", "ctrl+alt+space")
    xdotool(xenv, "keyup", "space")
    assert stopped.wait(10)
    xdotool(xenv, "keyup", "ctrl+alt")
    assert output.focus.marked == win.wid
    result = output.deliver("dictated: Grüße ✓", "type")  # off the listener thread
    assert result.inserted and result.focus_checked and not result.focus_changed
    assert wait_for(lambda: win.text() == "dictated: Grüße ✓", 10), repr(win.text())


def test_an_unchanged_clipboard_is_read_once_for_press_and_paste(xenv: dict[str, str]) -> None:
    """warm() at key press reads the clipboard; the paste's snapshot reuses it while the
    owner and its TIMESTAMP are unchanged, so a big copied image is converted only once."""
    from trayassist.platform.output import X11Clipboard
    from trayassist.platform.output.x11_selection import SelectionTarget, X11Selections

    owner = X11Selections(xenv)
    serial = owner.own("CLIPBOARD", [SelectionTarget("image/x-test", b"\x89" * 300_000)])
    clip = X11Clipboard.for_env(xenv)
    first, second = clip.snapshot(), clip.snapshot(data=True)  # key press, then paste
    assert first is not None and second is not None and first.ref != second.ref
    assert [t.name for t in first.targets] == [t.name for t in second.targets] == ["image/x-test"]
    assert first.targets[0].data == b"" and second.targets[0].data == b"\x89" * 300_000  # kept in the helper
    assert owner.fetch_count(serial) == 1  # TARGETS and TIMESTAMP aside, read once
    owner.forget(serial)
    newer = owner.own("CLIPBOARD", [SelectionTarget("image/x-test", b"new")])
    third = clip.snapshot(data=True)
    assert third is not None and third.targets[0].data == b"new" and owner.fetch_count(newer) == 1
    owner.close()
    clip.close()
