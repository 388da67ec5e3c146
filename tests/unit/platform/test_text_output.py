"""TextOutput decisions with a fake desktop: which tool, paste keys, restore, focus guard."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest

from trayassist.platform.output import (
    HINT_TARGETS,
    FocusTracker,
    Keyboard,
    NoClipboard,
    OutputResult,
    Snapshot,
    TextOutput,
)
from trayassist.platform.output.clipboard import TEXT_TARGETS, text_targets
from trayassist.platform.output.keyboard import is_plain_ascii
from trayassist.platform.output.shell import RunResult
from trayassist.platform.output.x11_selection import SelectionTarget

pytestmark = pytest.mark.unit


class FakeShell:
    """Pretends to be a desktop: a focused window, tools on PATH. Logs every command."""

    def __init__(self, tools: Sequence[str], focus: Sequence[str] = ("4242",),
                 wm_class: str = '"gedit", "Gedit"') -> None:
        self.tools = set(tools)
        self.focus = list(focus)  # successive answers of getwindowfocus
        self.wm_class = wm_class
        self.log: list[tuple[str, object]] = []
        self.stdin: list[tuple[list[str], bytes]] = []
        self.answers: dict[str, bytes] = {}  # first argv word -> stdout
        self.fail: Callable[[list[str]], bool] = lambda args: False

    def which(self, name: str) -> str | None:
        return f"/usr/bin/{name}" if name in self.tools else None

    def run(self, args: Sequence[str], input: bytes | None = None, timeout: float = 5.0,
            capture: bool = True) -> RunResult:
        args = list(args)
        self.log.append(("run", args))
        if input is not None:
            self.stdin.append((args, input))
        if self.fail(args):
            return RunResult(1)
        if args[:2] == ["xdotool", "getactivewindow"]:
            return RunResult(1, b"", b"no EWMH")
        if args[:2] == ["xdotool", "getwindowfocus"]:
            win = self.focus.pop(0) if len(self.focus) > 1 else self.focus[0]
            return RunResult(0, f"{win}\n".encode())
        if args[0] == "xprop":
            return RunResult(0, f"WM_CLASS(STRING) = {self.wm_class}\n".encode())
        return RunResult(0, self.answers.get(args[0], b""))

    def spawn(self, args: Sequence[str], input: bytes | None = None) -> object:
        raise AssertionError("nothing is spawned in these tests")

    def commands(self, tool: str) -> list[list[str]]:
        return [a for k, a in self.log if k == "run" and a[0] == tool]  # type: ignore[index]


class FakeOffer:
    def __init__(self, clip: FakeClipboard, text: str, selection: str) -> None:
        self.clip, self.text, self.selection = clip, text, selection

    def arm(self) -> None:
        self.clip.events.append(("arm", self.selection))

    def wait_done(self, timeout: float) -> bool | None:
        self.clip.events.append(("wait", timeout))
        return self.clip.fetched

    def finish(self, previous: Snapshot | None, keep: bool = False) -> None:
        self.clip.events.append(("finish", keep))
        if keep:
            return
        if previous is None or previous.empty:
            self.clip.held[self.selection] = Snapshot([])
        else:
            self.clip.held[self.selection] = previous


class FakeClipboard:
    """In-memory selections holding whole snapshots (every target), as the real ones do."""

    def __init__(self, tool: str = "fake", hints: bool = True, primary: bool = True) -> None:
        self.tool: str | None = tool
        self.hints = hints
        self.supports_primary = primary
        self.fetched: bool | None = True
        self.readable = True
        self.events: list[tuple[str, object]] = []
        previous = [SelectionTarget("image/png", b"\x89PNG\0binary"),
                    SelectionTarget("UTF8_STRING", b"old clip")]
        self.held: dict[str, Snapshot] = {"clipboard": Snapshot(previous),
                                          "primary": Snapshot(text_targets("old primary"))}

    def warm(self) -> None:
        self.events.append(("warm", None))

    def get(self, selection: str = "clipboard") -> str | None:
        return self.held[selection].text()

    def set(self, text: str, selection: str = "clipboard") -> bool:
        self.events.append(("set", text))
        self.held[selection] = Snapshot(text_targets(text))
        return True

    def snapshot(self, selection: str = "clipboard") -> Snapshot | None:
        self.events.append(("snapshot", selection))
        return self.held[selection] if self.readable else None

    def offer(self, text: str, selection: str = "clipboard") -> FakeOffer:
        self.events.append(("offer", selection))
        self.held[selection] = Snapshot(text_targets(text))
        return FakeOffer(self, text, selection)

    def kinds(self) -> list[str]:
        return [k for k, _ in self.events]


def make(shell: FakeShell, session: str = "x11", clip: FakeClipboard | None = None,
         **kw: object) -> TextOutput:
    clip = clip if clip is not None else FakeClipboard()
    return TextOutput(shell, session, clipboard=clip,  # type: ignore[arg-type]
                      sleep=lambda s: shell.log.append(("sleep", s)), **kw)  # type: ignore[arg-type]


def x11(*tools: str, **kw: object) -> FakeShell:
    return FakeShell(["xdotool", "xprop", *tools], **kw)  # type: ignore[arg-type]


def test_short_ascii_is_typed_from_stdin_never_argv() -> None:
    shell, clip = x11(), FakeClipboard()
    out = make(shell, clip=clip)
    out.focus.mark()
    r = out.deliver("hello world", "type")
    assert r.inserted and r.method == "type:xdotool" and not r.on_clipboard
    typed = [(a, i) for a, i in shell.stdin if a[:2] == ["xdotool", "type"]]
    assert typed == [(["xdotool", "type", "--clearmodifiers", "--delay", "0", "--file", "-"],
                      b"hello world")]
    assert not any("hello" in word for _, a in shell.log if isinstance(a, list) for word in a)
    assert clip.get() == "old clip" and "offer" not in clip.kinds()  # typing leaves it alone
    assert r.focus_checked and not r.focus_changed and r.notice is None


def test_non_ascii_is_pasted_then_the_whole_previous_clipboard_comes_back() -> None:
    shell, clip = x11(), FakeClipboard()
    before = clip.held["clipboard"]
    r = make(shell, clip=clip).deliver("héllo wörld ✓ 日本", "type")
    assert r.inserted and r.method == "paste:ctrl+v:fake"
    assert ["xdotool", "key", "--clearmodifiers", "ctrl+v"] in shell.commands("xdotool")
    # snapshot before owning, armed before the keys, restored only after the fetch
    assert clip.kinds() == ["snapshot", "offer", "arm", "wait", "finish"]
    assert clip.held["clipboard"] == before  # the PNG too, not just the text
    assert ("sleep", pytest.approx(0.15, abs=0.05)) in shell.log


def test_pasted_text_is_cleared_when_the_clipboard_was_empty() -> None:
    shell, clip = x11(), FakeClipboard()
    clip.held["clipboard"] = Snapshot([])
    make(shell, clip=clip).deliver("日本語", "type")
    assert clip.held["clipboard"].empty


def test_unreadable_previous_clipboard_still_clears_our_text() -> None:
    shell, clip = x11(), FakeClipboard()
    clip.readable = False
    make(shell, clip=clip).deliver("日本語", "type")
    assert clip.held["clipboard"].empty


def test_long_ascii_is_pasted_not_typed() -> None:
    shell, clip = x11(), FakeClipboard()
    r = make(shell, clip=clip).deliver("a" * 600, "type")
    assert r.method == "paste:ctrl+v:fake"
    assert not [a for a in shell.commands("xdotool") if a[1] == "type"]


def test_method_type_forces_typing_for_long_ascii() -> None:
    assert make(x11(), method="type").deliver("a" * 600).method == "type:xdotool"


@pytest.mark.parametrize(
    ("wm_class", "combo", "selection"),
    [
        ('"gnome-terminal-server", "Gnome-terminal"', "ctrl+shift+v", "clipboard"),
        ('"kitty", "kitty"', "ctrl+shift+v", "clipboard"),
        ('"Alacritty", "Alacritty"', "ctrl+shift+v", "clipboard"),
        ('"org.wezfurlong.wezterm", "org.wezfurlong.wezterm"', "ctrl+shift+v", "clipboard"),
        ('"xterm", "XTerm"', "shift+Insert", "primary"),
        ('"firefox", "Firefox"', "ctrl+v", "clipboard"),
    ],
)
def test_terminals_get_their_paste_keys(wm_class: str, combo: str, selection: str) -> None:
    shell, clip = x11(wm_class=wm_class), FakeClipboard()
    r = make(shell, clip=clip).deliver("naïve", "type")
    assert ["xdotool", "key", "--clearmodifiers", combo] in shell.commands("xdotool")
    assert ("offer", selection) in clip.events
    assert clip.get(selection) == f"old {'clip' if selection == 'clipboard' else selection}"
    assert r.inserted


def test_primary_falls_back_to_clipboard_where_unsupported() -> None:
    shell, clip = x11(wm_class='"xterm", "XTerm"'), FakeClipboard(primary=False)
    r = make(shell, clip=clip).deliver("naïve", "type")
    assert r.method == "paste:ctrl+shift+v:fake" and ("offer", "clipboard") in clip.events


def test_focus_changed_copies_instead_of_typing() -> None:
    shell, clip = x11(focus=["100", "200"]), FakeClipboard()
    out = make(shell, clip=clip)
    assert out.focus.mark() == "100"
    r = out.deliver("secret words", "type")
    assert not r.inserted and r.focus_changed and r.on_clipboard
    assert clip.get() == "secret words" and ("set", "secret words") in clip.events
    assert not [a for a in shell.commands("xdotool") if a[1] in ("type", "key")]
    assert r.notice is not None and "on the clipboard" in r.notice


def test_mark_warms_the_clipboard_while_the_user_speaks() -> None:
    shell, clip = x11(), FakeClipboard()
    make(shell, clip=clip).focus.mark()
    assert clip.kinds() == ["warm"]


def test_pointer_root_focus_is_unknown_not_a_change() -> None:
    shell = x11(focus=["1", "555"])
    out = make(shell)
    assert out.focus.mark() is None
    r = out.deliver("hi", "type")
    assert r.inserted and not r.focus_checked


def test_clipboard_mode_only_copies() -> None:
    shell, clip = x11(), FakeClipboard()
    r = make(shell, clip=clip).deliver("for later", "clipboard")
    assert r.on_clipboard and not r.inserted and r.method == "clipboard:fake"
    assert clip.get() == "for later"
    assert not shell.commands("xdotool")


def test_copy_is_the_history_window_entry_point() -> None:
    clip = FakeClipboard()
    out = make(x11(), clip=clip)
    assert out.copy("from the history ✓") and clip.get() == "from the history ✓"
    assert not out.copy("")


def test_both_pastes_and_leaves_the_text_on_the_clipboard() -> None:
    shell, clip = x11(), FakeClipboard()
    r = make(shell, clip=clip).deliver("ünïcode both", "both")
    assert r.inserted and r.on_clipboard
    assert clip.get() == "ünïcode both"
    assert ("finish", True) in clip.events and "snapshot" not in clip.kinds()


def test_both_types_and_copies() -> None:
    shell, clip = x11(), FakeClipboard()
    r = make(shell, clip=clip).deliver("short", "both")
    assert r.method == "type:xdotool" and r.on_clipboard and clip.get() == "short"


def test_none_mode_does_nothing() -> None:
    shell = x11()
    assert make(shell).deliver("x", "none") == OutputResult("none")
    assert make(shell).deliver("", "type") == OutputResult("type")
    assert shell.log == []


def test_failed_typing_falls_back_to_paste() -> None:
    shell = x11()
    shell.fail = lambda args: args[:2] == ["xdotool", "type"]
    r = make(shell).deliver("hello", "type")
    assert r.inserted and r.method.startswith("paste:")


def test_failed_paste_keys_leave_the_text_on_the_clipboard_and_say_so() -> None:
    shell, clip = x11(), FakeClipboard()
    shell.fail = lambda args: args[:2] == ["xdotool", "key"]
    r = make(shell, clip=clip).deliver("日本", "type")
    assert not r.inserted and r.on_clipboard and clip.get() == "日本"
    assert "could not send ctrl+v" in (r.error or "") and "on the clipboard" in (r.error or "")
    assert clip.kinds()[-2:] == ["finish", "set"]  # our offer ended, then a plain copy


def test_nothing_installed_reports_how_to_fix() -> None:
    r = TextOutput(FakeShell([]), "x11", clipboard=NoClipboard()).deliver("hello", "type")  # type: ignore[arg-type]
    assert not r.inserted and not r.on_clipboard
    assert r.error is not None and "install xdotool" in r.error


def test_no_clipboard_and_non_ascii_cannot_type() -> None:
    r = TextOutput(FakeShell(["xdotool"]), "x11", clipboard=NoClipboard()).deliver("日本", "type")  # type: ignore[arg-type]
    assert not r.inserted and "cannot type this text" in (r.error or "")
    assert "python-xlib" in (r.error or "")


def test_paste_never_fetched_still_restores() -> None:
    shell, clip = x11(), FakeClipboard()
    clip.fetched = False
    make(shell, clip=clip).deliver("日本語", "type")
    assert clip.get() == "old clip"


def test_unconfirmed_paste_waits_before_restore() -> None:
    shell, clip = x11(), FakeClipboard()
    clip.fetched = None  # a clipboard that cannot tell when the window read it
    r = make(shell, clip=clip, unconfirmed_wait_s=0.5).deliver("ß", "type")
    assert r.inserted and ("sleep", 0.5) in shell.log and clip.get() == "old clip"


def test_bad_mode_and_method_rejected() -> None:
    shell = x11()
    with pytest.raises(ValueError, match="output mode"):
        make(shell).deliver("x", "shout")
    with pytest.raises(ValueError, match="output method"):
        make(shell, method="telepathy")


def test_describe_names_the_tools() -> None:
    out = make(FakeShell(["xdotool"]))
    assert out.describe() == "typing: xdotool; clipboard: fake; focus guard: on"
    unhinted = make(FakeShell(["wtype"]), "wayland", clip=FakeClipboard("wl-copy", hints=False))
    assert unhinted.describe() == (
        "typing: wtype; clipboard: wl-copy (no clipboard-history hint: managers may keep copied "
        "text); focus guard: unavailable (this Wayland desktop does not tell other programs "
        "which window has focus)")


@pytest.mark.parametrize(("text", "plain"), [("abc 123!\n\t~", True), ("é", False), ("✓", False)])
def test_is_plain_ascii(text: str, plain: bool) -> None:
    assert is_plain_ascii(text) is plain


def test_focus_without_tools() -> None:
    focus = FocusTracker(FakeShell([]), "x11")  # type: ignore[arg-type]
    assert focus.current() is None and focus.changed() is None
    assert not focus.available and focus.why_unavailable == "install xdotool"


def test_text_targets_carry_the_hints_first() -> None:
    targets = text_targets("naïve")
    assert targets[:2] == list(HINT_TARGETS)
    assert {t.name: t.data for t in targets}["x-kde-passwordManagerHint"] == b"secret"
    assert {t.name for t in targets} - {h.name for h in HINT_TARGETS} == TEXT_TARGETS
    assert {t.name: t.data for t in targets}["STRING"] == "naïve".encode("latin-1")
    assert "STRING" not in {t.name for t in text_targets("日本")}  # Latin-1 only when lossless


def test_snapshot_text_prefers_utf8() -> None:
    snap = Snapshot([SelectionTarget("STRING", b"caf\xe9"), SelectionTarget("UTF8_STRING", "café ✓".encode())])
    assert snap.text() == "café ✓"
    assert Snapshot([SelectionTarget("STRING", b"caf\xe9")]).text() == "café"
    assert Snapshot([SelectionTarget("image/png", b"x")]).text() is None


def test_wtype_combo_args() -> None:
    shell = FakeShell(["wtype"])
    Keyboard(shell, "wayland").send_combo("ctrl+shift+v")  # type: ignore[arg-type]
    assert shell.log[-1] == ("run", ["wtype", "-s", "30", "-M", "ctrl", "-M", "shift", "-k", "v",
                                     "-m", "shift", "-m", "ctrl"])


def test_pynput_fallback_when_no_tool() -> None:
    typed: list[str] = []

    class Ctl:
        def type(self, text: str) -> None:
            typed.append(text)

    kb = Keyboard(FakeShell([]), "windows", pynput_controller=Ctl)  # type: ignore[arg-type]
    out = TextOutput(FakeShell([]), "windows", keyboard=kb, clipboard=NoClipboard())  # type: ignore[arg-type]
    r = out.deliver("日本 ok", "type")
    assert r.inserted and r.method == "type:pynput" and typed == ["日本 ok"]


def test_sway_tree_parsing_finds_the_focused_window() -> None:
    shell = FakeShell(["wtype", "swaymsg"])
    tree = {"type": "root", "nodes": [{"type": "output", "nodes": [{"type": "workspace", "nodes": [
        {"type": "con", "id": 7, "pid": 10, "focused": False, "app_id": "firefox"},
        {"type": "con", "id": 9, "pid": 11, "focused": True, "app_id": "foot"}]}]}]}
    shell.answers["swaymsg"] = json.dumps(tree).encode()
    focus = FocusTracker(shell, "wayland", {"SWAYSOCK": "/run/sway.sock"})  # type: ignore[arg-type]
    assert focus.focused() == ("9", ("foot",))
