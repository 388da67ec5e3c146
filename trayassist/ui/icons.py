"""Tray icons drawn with QPainter at whatever size the tray asks for.

One glyph (a microphone) whose fill says our own state, plus two corner marks
for the privacy indicators: another program on the mic (top right) and the
network (bottom right: uploading, or the red alert). Every shape has a light
halo around a dark outline so it reads on light and dark panels alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QIconEngine, QPainter, QPainterPath, QPen, QPixmap

# State colours chosen to stay apart for the common colour-vision deficiencies:
# the shape also changes (filled / dots / cross), so colour is never the only cue.
STATE_COLOURS = {
    "idle": QColor("#9aa3ad"),
    "loading": QColor("#e0a100"),
    "listening": QColor("#e5322d"),
    "transcribing": QColor("#2f7de1"),
    "error": QColor("#6b6b6b"),
}
ALERT = QColor("#e5322d")
OTHER_MIC = QColor("#ff8c00")
UPLOAD = QColor("#2f7de1")
OUTLINE = QColor("#202020")
HALO = QColor(255, 255, 255, 220)


@dataclass(frozen=True)
class IconState:
    state: str = "idle"  # idle | loading | listening | transcribing | error
    others_on_mic: bool = False
    uploading: bool = False
    alert: bool = False
    paused: bool = False
    waiting: bool = False  # listening: our stream is open but its device has not delivered yet


def paint(p: QPainter, rect: QRect, s: IconState) -> None:
    size = min(rect.width(), rect.height())
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.translate(rect.x() + (rect.width() - size) / 2, rect.y() + (rect.height() - size) / 2)
    p.scale(size / 64.0, size / 64.0)  # draw on a 64x64 canvas
    colour = STATE_COLOURS.get(s.state, STATE_COLOURS["error"])
    if s.alert:
        # The whole background turns red: impossible to miss at 16 px.
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ALERT)
        p.drawRoundedRect(QRectF(1, 1, 62, 62), 12, 12)
    _mic(p, colour, filled=s.state in ("listening", "transcribing", "loading"), on_red=s.alert)
    if s.state == "transcribing":
        _dots(p)
    elif s.state == "loading" or (s.state == "listening" and s.waiting):
        _hourglass_ring(p)  # red with a ring: the mic is open, starting; amber: the model loads
    elif s.state == "error":
        _cross(p)
    if s.others_on_mic and not s.paused:
        _badge(p, QPointF(52, 12), OTHER_MIC)
    if s.paused:
        _pause_mark(p)
    elif s.uploading or s.alert:
        _upload_arrow(p, ALERT if s.alert else UPLOAD, on_red=s.alert)
    p.restore()


def _stroke(p: QPainter, path: QPainterPath, fill: QColor | None, width: float) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(HALO, width + 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.drawPath(path)
    p.setPen(QPen(OUTLINE, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def _mic(p: QPainter, colour: QColor, filled: bool, on_red: bool) -> None:
    body = QPainterPath()
    body.addRoundedRect(QRectF(22, 6, 20, 32), 10, 10)
    _stroke(p, body, colour if filled else colour.lighter(135), 3.5)
    if not filled:  # idle: a hollow band so idle and listening differ in shape too
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(HALO)
        p.drawRoundedRect(QRectF(27, 12, 10, 20), 5, 5)
    arc = QPainterPath()
    arc.moveTo(15, 28)
    arc.cubicTo(15, 46, 49, 46, 49, 28)
    arc.moveTo(32, 44)
    arc.lineTo(32, 55)
    arc.moveTo(23, 57)
    arc.lineTo(41, 57)
    _stroke(p, arc, None, 4)


def _dots(p: QPainter) -> None:
    p.setPen(QPen(OUTLINE, 1.5))
    p.setBrush(QColor("white"))
    for x in (26, 32, 38):
        p.drawEllipse(QPointF(x, 22), 3, 3)


def _hourglass_ring(p: QPainter) -> None:
    p.setPen(QPen(OUTLINE, 3))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(24, 14, 16, 16), 90 * 16, -270 * 16)


def _cross(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(12, 12)
    path.lineTo(52, 52)
    p.setPen(QPen(HALO, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawPath(path)
    p.setPen(QPen(ALERT, 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawPath(path)


def _badge(p: QPainter, centre: QPointF, colour: QColor) -> None:
    p.setPen(QPen(HALO, 3))
    p.setBrush(colour)
    p.drawEllipse(centre, 10, 10)
    p.setPen(QPen(OUTLINE, 2))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(centre, 10, 10)


def _upload_arrow(p: QPainter, colour: QColor, on_red: bool) -> None:
    arrow = QPainterPath()
    arrow.moveTo(52, 62)
    arrow.lineTo(52, 40)
    arrow.moveTo(43, 49)
    arrow.lineTo(52, 40)
    arrow.lineTo(61, 49)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(HALO, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.drawPath(arrow)
    p.setPen(QPen(QColor("white") if on_red else colour, 6, Qt.PenStyle.SolidLine,
                  Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.drawPath(arrow)


def _pause_mark(p: QPainter) -> None:
    p.setPen(QPen(HALO, 2))
    p.setBrush(OUTLINE)
    p.drawRect(QRectF(44, 42, 6, 18))
    p.drawRect(QRectF(54, 42, 6, 18))


class _Engine(QIconEngine):
    def __init__(self, state: IconState) -> None:
        super().__init__()
        self._state = state

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        paint(painter, rect, self._state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pm

    def clone(self) -> QIconEngine:
        return _Engine(self._state)


def make_icon(state: IconState) -> QIcon:
    """An icon that paints itself crisply at every size the tray requests."""
    return QIcon(_Engine(state))


def render(state: IconState, px: int) -> QPixmap:
    pm = QPixmap(px, px)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    paint(painter, QRect(0, 0, px, px), state)
    painter.end()
    return pm
