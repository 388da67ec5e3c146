"""Read and write the clipboard (and X11 PRIMARY) with xclip, xsel, wl-clipboard or pbcopy."""

from __future__ import annotations

import logging

from trayassist.platform.output.shell import Proc, Shell

log = logging.getLogger(__name__)

_X11_TOOLS = ("xclip", "xsel")


class Clipboard:
    """Text clipboard through the best tool for the session ("x11", "wayland", "macos")."""

    def __init__(self, shell: Shell, session: str) -> None:
        self._shell = shell
        self.session = session
        self.tool = self._find_tool()

    def _find_tool(self) -> str | None:
        candidates = {"x11": _X11_TOOLS, "wayland": ("wl-copy",), "macos": ("pbcopy",)}
        for name in candidates.get(self.session, ()):
            # wl-copy needs its sibling wl-paste to read back the previous content.
            if self._shell.which(name) and (name != "wl-copy" or self._shell.which("wl-paste")):
                return name
        return None

    @property
    def supports_primary(self) -> bool:
        return self.tool in ("xclip", "xsel", "wl-copy")

    def _write_args(self, selection: str, once: bool = False) -> list[str]:
        if self.tool == "xclip":
            # -quiet keeps xclip in the foreground, so its exit means "pasted".
            loops = ["-quiet", "-loops", "1"] if once else []
            return ["xclip", "-selection", selection, *loops, "-in"]
        if self.tool == "xsel":
            return ["xsel", f"--{selection}", "--input"]
        if self.tool == "wl-copy":
            return ["wl-copy", *(["--primary"] if selection == "primary" else []),
                    *(["--foreground", "--paste-once"] if once else [])]
        return ["pbcopy"]

    def get(self, selection: str = "clipboard") -> str | None:
        """The current text, or None when empty, not text, or unreadable."""
        if self.tool == "xclip":
            args = ["xclip", "-selection", selection, "-out"]
        elif self.tool == "xsel":
            args = ["xsel", f"--{selection}", "--output"]
        elif self.tool == "wl-copy":
            args = ["wl-paste", "--no-newline", *(["--primary"] if selection == "primary" else [])]
        elif self.tool == "pbcopy":
            args = ["pbpaste"]
        else:
            return None
        result = self._shell.run(args, timeout=2.0)
        if not result.ok:
            return None
        return result.stdout.decode("utf-8", errors="replace")

    def set(self, text: str, selection: str = "clipboard") -> bool:
        """Own the selection with `text` until something else takes it."""
        if self.tool is None:
            return False
        result = self._shell.run(self._write_args(selection), input=text.encode("utf-8"),
                                 capture=False, timeout=3.0)
        if not result.ok:
            log.warning("%s could not set the %s selection", self.tool, selection)
        return result.ok

    def serve_once(self, text: str, selection: str = "clipboard") -> Proc | None:
        """Offer `text` for exactly one paste; the Proc ends when it has been pasted.

        None when the tool cannot do that (xsel, pbcopy): use set() and a fixed wait.
        """
        if self.tool not in ("xclip", "wl-copy"):
            return None
        return self._shell.spawn(self._write_args(selection, once=True), text.encode("utf-8"))
