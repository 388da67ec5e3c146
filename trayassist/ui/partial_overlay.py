"""The words heard so far, in a small caption near the tray while listening: it never takes
focus or a keystroke or a click, and it is gone at release. User text: never logged.

Before any words, when the microphone is slow to start (a headset changing profile, a sound
server waking a source: words said then are lost), it says so, then says when to speak."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from trayassist.core.events import PartialText
from trayassist.core.status_text import STARTING

MAX_CHARS = 160  # the end of a long dictation: a caption, not a document
MARGIN = 8
WIDTH = 460  # pixels: about eight words a line
SPEAK = "Listening — speak now"
# A microphone that delivers within this long after the press is not called slow: the
# caption would only flicker (a USB or built-in mic delivers within 50 ms).
SLOW_START_MS = 300


class PartialOverlay(QWidget):
    """`show_text(committed, tentative)` shows it (tentative words lighter); two empty
    strings hide it. `anchor()` gives the tray icon's place on screen (empty: unknown)."""

    def __init__(self, anchor: Callable[[], QRect] | None = None) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus
                         | Qt.WindowType.WindowTransparentForInput)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle("TrayAssist: what you are saying")
        self._anchor = anchor
        self.label = QLabel(self)
        self.label.setObjectName("partialText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label.setStyleSheet("QLabel#partialText { background: rgba(32, 32, 36, 225); color: #f4f4f4;"
                                 " border-radius: 8px; padding: 8px 12px; font-size: 13px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.notice = ""  # STARTING or SPEAK while shown instead of words
        # A notice belongs to the start of a take: armed between takes, spent once the take
        # has audio or has ended (its release tail keeps the stream open for a while).
        self._armed = True
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(SLOW_START_MS)
        self._slow.timeout.connect(lambda: self._show_notice(STARTING))

    def on_mic(self, listening: bool, receiving: bool) -> None:
        """From the status: our stream is open (`listening`) and its device delivers audio
        (`receiving`). Slow to deliver: "Starting…", then "speak now" once audio comes."""
        if not listening:
            self._slow.stop()
            if self.notice:
                self.show_text("")
            self._armed = True
            return
        if not receiving:
            if self._armed and not self._slow.isActive() and not self.isVisible():
                self._slow.start()
            return
        self._armed = False
        self._slow.stop()
        if self.notice == STARTING:
            self._show_notice(SPEAK)

    def _show_notice(self, notice: str) -> None:
        if self.isVisible() and not self.notice:
            return  # words are shown already
        self._render(f"<i>{escape(notice)}</i>", notice)
        self.notice = notice

    def on_partial(self, event: PartialText) -> None:
        self.show_text(event.text, event.tentative)

    def show_text(self, committed: str, tentative: str = "") -> None:
        self.notice = ""
        if not committed and not tentative:  # released or cancelled
            self._slow.stop()
            self._armed = False
            self.hide()
            return
        committed, tentative = _tail(committed, tentative)
        html = escape(committed)
        if tentative:
            html += f"{' ' if committed else ''}<span style='color: #9a9aa2'>{escape(tentative)}</span>"
        self._render(html, f"{committed} {tentative}".strip())

    def _render(self, html: str, plain: str) -> None:
        self.label.setText(html)
        # As wide as the text needs, up to a caption's width; then it wraps.
        self.label.setFixedWidth(min(WIDTH, self.label.fontMetrics().horizontalAdvance(plain) + 32))
        self.adjustSize()
        self._place()
        if not self.isVisible():
            self.show()

    def _place(self) -> None:
        anchor = self._anchor() if self._anchor is not None else QRect()
        screen = (QGuiApplication.screenAt(anchor.center()) if anchor.isValid() and not anchor.isEmpty()
                  else None) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        w, h = self.width(), self.height()
        if anchor.isValid() and not anchor.isEmpty():
            x = anchor.left()
            y = anchor.bottom() + MARGIN if anchor.center().y() < area.center().y() else anchor.top() - h - MARGIN
        else:  # no tray position known: above the bottom edge, centred
            x = area.center().x() - w // 2
            y = area.bottom() - h - 6 * MARGIN
        x = max(area.left() + MARGIN, min(x, area.right() - w - MARGIN))
        y = max(area.top() + MARGIN, min(y, area.bottom() - h - MARGIN))
        self.move(x, y)


def _tail(committed: str, tentative: str) -> tuple[str, str]:
    """The last MAX_CHARS characters, cut at a word, with "…" where text was left out."""
    total = len(committed) + len(tentative) + 1
    if total <= MAX_CHARS:
        return committed, tentative
    if len(tentative) >= MAX_CHARS:
        cut = tentative[-MAX_CHARS:]
        return "", "…" + cut[cut.find(" ") + 1:]
    keep = MAX_CHARS - len(tentative) - 1
    cut = committed[-keep:]
    return "…" + cut[cut.find(" ") + 1:], tentative
