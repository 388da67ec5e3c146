import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage

from trayassist.ui.icons import IconState, make_icon, render

pytestmark = pytest.mark.ui

STATES = ["idle", "loading", "listening", "transcribing", "error"]


def _pixels(img: QImage) -> bytes:
    converted = img.convertToFormat(QImage.Format.Format_ARGB32)  # must outlive the copy of its bits
    return bytes(converted.constBits())


@pytest.mark.parametrize("px", [16, 22, 24, 32, 48, 64, 128, 256])
def test_every_state_is_distinct_at_every_size(qapp, px: int) -> None:
    images = {s: _pixels(render(IconState(s), px).toImage()) for s in STATES}
    assert len(set(images.values())) == len(STATES)
    for s, data in images.items():
        opaque = sum(1 for i in range(3, len(data), 4) if data[i] > 128)
        assert opaque > px * px * 0.15, f"{s} at {px}px is too faint"


def test_marks_change_the_icon(qapp) -> None:
    base = _pixels(render(IconState("idle"), 32).toImage())
    for variant in (IconState("idle", others_on_mic=True), IconState("idle", uploading=True),
                    IconState("idle", alert=True), IconState("idle", paused=True)):
        assert _pixels(render(variant, 32).toImage()) != base


def test_alert_is_mostly_red(qapp) -> None:
    img = render(IconState("idle", alert=True), 32).toImage()
    reds = sum(1 for x in range(32) for y in range(32)
               if (c := QColor(img.pixel(x, y))).red() > 180 and c.green() < 90)
    assert reds > 32 * 32 * 0.3


def test_readable_on_light_and_dark_panels(qapp) -> None:
    """The glyph must contrast with both a white and a black background."""
    img = render(IconState("idle"), 32).toImage()
    dark = light = 0
    for x in range(32):
        for y in range(32):
            c = QColor.fromRgba(img.pixel(x, y))
            if c.alpha() > 200:
                lum = 0.3 * c.red() + 0.59 * c.green() + 0.11 * c.blue()
                dark += lum < 80
                light += lum > 180
    assert dark > 20 and light > 20


def test_qicon_paints_at_requested_sizes(qapp) -> None:
    icon = make_icon(IconState("listening"))
    for px in (16, 24, 48):
        pm = icon.pixmap(QSize(px, px))
        assert pm.width() == px and not pm.toImage().isNull()
