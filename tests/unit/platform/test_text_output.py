"""TextOutput decisions with a fake shell: which tool, paste keys, restore, focus guard."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from trayassist.platform.output import (
    Clipboard,
    FocusTracker,
    Keyboard,
    OutputResult,
    TextOutput,
)
from trayassist.platform.output.keyboard import is_plain_ascii
from trayassist.platform.output.shell import RunResult

pytestmark = pytest.mark.unit


class FakeProc:
    def __init__(self, shell: FakeShell, args: list[str], text: str) -> None:
        self.shell, self.args, self.text = shell, args, text
        self.killed = False

    def wait_done(self, timeout: float) -> bool:
        self.shell.log.append(("waited", timeout))
        return self.shell.paste_fetched

    def kill(self) -> None:
        self.killed = True


class FakeShell:
    """Pretends to be a desktop: a clipboard, a focused window, tools on PATH."""

    def __init__(self, tools: Sequence[str], focus: Sequence[str] = ("4242",),
                 wm_class: str = '"gedit", "Gedit"') -> None:
        self.tools = set(tools)
        self.focus = list(focus)  # successive answers of getwindowfocus
        self.wm_class = wm_class
        self.selections: dict[str, str] = {"clipboard": "old clip", "primary": "old primary"}
        self.log: list[tuple[str, object]] = []
        self.paste_fetched = True
        self.fail: Callable[[list[str]], bool] = lambda args: False

    def which(self, name: str) -> str | None:
        return f"/usr/bin/{name}" if name in self.tools else None

    def run(self, args: Sequence[str], input: bytes | None = None, timeout: float = 5.0,
            capture: bool = True) -> RunResult:
        args = list(args)
        self.log.append(("run", args))
        if self.fail(args):
            return RunResult(1)
        if args[:2] == ["xdotool", "getactivewindow"]:
            return RunResult(1, b"", b"no EWMH")
        if args[:2] == ["xdotool", "getwindowfocus"]:
            win = self.focus.pop(0) if len(self.focus) > 1 else self.focus[0]
            return RunResult(0, f"{win}\n".encode())
        if args[0] == "xprop":
            return RunResult(0, f"WM_CLASS(STRING) = {self.wm_class}\n".encode())
        if args[0] in ("xclip", "xsel", "wl-copy") and input is not None:
            sel = "primary" if ("primary" in args or "--primary" in args) else "clipboard"
            self.selections[sel] = input.decode()
            return RunResult(0)
        if args[0] in ("xclip", "xsel", "wl-paste"):
            sel = "primary" if ("primary" in args or "--primary" in args) else "clipboard"
            return RunResult(0, self.selections[sel].encode())
        return RunResult(0)

    def spawn(self, args: Sequence[str], input: bytes | None = None) -> FakeProc:
        self.log.append(("spawn", list(args)))
        assert input is not None
        return FakeProc(self, list(args), input.decode())

    def commands(self, tool: str) -> list[list[str]]:
        return [a for k, a in self.log if k == "run" and a[0] == tool]  # type: ignore[index]


def make(shell: FakeShell, session: str = "x11", **kw: object) -> TextOutput:
    return TextOutput(shell, session, sleep=lambda s: shell.log.append(("sleep", s)), **kw)  # type: ignore[arg-type]


def test_short_ascii_is_typed_with_xdotool() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    out = make(shell)
    out.focus.mark()
    r = out.deliver("hello world", "type")
    assert r.inserted and r.method == "type:xdotool" and not r.on_clipboard
    assert ["xdotool", "type", "--clearmodifiers", "--delay", "0", "--", "hello world"] in shell.log[-1]
    assert shell.selections["clipboard"] == "old clip"  # typing leaves the clipboard alone
    assert r.focus_checked and not r.focus_changed and r.notice is None


def test_non_ascii_is_pasted_and_clipboard_restored() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    r = make(shell).deliver("héllo wörld ✓ 日本", "type")
    assert r.inserted and r.method == "paste:ctrl+v:xclip"
    (spawned,) = [a for k, a in shell.log if k == "spawn"]
    assert spawned == ["xclip", "-selection", "clipboard", "-quiet", "-loops", "1", "-in"]
    assert ["xdotool", "key", "--clearmodifiers", "ctrl+v"] in shell.commands("xdotool")
    assert shell.selections["clipboard"] == "old clip"
    # restore happens only after the one-shot owner reported the paste
    kinds = [k for k, _ in shell.log]
    assert kinds.index("waited") < max(i for i, (k, a) in enumerate(shell.log)
                                       if k == "run" and a[0] == "xclip" and "-in" in a)


def test_long_ascii_is_pasted_not_typed() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    r = make(shell).deliver("a" * 600, "type")
    assert r.method == "paste:ctrl+v:xclip"
    assert not [a for a in shell.commands("xdotool") if a[1] == "type"]


def test_method_type_forces_typing_for_long_ascii() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    assert make(shell, method="type").deliver("a" * 600).method == "type:xdotool"


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
    shell = FakeShell(["xdotool", "xclip", "xprop"], wm_class=wm_class)
    r = make(shell).deliver("naïve", "type")
    assert ["xdotool", "key", "--clearmodifiers", combo] in shell.commands("xdotool")
    (spawned,) = [a for k, a in shell.log if k == "spawn"]
    assert spawned[2] == selection
    assert shell.selections[selection] == f"old {'clip' if selection == 'clipboard' else selection}"
    assert r.inserted


def test_focus_changed_copies_instead_of_typing() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"], focus=["100", "200"])
    out = make(shell)
    assert out.focus.mark() == "100"
    r = out.deliver("secret words", "type")
    assert not r.inserted and r.focus_changed and r.on_clipboard
    assert shell.selections["clipboard"] == "secret words"
    assert not [a for a in shell.commands("xdotool") if a[1] in ("type", "key")]
    assert r.notice is not None and "on the clipboard" in r.notice


def test_pointer_root_focus_is_unknown_not_a_change() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"], focus=["1", "555"])
    out = make(shell)
    assert out.focus.mark() is None
    r = out.deliver("hi", "type")
    assert r.inserted and not r.focus_checked


def test_clipboard_mode_only_copies() -> None:
    shell = FakeShell(["xdotool", "xclip"])
    r = make(shell).deliver("for later", "clipboard")
    assert r.on_clipboard and not r.inserted and r.method == "clipboard:xclip"
    assert shell.selections["clipboard"] == "for later"
    assert not shell.commands("xdotool")


def test_both_types_and_leaves_text_on_clipboard() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    r = make(shell).deliver("ünïcode both", "both")
    assert r.inserted and r.on_clipboard
    assert shell.selections["clipboard"] == "ünïcode both"


def test_none_mode_does_nothing() -> None:
    shell = FakeShell(["xdotool", "xclip"])
    assert make(shell).deliver("x", "none") == OutputResult("none")
    assert make(shell).deliver("", "type") == OutputResult("type")
    assert shell.log == []


def test_failed_typing_falls_back_to_paste() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    shell.fail = lambda args: args[:2] == ["xdotool", "type"]
    r = make(shell).deliver("hello", "type")
    assert r.inserted and r.method.startswith("paste:")


def test_nothing_installed_reports_how_to_fix() -> None:
    r = make(FakeShell([])).deliver("hello", "type")
    assert not r.inserted and not r.on_clipboard
    assert r.error is not None and "install xdotool" in r.error


def test_no_clipboard_tool_and_non_ascii_cannot_type() -> None:
    r = make(FakeShell(["xdotool"])).deliver("日本", "type")
    assert not r.inserted and "cannot type this text" in (r.error or "")


def test_paste_never_fetched_kills_server_and_still_restores() -> None:
    shell = FakeShell(["xdotool", "xclip", "xprop"])
    shell.paste_fetched = False
    procs: list[FakeProc] = []
    spawn = shell.spawn
    shell.spawn = lambda args, input=None: procs.append(spawn(args, input)) or procs[-1]  # type: ignore[method-assign]
    make(shell).deliver("日本語", "type")
    assert procs[0].killed
    assert shell.selections["clipboard"] == "old clip"


def test_wayland_prefers_wtype_which_types_unicode() -> None:
    shell = FakeShell(["wtype", "wl-copy", "wl-paste"])
    r = make(shell, session="wayland").deliver("héllo 日本 😀", "type")
    assert r.method == "type:wtype" and not r.focus_checked
    assert shell.commands("wtype") == [["wtype", "--", "héllo 日本 😀"]]


def test_wayland_ydotool_pastes_non_ascii_with_wl_copy() -> None:
    shell = FakeShell(["ydotool", "wl-copy", "wl-paste"])
    r = make(shell, session="wayland").deliver("héllo", "type")
    assert r.method == "paste:ctrl+v:wl-copy"
    assert shell.commands("ydotool") == [["ydotool", "key", "29:1", "47:1", "47:0", "29:0"]]
    (spawned,) = [a for k, a in shell.log if k == "spawn"]
    assert spawned == ["wl-copy", "--foreground", "--paste-once"]


def test_wtype_combo_args() -> None:
    kb = Keyboard(FakeShell(["wtype"]), "wayland")  # type: ignore[arg-type]
    shell = kb._shell  # type: ignore[attr-defined]
    kb.send_combo("ctrl+shift+v")
    assert shell.log[-1] == ("run", ["wtype", "-M", "ctrl", "-M", "shift", "-k", "v",
                                     "-m", "shift", "-m", "ctrl"])


def test_pynput_fallback_when_no_tool() -> None:
    typed: list[str] = []

    class Ctl:
        def type(self, text: str) -> None:
            typed.append(text)

    kb = Keyboard(FakeShell([]), "windows", pynput_controller=Ctl)  # type: ignore[arg-type]
    out = TextOutput(FakeShell([]), "windows", keyboard=kb)  # type: ignore[arg-type]
    r = out.deliver("日本 ok", "type")
    assert r.inserted and r.method == "type:pynput" and typed == ["日本 ok"]


def test_xsel_without_one_shot_waits_before_restore() -> None:
    shell = FakeShell(["xdotool", "xsel", "xprop"])
    r = make(shell).deliver("ß", "type")
    assert r.method == "paste:ctrl+v:xsel"
    assert ("sleep", 0.3) in shell.log
    assert shell.selections["clipboard"] == "old clip"


def test_bad_mode_and_method_rejected() -> None:
    shell = FakeShell(["xdotool"])
    with pytest.raises(ValueError, match="output mode"):
        make(shell).deliver("x", "shout")
    with pytest.raises(ValueError, match="output method"):
        make(shell, method="telepathy")


def test_describe_names_the_tools() -> None:
    out = make(FakeShell(["xdotool", "xclip"]))
    assert out.describe() == "typing: xdotool; clipboard: xclip; focus guard: on"


@pytest.mark.parametrize(("text", "plain"), [("abc 123!\n\t~", True), ("é", False), ("✓", False)])
def test_is_plain_ascii(text: str, plain: bool) -> None:
    assert is_plain_ascii(text) is plain


def test_clipboard_and_focus_without_tools() -> None:
    shell = FakeShell([])
    assert Clipboard(shell, "x11").get() is None  # type: ignore[arg-type]
    assert not Clipboard(shell, "x11").set("x")  # type: ignore[arg-type]
    focus = FocusTracker(shell, "x11")  # type: ignore[arg-type]
    assert focus.current() is None and focus.changed() is None
