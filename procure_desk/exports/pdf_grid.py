"""A table of plain text drawn straight onto the page: the report's long tables.

reportlab's Table measures and draws each cell on its own (a text object, a font and a
colour per cell, cell styles resolved per cell), which at 50,000 rows is most of a
report's time. A `Grid` holds only plain strings (already wrapped to their column by
`pdf_base.wrapped`), so a row's height is its line count, a split is a cut in a list
of heights, and a page's text is one text object. It looks like `Kit.table`: the
header (and the caption above it, naming e.g. the bid) repeats on every page, rows
are zebra-striped, and a row-wide background marks a finding. Anything richer (a
Paragraph in a cell, per-cell colours) goes to reportlab's LongTable instead.
"""

from __future__ import annotations

import functools
from typing import Any

SIZE = 8.0
LEADING = SIZE * 1.2
TOP, BOTTOM, SIDE = 2.0, 2.0, 6.0  # padding, in points
HEADER_BLUE, CAPTION_BLUE, ZEBRA, RULE = "#1F4E79", "#DDE7F1", "#F2F6FA", "#BBBBBB"


class GridSpec:
    """What every piece of one grid shares: columns, fonts, the repeated head."""

    def __init__(self, header: list[str], widths: list[float], align_right: tuple[int, ...],
                 zebra: bool, font: str, bold: str, caption: str | None) -> None:
        from .pdf_base import PAD, wrapped

        self.widths, self.font, self.bold, self.zebra = widths, font, bold, zebra
        self.right = set(align_right)
        self.x = [sum(widths[:k]) for k in range(len(widths))]
        self.header = [wrapped(h, bold, SIZE, w - PAD) for h, w in zip(header, widths)]
        self.caption = (wrapped(caption, bold, SIZE + 0.5, sum(widths) - PAD)
                        if caption is not None else None)
        self.header_h = _height(self.header)
        self.caption_h = _height([self.caption]) if self.caption is not None else 0.0
        self.head_h = self.header_h + self.caption_h


def _height(cells: list[str]) -> float:
    return max(c.count("\n") + 1 for c in cells) * LEADING + TOP + BOTTOM


def make_grid(spec: GridSpec, rows: list[list[str]], shade: dict[int, Any]) -> Any:
    """A Grid of `rows` (plain strings); `shade` maps a row's index to its background
    (a "#RRGGBB" string or a reportlab colour)."""
    heights = [_height(r) for r in rows]
    return _grid_type()(spec, rows, heights, shade, 0)


