"""Render the icon set from procure-desk.svg: `python packaging/icons/render.py`.

Writes hicolor/NxN/apps/procure-desk.png (the application, for the Linux desktop
entry), hicolor/NxN/mimetypes/application-x-procure-desk.png (a .pdesk file) and
procure-desk.ico (Windows: the executables, the installer and .pdesk files) and
resources/icons/procure-desk.png (the windows' icon, set by ui/launcher.py). The
outputs are kept in the repository so that a build needs neither Qt's SVG module nor
Pillow; run this again after changing the SVG.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "procure-desk.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
APP_NAME = "procure-desk"
MIME_ICON = "application-x-procure-desk"


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(buf.data().data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    pngs = {size: render_png(size) for size in PNG_SIZES}
    for size, data in pngs.items():
        for kind, name in (("apps", APP_NAME), ("mimetypes", MIME_ICON)):
            target = HERE / "hicolor" / f"{size}x{size}" / kind / f"{name}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    window_icon = HERE.parent.parent / "resources" / "icons" / f"{APP_NAME}.png"
    window_icon.parent.mkdir(parents=True, exist_ok=True)
    window_icon.write_bytes(pngs[256])
    # Pillow writes every size from one large image, resampled; the small sizes are
    # given as Qt rendered them from the SVG, which keeps them sharp.
    largest = Image.open(io.BytesIO(pngs[max(ICO_SIZES)]))
    smaller = [Image.open(io.BytesIO(pngs[s])) for s in ICO_SIZES if s != max(ICO_SIZES)]
    largest.save(HERE / f"{APP_NAME}.ico", format="ICO",
                 sizes=[(s, s) for s in ICO_SIZES], append_images=smaller)
    print(f"Wrote {len(pngs)} sizes and {APP_NAME}.ico into {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
