"""Each desktop's choice of keys, typing tools and clipboard backend, and the command lines
they run (Wayland, macOS and Windows are not available here: their logic is tested)."""

from __future__ import annotations

import json
import struct
import sys
import types

import pytest

from tests.unit.platform.test_text_output import FakeClipboard, FakeShell
from trayassist.core.assistant.services.speech import EspeakSpeaker
from trayassist.platform.output import FocusTracker, Keyboard, NoClipboard, Snapshot, TextOutput, X11Clipboard
from trayassist.platform.output.clipboard_macos import CONCEALED, TRANSIENT, MacClipboard
from trayassist.platform.output.clipboard_wayland import WlClipboard
from trayassist.platform.output.clipboard_windows import CF_UNICODETEXT, HINT_FORMATS, WinClipboard
from trayassist.platform.output.text_output import make_clipboard
from trayassist.platform.output.x11_selection import OWNER_FLAG, OWNER_MODULE, SelectionTarget, owner_command

pytestmark = pytest.mark.unit

CANARY = "canary-Zq7 über 日本"


def argv_words(shell: FakeShell) -> list[str]:
    return [w for _, a in shell.log if isinstance(a, list) for w in a]


# ---- typing tools: the text goes to stdin -----------------------------------------------

@pytest.mark.parametrize(("tool", "session", "argv"), [
    ("xdotool", "x11", ["xdotool", "type", "--clearmodifiers", "--delay", "0", "--file", "-"]),
    ("wtype", "wayland", ["wtype", "-s", "30", "-"]),
    ("ydotool", "wayland", ["ydotool", "type", "--key-delay", "0", "--file", "/dev/stdin"]),
])
def test_typing_tools_read_the_text_from_stdin(tool: str, session: str, argv: list[str]) -> None:
    # wtype and ydotool are not installed here: their command lines are checked, not run.
    shell = FakeShell([tool])
    kb = Keyboard(shell, session)  # type: ignore[arg-type]
    assert kb.tool == tool and kb.type_text("hello")
    assert shell.stdin == [(argv, b"hello")]
    assert kb.type_args() == argv


def test_espeak_reads_replies_from_stdin() -> None:
    spawned: list[tuple[list[str], bytes]] = []
    speaker = EspeakSpeaker(lambda argv, data: spawned.append((list(argv), data)),
                            lambda name: "/usr/bin/espeak-ng")
    assert speaker.say(f"Your notes: {CANARY}")
    assert spawned == [(["espeak-ng", "-v", "en-us", "--stdin"], f"Your notes: {CANARY}".encode())]
    assert not speaker.say("   ")
    assert not EspeakSpeaker(lambda a, d: None, lambda name: None).say("hi")


# ---- paste keys per desktop ---------------------------------------------------------------

def test_macos_pastes_with_cmd_v(monkeypatch: pytest.MonkeyPatch) -> None:
    pressed: list[str] = []

    class Key:  # what pynput.keyboard.Key offers
        cmd, ctrl, shift, insert = "<cmd>", "<ctrl>", "<shift>", "<insert>"

    monkeypatch.setitem(sys.modules, "pynput.keyboard", types.SimpleNamespace(Key=Key))

    class Ctl:
        def press(self, k: str) -> None:
            pressed.append(f"+{k}")

        def release(self, k: str) -> None:
            pressed.append(f"-{k}")

    shell, clip = FakeShell([]), FakeClipboard("osascript", primary=False)
    clip.fetched = None
    kb = Keyboard(shell, "macos", pynput_controller=Ctl)  # type: ignore[arg-type]
    out = TextOutput(shell, "macos", keyboard=kb, clipboard=clip,  # type: ignore[arg-type]
                     sleep=lambda s: shell.log.append(("sleep", s)))
    r = out.deliver("a" * 150, "type")  # long: pasted, not typed
    assert r.method == "paste:cmd+v:osascript" and r.inserted
    assert pressed == ["+<cmd>", "+v", "-v", "-<cmd>"]
    # the pasteboard cannot say when it was read: the old content waits before coming back
    assert ("sleep", 0.5) in shell.log and clip.get() == "old clip"
    assert not out.focus.available and "accessibility" in out.focus.why_unavailable