@functools.cache
def _grid_type() -> type:
    from reportlab.lib.colors import HexColor, white
    from reportlab.platypus.flowables import Flowable

    class Grid(Flowable):
        def __init__(self, spec: GridSpec, rows: list[list[str]], heights: list[float],
                     shade: dict[int, Any], first: int) -> None:
            super().__init__()
            self.spec, self.rows, self.heights = spec, rows, heights
            self.shade, self.first = shade, first  # first: index of rows[0] in the whole
            self.width = sum(spec.widths)
            self.height = spec.head_h + sum(heights)

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return self.width, self.height

        def split(self, avail_width: float, avail_height: float) -> list[Any]:
            room = avail_height - self.spec.head_h
            n, used = 0, 0.0
            for h in self.heights:
                if used + h > room:
                    break
                used += h
                n += 1
            if n == 0 or n == len(self.rows):
                return [] if n == 0 else [self]
            cls = type(self)
            return [cls(self.spec, self.rows[:n], self.heights[:n], self.shade, self.first),
                    cls(self.spec, self.rows[n:], self.heights[n:], self.shade,
                        self.first + n)]

        def draw(self) -> None:
            spec, canv = self.spec, self.canv
            canv.saveState()
            y = self.height
            tops = []
            if spec.caption is not None:
                canv.setFillColor(HexColor(CAPTION_BLUE))
                canv.rect(0, y - spec.caption_h, self.width, spec.caption_h, stroke=0, fill=1)
                tops.append(y)
                y -= spec.caption_h
            canv.setFillColor(HexColor(HEADER_BLUE))
            canv.rect(0, y - spec.header_h, self.width, spec.header_h, stroke=0, fill=1)
            header_top = y
            y -= spec.header_h
            body_top = y
            for k, h in enumerate(self.heights):
                colour = self.shade.get(self.first + k)
                if colour is None and spec.zebra and (self.first + k) % 2 == 1:
                    colour = ZEBRA
                if colour:
                    canv.setFillColor(HexColor(colour) if isinstance(colour, str) else colour)
                    canv.rect(0, y - h, self.width, h, stroke=0, fill=1)
                y -= h
            self._rules(body_top, header_top)
            tx = canv.beginText()
            out = _Writer(canv, tx)
            if spec.caption is not None:
                tx.setFillColorRGB(0, 0, 0)
                out.cell(spec.caption, 0, self.width, tops[0], spec.bold, SIZE + 0.5, False)
            tx.setFillColor(white)
            for k, text in enumerate(spec.header):
                out.cell(text, spec.x[k], spec.widths[k], header_top, spec.bold, SIZE,
                         k in spec.right)
            tx.setFillColorRGB(0, 0, 0)
            y = body_top
            x, widths, right, font = spec.x, spec.widths, spec.right, spec.font
            for row, h in zip(self.rows, self.heights):
                for k, text in enumerate(row):
                    if text:
                        out.cell(text, x[k], widths[k], y, font, SIZE, k in right)
                y -= h
            canv.drawText(tx)
            canv.restoreState()

        def _rules(self, body_top: float, header_top: float) -> None:
            canv = self.canv
            canv.setStrokeColor(HexColor(RULE))
            canv.setLineWidth(0.25)
            y = body_top
            lines = [(0, y, self.width, y)]
            for h in self.heights:
                y -= h
                lines.append((0, y, self.width, y))
            canv.lines(lines)

    return Grid


class _Writer:
    """Writes cells into one text object. A TrueType font's text is encoded once per
    distinct string and document (`splitString` maps each character to its subset,
    and a character keeps its code for the whole document), so the thousands of
    repeated names, dashes and figures of a long report cost one encoding each."""

    def __init__(self, canv: Any, tx: Any) -> None:
        doc = canv._doc
        cache = getattr(doc, "_procure_desk_grid_text", None)
        if cache is None:
            cache = doc._procure_desk_grid_text = {}
        self.canv, self.tx, self.doc, self.cache = canv, tx, doc, cache
        self.current: tuple[str, float] | None = None
        self.font: Any = None

    def cell(self, text: str, x: float, width: float, top: float, font: str, size: float,
             right: bool) -> None:
        if self.current != (font, size):
            from reportlab.pdfbase.pdfmetrics import getFont

            self.tx.setFont(font, size, LEADING)
            self.current, self.font = (font, size), getFont(font)
        base = top - TOP - size
        for line in text.split("\n"):
            if line:
                self.line(line, x, width, base, size, right)
            base -= LEADING

    def line(self, line: str, x: float, width: float, base: float, size: float,
             right: bool) -> None:
        from reportlab.lib.rl_accel import fp_str

        tx, font = self.tx, self.font
        key = (font.fontName, size, line)
        got = self.cache.get(key)
        if got is None:
            w = font.stringWidth(line, size)
            ops = ([(sub, f"({self.canv._escape(t)}) Tj")
                    for sub, t in font.splitString(line, self.doc)]
                   if font._dynamicFont else None)
            got = self.cache[key] = (w, ops)
        w, ops = got
        tx.setTextOrigin(x + width - SIDE - w if right else x + SIDE, base)
        if ops is None:  # a standard font: reportlab's own way
            tx.textOut(line)
            return
        code = tx._code
        for sub, op in ops:
            if sub != tx._curSubset:
                code.append(f"{font.getSubsetInternalName(sub, self.doc)} {fp_str(size)} Tf "
                            f"{fp_str(LEADING)} TL")
                tx._curSubset = sub
            code.append(op)
