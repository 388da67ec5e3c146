"""Renders the app icon (the tray glyph on a plate) into resources/icons/ for the hicolor theme.

The tray glyph is drawn with QPainter in trayassist/ui/icons.py; this script paints the
same glyph as PNGs at the theme sizes, a scalable SVG (QSvgGenerator records the very same
painter calls) and a Windows .ico. Run it again whenever the glyph changes:
`QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPixmap
from PySide6.QtSvg import QSvgGenerator

from trayassist.ui.icons import IconState, paint

SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PLATE = QColor("#263238")  # dark plate: the launcher icon must not look like a disabled tray glyph
NAME = "trayassist"


def paint_app_icon(p: QPainter, px: int) -> None:
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(PLATE)
    inset = px / 32  # hicolor guidelines leave a small margin around the plate
    p.drawRoundedRect(QRectF(inset, inset, px - 2 * inset, px - 2 * inset), px * 0.2, px * 0.2)
    glyph = round(px * 0.78)
    off = (px - glyph) // 2
    paint(p, QRect(off, off, glyph, glyph), IconState("listening"))


def render_png(px: int) -> QPixmap:
    pm = QPixmap(px, px)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    paint_app_icon(p, px)
    p.end()
    return pm


def render_svg(path: Path, px: int = 256) -> None:
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(px, px))
    gen.setViewBox(QRect(0, 0, px, px))
    gen.setTitle("TrayAssist")
    p = QPainter(gen)
    paint_app_icon(p, px)
    p.end()


def main(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pngs: dict[int, Path] = {}
    for px in SIZES:
        target = out / "hicolor" / f"{px}x{px}" / "apps" / f"{NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render_png(px).save(str(target), "PNG"):
            print(f"cannot write {target}", file=sys.stderr)
            return 1
        pngs[px] = target
    svg = out / "hicolor" / "scalable" / "apps" / f"{NAME}.svg"
    svg.parent.mkdir(parents=True, exist_ok=True)
    render_svg(svg)
    # Windows installer and exe icon; ImageMagick packs the sizes into one .ico.
    magick = shutil.which("magick") or shutil.which("convert")
    if magick:
        subprocess.run([magick, *(str(pngs[s]) for s in ICO_SIZES), str(out / f"{NAME}.ico")], check=True)
    else:
        print("ImageMagick not found: trayassist.ico not refreshed", file=sys.stderr)
    del app
    return 0


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "resources" / "icons"))
