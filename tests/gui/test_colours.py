"""Dark palettes: an unticked check box is visible, and a flagged row's tint is not the
selection's colour."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleFactory, QStyleOptionButton

from ui.colours import VisibleIndicatorStyle, flag_tint, is_dark
from ui.screenshots import dark_palette


def light_palette() -> QPalette:
    return QStyleFactory.create("Fusion").standardPalette()


def _frame_contrast(qtbot, style, palette) -> int:
    """The largest lightness difference between the indicator's frame and the window."""
    box = QCheckBox("Unticked")
    qtbot.addWidget(box)
    box.setStyle(style)
    box.setPalette(palette)
    box.resize(160, 40)
    image = box.grab().toImage()
    opt = QStyleOptionButton()
    opt.initFrom(box)
    rect = style.subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
    background = palette.color(QPalette.ColorRole.Window).lightness()
    ratio = image.width() / box.width()
    edge = [QPoint(x, rect.top()) for x in range(rect.left() + 2, rect.right() - 1)]
    edge += [QPoint(rect.left(), y) for y in range(rect.top() + 2, rect.bottom() - 1)]
    return max(abs(QColor(image.pixel(int(p.x() * ratio), int(p.y() * ratio))).lightness()
                   - background) for p in edge)


def test_an_unticked_check_box_shows_on_a_dark_palette(qtbot):
    plain = QStyleFactory.create("Fusion")
    framed = VisibleIndicatorStyle(QStyleFactory.create("Fusion"))
    dark = dark_palette()
    assert _frame_contrast(qtbot, plain, dark) < 40  # what users saw: a square lost
    assert _frame_contrast(qtbot, framed, dark) >= 60
    assert _frame_contrast(qtbot, framed, light_palette()) >= 40  # light: the style's own


@pytest.mark.parametrize("palette", [light_palette, dark_palette])
def test_a_flagged_row_is_tinted_apart_from_the_selection(palette):
    pal = palette()
    tint = flag_tint(pal)
    highlight = pal.color(QPalette.ColorRole.Highlight)
    hue = abs(tint.hslHue() - highlight.hslHue()) % 360
    assert min(hue, 360 - hue) >= 40
    # dark on a dark palette (the row's light text stays readable), light on a light one
    assert (tint.lightness() < 128) == is_dark(pal)
    text = pal.color(QPalette.ColorRole.Text)
    assert abs(text.lightness() - tint.lightness()) >= 90


def test_an_amber_highlight_gets_another_tint():
    pal = light_palette()
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#e0a000"))
    tint = flag_tint(pal)
    hue = abs(tint.hslHue() - QColor("#e0a000").hslHue()) % 360
    assert min(hue, 360 - hue) >= 40


def test_the_application_uses_the_framed_check_boxes(qapp):
    from ui.app import make_application
    from ui.colours import install_visible_indicators

    app = make_application()
    name = app.style().name()
    try:
        install_visible_indicators(app)
        assert isinstance(app.style(), VisibleIndicatorStyle)
        install_visible_indicators(app)  # once: not a proxy of a proxy
        assert not isinstance(app.style().baseStyle(), VisibleIndicatorStyle)
    finally:
        app.setStyle(QStyleFactory.create(name))
