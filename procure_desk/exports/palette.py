"""The colours of an evaluation's top-level sections, one palette for every picture.

The PDF report's chart and the evidence pack's chart give the k-th top-level section
(in the order of the criteria) the same colour, so a board member holding the printed
report beside the workbook sees the same bars; a chart in the desktop application
should take its colours from here too (`QColor(section_colour(k))`).
"""

from __future__ import annotations

# RRGGBB, dark blue first (the header colour of both documents), then colours that
# stay distinct from their neighbours when printed.
SECTION_COLOURS: tuple[str, ...] = (
    "1F4E79", "70AD47", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "264478", "9E480E",
    "636363", "997300",
)


def section_colour(k: int) -> str:
    """The k-th top-level section's colour as "#RRGGBB"; the palette repeats."""
    return "#" + SECTION_COLOURS[k % len(SECTION_COLOURS)]