def test_windows_pastes_with_ctrl_v_and_checks_the_foreground_window() -> None:
    shell, clip = FakeShell([]), FakeClipboard("win32", primary=False)
    clip.fetched = None
    windows = iter([("1", "Notepad"), ("2", "CASCADIA_HOSTING_WINDOW_CLASS")])
    focus = FocusTracker(shell, "windows", foreground=lambda: next(windows))  # type: ignore[arg-type]
    sent: list[str] = []
    kb = Keyboard(shell, "windows", pynput_controller=lambda: None)  # type: ignore[arg-type]
    kb.send_combo = lambda combo: sent.append(combo) or True  # type: ignore[method-assign]
    out = TextOutput(shell, "windows", keyboard=kb, clipboard=clip, focus=focus,  # type: ignore[arg-type]
                     method="paste", sleep=lambda s: None)
    assert focus.mark() == "1"
    r = out.deliver("text", "type")
    assert r.focus_changed and not r.inserted and r.on_clipboard  # window 2 has focus now
    assert focus.paste_combo_for(("cascadia_hosting_window_class",)) == ("ctrl+v", "clipboard")
    assert sent == []


@pytest.mark.parametrize(("env", "tool"), [({"SWAYSOCK": "/s"}, "swaymsg"),
                                           ({"HYPRLAND_INSTANCE_SIGNATURE": "x"}, "hyprctl"),
                                           ({}, None)])
def test_wayland_focus_only_where_the_compositor_tells(env: dict[str, str], tool: str | None) -> None:
    focus = FocusTracker(FakeShell(["swaymsg", "hyprctl"]), "wayland", env)  # type: ignore[arg-type]
    assert focus.tool == tool and focus.available is (tool is not None)


def test_gnome_wayland_types_long_text_instead_of_guessing_paste_keys() -> None:
    # No focus source: a terminal cannot be told from an editor, so Ctrl+V could land as ^V.
    shell = FakeShell(["wtype"])
    out = TextOutput(shell, "wayland", clipboard=FakeClipboard("wl-copy", hints=False))  # type: ignore[arg-type]
    r = out.deliver("é" + "a" * 400, "type")
    assert r.method == "type:wtype" and not r.focus_checked
    assert shell.stdin == [(["wtype", "-s", "30", "-"], ("é" + "a" * 400).encode())]


def test_hyprland_terminal_gets_ctrl_shift_v() -> None:
    shell = FakeShell(["ydotool", "hyprctl"])
    shell.answers["hyprctl"] = json.dumps({"address": "0x55", "class": "kitty"}).encode()
    clip = FakeClipboard("wl-copy", hints=False)
    out = TextOutput(shell, "wayland", clipboard=clip,  # type: ignore[arg-type]
                     focus=FocusTracker(shell, "wayland", {"HYPRLAND_INSTANCE_SIGNATURE": "x"}),  # type: ignore[arg-type]
                     sleep=lambda s: None)
    r = out.deliver("héllo", "type")  # ydotool types only what the keymap has: paste
    assert r.method == "paste:ctrl+shift+v:wl-copy"
    assert ["ydotool", "key", "29:1", "42:1", "47:1", "47:0", "42:0", "29:0"] in shell.commands("ydotool")


def test_backend_per_session() -> None:
    shell = FakeShell(["wl-copy", "wl-paste", "osascript"])
    assert isinstance(make_clipboard(shell, "x11", {"DISPLAY": ":9"}), X11Clipboard)  # type: ignore[arg-type]
    assert isinstance(make_clipboard(shell, "wayland"), WlClipboard)  # type: ignore[arg-type]
    assert isinstance(make_clipboard(shell, "macos"), MacClipboard)  # type: ignore[arg-type]
    assert isinstance(make_clipboard(shell, "windows", platform="linux"), NoClipboard)  # type: ignore[arg-type]
    assert isinstance(make_clipboard(shell, "none"), NoClipboard)  # type: ignore[arg-type]


def test_for_session_reads_the_environment() -> None:
    out = TextOutput.for_session({"WAYLAND_DISPLAY": "wayland-0", "PATH": "/nonexistent"}, platform="linux")
    assert out.session == "wayland" and out.keyboard.tool is None and out.clipboard.tool is None
    mac = TextOutput.for_session({"PATH": "/nonexistent"}, platform="darwin")
    assert mac.session == "macos" and mac.focus.paste_combo_for(()) == ("cmd+v", "clipboard")


def test_owner_command_in_a_frozen_app(monkeypatch: pytest.MonkeyPatch) -> None:
    assert owner_command() == [sys.executable, "-m", OWNER_MODULE]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert owner_command() == [sys.executable, OWNER_FLAG]


# ---- Wayland: wl-clipboard -------------------------------------------------------------

def test_wayland_clipboard_commands_keep_text_on_stdin() -> None:
    shell = FakeShell(["wl-copy", "wl-paste"])
    clip = WlClipboard(shell)  # type: ignore[arg-type]
    assert clip.set(CANARY) and not clip.hints
    assert shell.stdin == [(["wl-copy", "--type", "text/plain;charset=utf-8"], CANARY.encode())]
    assert all(CANARY not in w for w in argv_words(shell))


