"""Small things several views share: a warning colour, bold text, charts in the palette.

A warning colour is chosen against the palette's base colour, so it reads in light
and dark themes alike; a chart takes the Qt Charts theme that matches the palette and
its background and text colours from it (as the Results view's chart does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtCharts import QChart


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QApplication.palette()
    return pal.color(QPalette.ColorRole.Base).lightness() < 128


def warning_colour(palette: QPalette | None = None) -> QColor:
    """A red that stands out on the palette's base: dark red on light, light red on dark."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def warning_style(palette: QPalette | None = None, bold: bool = False) -> str:
    """A style sheet for a label that warns."""
    weight = " font-weight: bold;" if bold else ""
    return f"color: {warning_colour(palette).name()};{weight}"


def bold_font(font: QFont) -> QFont:
    out = QFont(font)
    out.setBold(True)
    return out


def follow_palette(chart: QChart, palette: QPalette) -> None:
    """Give a chart the theme of the palette (call before colouring its series), then
    its background and text colours from the palette."""
    from PySide6.QtCharts import QChart  # charts load with the first view that draws one

    chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark(palette)
                   else QChart.ChartTheme.ChartThemeLight)
    text = palette.color(QPalette.ColorRole.WindowText)
    chart.setBackgroundBrush(palette.brush(QPalette.ColorRole.Base))
    chart.setTitleBrush(text)
    chart.legend().setLabelColor(text)


def colour_axes(chart: QChart, palette: QPalette) -> None:
    """Axis labels and titles in the palette's text colour (call after adding the axes)."""
    text = palette.color(QPalette.ColorRole.WindowText)
    for axis in chart.axes():
        axis.setLabelsColor(text)
        axis.setTitleBrush(text)
