"""Colours that read in light and dark palettes alike.

- `flag_tint(palette)`: the background of a flagged row (a divergent score). It is
  amber, never a shade of the selection colour, so a flagged row is not mistaken for
  the selected one; its hue moves away from the palette's highlight should that be
  amber itself, and it is dark on a dark palette, so the row's text stays readable.
- `VisibleIndicatorStyle`: Qt's Fusion style draws an unticked check box as a square
  barely darker than a dark window, so on a dark palette it vanishes. On a dark
  palette this proxy style draws every check box's frame (in dialogs and in table
  cells) in the palette's text colour, half strength; a light palette keeps the
  style's own look.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

AMBER_LIGHT = QColor("#ffe7a3")
AMBER_DARK = QColor("#5a4a12")
ROSE_LIGHT = QColor("#f9d0dc")
ROSE_DARK = QColor("#5c2436")


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QApplication.palette()
    return pal.color(QPalette.ColorRole.Base).lightness() < 128


def _hue_distance(a: QColor, b: QColor) -> int:
    ha, hb = a.hslHue(), b.hslHue()
    if ha < 0 or hb < 0:  # a grey has no hue: anything differs from it
        return 180
    d = abs(ha - hb) % 360
    return min(d, 360 - d)


def flag_tint(palette: QPalette | None = None) -> QColor:
    """The background of a flagged row: amber (rose if the highlight is amber)."""
    pal = palette or QApplication.palette()
    dark = is_dark(pal)
    colour = AMBER_DARK if dark else AMBER_LIGHT
    highlight = pal.color(QPalette.ColorRole.Highlight)
    if _hue_distance(colour, highlight) < 40:
        colour = ROSE_DARK if dark else ROSE_LIGHT
    return QColor(colour)


def indicator_pen(palette: QPalette) -> QPen:
    """The frame of a check box: the text colour at half strength."""
    c = QColor(palette.color(QPalette.ColorRole.Text))
    c.setAlpha(150)
    pen = QPen(c)
    pen.setWidthF(1.0)
    return pen


class VisibleIndicatorStyle(QProxyStyle):
    """The application's style, with check box frames that show on any palette."""

    FRAMED = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
              QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        # light palettes show the style's own frame; only a dark one needs help
        if element in self.FRAMED and is_dark(option.palette):
            rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
            side = min(rect.width(), rect.height())
            rect = QRectF(rect.x() + (rect.width() - side) / 2,
                          rect.y() + (rect.height() - side) / 2, side, side)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(indicator_pen(option.palette))
            painter.setBrush(QColor(0, 0, 0, 0))
            painter.drawRoundedRect(rect, 2, 2)
            painter.restore()


def install_visible_indicators(app: QApplication) -> None:
    """Wrap the application's style (once) so check boxes show on dark palettes."""
    if isinstance(app.style(), VisibleIndicatorStyle):
        return
    from PySide6.QtWidgets import QStyleFactory

    base = QStyleFactory.create(app.style().name())
    app.setStyle(VisibleIndicatorStyle(base) if base is not None else VisibleIndicatorStyle())