def test_wayland_snapshot_never_restores_a_secret_without_its_hint() -> None:
    shell = FakeShell(["wl-copy", "wl-paste"])
    shell.answers["wl-paste"] = b"text/plain\nx-kde-passwordManagerHint\n"
    clip = WlClipboard(shell)  # type: ignore[arg-type]
    snap = clip.snapshot()
    assert snap is not None and not snap.complete
    clip.restore(snap, "clipboard")
    assert shell.log[-1] == ("run", ["wl-copy", "--clear"])


def test_wayland_restores_the_best_type() -> None:
    shell = FakeShell(["wl-copy", "wl-paste"])
    shell.answers["wl-paste"] = b"image/png\ntext/plain;charset=utf-8\n"
    clip = WlClipboard(shell)  # type: ignore[arg-type]
    snap = clip.snapshot("primary")
    assert snap is not None and [t.name for t in snap.targets] == ["text/plain;charset=utf-8"]
    clip.restore(snap, "primary")
    assert shell.stdin[-1][0] == ["wl-copy", "--primary", "--type", "text/plain;charset=utf-8"]


# ---- macOS: osascript ---------------------------------------------------------------------

def test_macos_marks_what_we_copy_and_restores_only_if_untouched() -> None:
    shell = FakeShell(["osascript"])
    shell.answers["osascript"] = b"41\n"
    clip = MacClipboard(shell)  # type: ignore[arg-type]
    offer = clip.offer(CANARY)
    assert offer is not None
    args, data = shell.stdin[-1]
    assert args[:3] == ["osascript", "-l", "JavaScript"] and args[-2:] == [CONCEALED, TRANSIENT]
    assert data == CANARY.encode()
    offer.finish(Snapshot([SelectionTarget("public.png", b"\x89PNG", type="0")]))
    args, data = shell.stdin[-1]
    assert args[-1] == "41"  # the script restores only if the changeCount is still ours
    assert json.loads(data) == {"items": [{"public.png": "iVBORw=="}]}
    assert all(CANARY not in w for w in argv_words(shell))
    clip.set("user copy")
    assert shell.stdin[-1][0][-1] == CONCEALED


# ---- Windows: Win32 ------------------------------------------------------------------------

class FakeWin32:
    def __init__(self) -> None:
        self.data: dict[int, bytes] = {}
        self.names: dict[str, int] = {}
        self.seq = 1
        self.opened = False

    def open(self) -> bool:
        self.opened = True
        return True

    def close(self) -> None:
        self.opened = False

    def empty(self) -> None:
        assert self.opened
        self.data.clear()
        self.seq += 1

    def formats(self) -> list[int]:
        return [*self.data, 2]  # plus a CF_BITMAP handle, which cannot be copied as bytes

    def get(self, fmt: int) -> bytes | None:
        return self.data.get(fmt)

    def put(self, fmt: int, data: bytes) -> bool:
        assert self.opened
        self.data[fmt] = data
        return True

    def register(self, name: str) -> int:
        return self.names.setdefault(name, 0xC000 + len(self.names))

    def name(self, fmt: int) -> str | None:
        return next((n for n, f in self.names.items() if f == fmt), None)

    def sequence(self) -> int:
        return self.seq


def test_windows_copy_carries_the_history_and_cloud_exclusions() -> None:
    api = FakeWin32()
    clip = WinClipboard(api, sleep=lambda s: None)
    assert clip.set("naïve ✓")
    assert api.data[CF_UNICODETEXT] == "naïve ✓".encode("utf-16-le") + b"\0\0"
    by_name = {n: api.data[api.names[n]] for n, _ in HINT_FORMATS}
    assert by_name["CanIncludeInClipboardHistory"] == struct.pack("<I", 0)
    assert by_name["CanUploadToCloudClipboard"] == struct.pack("<I", 0)
    assert "ExcludeClipboardContentFromMonitorProcessing" in by_name


def test_windows_paste_restores_every_format_unless_the_user_copied() -> None:
    api = FakeWin32()
    clip = WinClipboard(api, sleep=lambda s: None)
    api.data = {8: b"DIB", api.register("HTML Format"): b"<b>x</b>", 13: "old".encode("utf-16-le")}
    snap = clip.snapshot()
    assert snap is not None and not snap.complete  # CF_BITMAP skipped (Windows makes it from DIB)
    assert {t.name for t in snap.targets} == {"CF_DIB", "HTML Format", "CF_UNICODETEXT"}
    offer = clip.offer("new")
    assert offer is not None and offer.wait_done(1.0) is None
    offer.finish(snap)
    assert api.data[8] == b"DIB" and api.data[api.names["HTML Format"]] == b"<b>x</b>"
    assert clip.get() == "old"
    offer2 = clip.offer("again")
    assert offer2 is not None
    clip.set("the user copied this meanwhile")
    offer2.finish(snap)
    assert clip.get() == "the user copied this meanwhile"
