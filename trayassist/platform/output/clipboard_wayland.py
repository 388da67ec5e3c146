"""Wayland clipboard through wl-clipboard (wl-copy, wl-paste). Offers one type only: no hints."""

from __future__ import annotations

import logging

from trayassist.platform.output.clipboard import Snapshot
from trayassist.platform.output.shell import Proc, Shell
from trayassist.platform.output.x11_selection import SelectionTarget

log = logging.getLogger(__name__)

HINT = "x-kde-passwordManagerHint"
_TEXT_TYPE = "text/plain;charset=utf-8"


class WlOffer:
    def __init__(self, clip: WlClipboard, proc: Proc, selection: str, text: str) -> None:
        self._clip, self._proc, self._selection, self._text = clip, proc, selection, text

    def arm(self) -> None:
        pass

    def wait_done(self, timeout: float) -> bool | None:
        # --paste-once: wl-copy exits after serving one paste.
        return self._proc.wait_done(timeout)

    def finish(self, previous: Snapshot | None, keep: bool = False) -> None:
        self._proc.kill()
        if keep:  # --paste-once has let go of the text: the user wants it on the clipboard
            self._clip.set(self._text, self._selection)
            return
        self._clip.restore(previous, self._selection)


class WlClipboard:
    """wl-copy offers a single MIME type per process, so the history hint cannot ride along:
    `hints` is False and `doctor` says so. A previous clipboard that carried the hint (a
    password) is never restored without it: it is cleared instead."""

    tool: str | None = "wl-copy"
    supports_primary = True
    hints = False

    def __init__(self, shell: Shell) -> None:
        self._shell = shell
        ok = shell.which("wl-copy") and shell.which("wl-paste")
        self.tool = "wl-copy" if ok else None

    def _sel(self, selection: str) -> list[str]:
        return ["--primary"] if selection == "primary" else []

    def warm(self) -> None:
        pass

    def get(self, selection: str = "clipboard") -> str | None:
        if self.tool is None:
            return None
        r = self._shell.run(["wl-paste", "--no-newline", *self._sel(selection)], timeout=2.0)
        return r.stdout.decode("utf-8", errors="replace") if r.ok else None

    def set(self, text: str, selection: str = "clipboard") -> bool:
        return self.set_targets([SelectionTarget(_TEXT_TYPE, text.encode("utf-8"))], selection)

    def set_targets(self, targets: list[SelectionTarget], selection: str) -> bool:
        if self.tool is None or not targets:
            return False
        t = targets[0]
        r = self._shell.run(["wl-copy", *self._sel(selection), "--type", t.name], input=t.data,
                            capture=False, timeout=3.0)
        return r.ok

    def snapshot(self, selection: str = "clipboard") -> Snapshot | None:
        if self.tool is None:
            return None
        listed = self._shell.run(["wl-paste", "--list-types", *self._sel(selection)], timeout=2.0)
        if not listed.ok:  # "No selection": wl-paste exits non-zero on an empty clipboard
            return Snapshot([])
        types = [t for t in listed.stdout.decode(errors="replace").splitlines() if t]
        if HINT in types:
            # A password manager's secret: we could only give it back without its hint.
            return Snapshot([SelectionTarget(HINT, b"secret")], complete=False)
        best = next((t for t in types if t.startswith("text/plain")), types[0] if types else None)
        if best is None:
            return Snapshot([])
        got = self._shell.run(["wl-paste", "--no-newline", *self._sel(selection), "--type", best],
                              timeout=2.0)
        if not got.ok:
            return None
        return Snapshot([SelectionTarget(best, got.stdout)], complete=len(types) == 1)

    def restore(self, previous: Snapshot | None, selection: str) -> None:
        if previous is None or previous.empty or any(t.name == HINT for t in previous.targets):
            self._shell.run(["wl-copy", *self._sel(selection), "--clear"], capture=False)
            return
        self.set_targets(previous.targets, selection)

    def offer(self, text: str, selection: str = "clipboard") -> WlOffer | None:
        if self.tool is None:
            return None
        proc = self._shell.spawn(["wl-copy", *self._sel(selection), "--foreground", "--paste-once",
                                  "--type", _TEXT_TYPE], text.encode("utf-8"))
        return WlOffer(self, proc, selection, text)
