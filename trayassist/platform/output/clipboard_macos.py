"""macOS pasteboard through osascript (JavaScript for Automation and its AppKit bridge)."""

from __future__ import annotations

import base64
import json
import logging

from trayassist.platform.output.clipboard import Snapshot
from trayassist.platform.output.shell import Shell
from trayassist.platform.output.x11_selection import SelectionTarget

# Marker types from nspasteboard.org: org.nspasteboard.ConcealedType on all we copy (history
# tools skip or hide it) and org.nspasteboard.TransientType on a paste's text (it is about to
# be replaced). Text, snapshots and restores travel on osascript's stdin; argv holds only the
# script and the marker names.

log = logging.getLogger(__name__)

CONCEALED = "org.nspasteboard.ConcealedType"
TRANSIENT = "org.nspasteboard.TransientType"
TEXT_TYPE = "public.utf8-plain-text"

_PRELUDE = """ObjC.import('AppKit');
function input() {
  const d = $.NSFileHandle.fileHandleWithStandardInput.readDataToEndOfFile;
  return $.NSString.alloc.initWithDataEncoding(d, $.NSUTF8StringEncoding);
}
const pb = $.NSPasteboard.generalPasteboard;
"""
# argv: marker types. Prints the changeCount after the write.
SET_SCRIPT = _PRELUDE + """function run(argv) {
  pb.clearContents;
  pb.setStringForType(input(), 'public.utf8-plain-text');
  for (const t of argv) pb.setStringForType('', t);
  return String(pb.changeCount);
}"""
# Prints {"items": [{type: base64}...]} for every item on the pasteboard.
SNAPSHOT_SCRIPT = _PRELUDE + """function run(argv) {
  const items = [];
  const all = pb.pasteboardItems.js || [];
  for (const item of all) {
    const one = {};
    for (const t of item.types.js) {
      const d = item.dataForType(t);
      if (!d.isNil()) one[t.js] = d.base64EncodedStringWithOptions(0).js;
    }
    items.push(one);
  }
  return JSON.stringify({items: items});
}"""
# argv[0]: the changeCount we left; restores only if nobody copied since. stdin: the JSON above.
RESTORE_SCRIPT = _PRELUDE + """function run(argv) {
  if (String(pb.changeCount) !== argv[0]) return 'skipped';
  const saved = JSON.parse(input().js);
  pb.clearContents;
  const objs = [];
  for (const one of saved.items) {
    const item = $.NSPasteboardItem.alloc.init;
    for (const t in one) {
      item.setDataForType($.NSData.alloc.initWithBase64EncodedStringOptions(one[t], 0), t);
    }
    objs.push(item);
  }
  if (objs.length) pb.writeObjects($(objs));
  return 'restored';
}"""


def _osascript(script: str, *args: str) -> list[str]:
    return ["osascript", "-l", "JavaScript", "-e", script, *args]


class MacOffer:
    def __init__(self, clip: MacClipboard, change_count: str) -> None:
        self._clip, self._count = clip, change_count

    def arm(self) -> None:
        pass

    def wait_done(self, timeout: float) -> bool | None:
        return None  # the pasteboard does not tell when a window read it

    def finish(self, previous: Snapshot | None, keep: bool = False) -> None:
        if not keep:
            self._clip.restore(previous or Snapshot([]), self._count)


class MacClipboard:
    tool: str | None = "osascript"
    supports_primary = False
    hints = True

    def __init__(self, shell: Shell) -> None:
        self._shell = shell
        self.tool = "osascript" if shell.which("osascript") else None

    def warm(self) -> None:
        pass

    def _set(self, text: str, markers: list[str]) -> str | None:
        if self.tool is None:
            return None
        r = self._shell.run(_osascript(SET_SCRIPT, *markers), input=text.encode("utf-8"), timeout=5.0)
        return r.stdout.decode().strip() if r.ok else None

    def get(self, selection: str = "clipboard") -> str | None:
        snap = self.snapshot()
        return snap.text() if snap is not None else None

    def set(self, text: str, selection: str = "clipboard") -> bool:
        return self._set(text, [CONCEALED]) is not None

    def snapshot(self, selection: str = "clipboard") -> Snapshot | None:
        if self.tool is None:
            return None
        r = self._shell.run(_osascript(SNAPSHOT_SCRIPT), timeout=5.0)
        if not r.ok:
            return None
        try:
            items = json.loads(r.stdout)["items"]
        except (ValueError, KeyError):
            return None
        # One item is what nearly every copy makes; more (Finder's files) keep their order.
        targets = [SelectionTarget(name, base64.b64decode(data), type=str(i))
                   for i, item in enumerate(items) for name, data in item.items()]
        return Snapshot(targets)

    def restore(self, previous: Snapshot, change_count: str) -> None:
        items: dict[str, dict[str, str]] = {}
        for t in previous.targets:
            items.setdefault(t.type or "0", {})[t.name] = base64.b64encode(t.data).decode()
        payload = json.dumps({"items": list(items.values())}).encode()
        r = self._shell.run(_osascript(RESTORE_SCRIPT, change_count), input=payload, timeout=5.0)
        if not r.ok:
            log.warning("the pasteboard could not be put back")

    def offer(self, text: str, selection: str = "clipboard") -> MacOffer | None:
        count = self._set(text, [CONCEALED, TRANSIENT])
        return MacOffer(self, count) if count is not None else None
