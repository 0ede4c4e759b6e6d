"""The long part of a sheet (`Sheet.bulk`): rows kept as columns (`xlsx_columns.Rows`)
until the sheet is written, measured a column at a time, then written a chunk of
rows at a time, each row whole (`xlsx_rows.row_writer`).

Its texts are measured for the column widths and the rows that wrap (their lines
counted from the text's length, as `Sheet` counts them); its numbers are not: the
rows before it, taken as any row is, have measured numbers and styles alike. A row
whose text looks like spreadsheet markup, and a row given other columns (`alt`), is
written cell by cell instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..wording import column_letter
from .xlsx_columns import Measure, Rows
from .xlsx_rows import FORMULA, TEXT, Col, row_writer

if TYPE_CHECKING:
    from .xlsx_layout import Sheet


class Bulk:
    """Rows `first`.. (0-based) of `sheet`: `rows`, in the columns `cols`; the rows at
    the positions `alt[1]` in the columns `alt[0]` instead."""

    def __init__(self, sheet: Sheet, cols: list[Col], rows: Rows, first: int,
                 alt: tuple[list[Col], set[int]] | None = None) -> None:
        self.sheet, self.cols, self.rows, self.first = sheet, cols, rows, first
        self.alt_cols, self.alt = alt if alt is not None else (cols, set())
        self.measures: list[tuple[int, Measure]] = []
        self.odd: set[int] = set(self.alt)
        self.refs = 0  # texts written by the whole-row writer (shared-string references)
        for k, col in enumerate(cols):
            if col.kind != TEXT:
                continue
            if k > 62:  # the wrapped cells of a row are bits of an int64
                raise ValueError("a text column of a bulk beyond the 63rd")
            m = rows.measure(k, int(sheet.caps.get(k + 1, _cap())))
            self.measures.append((k, m))
            self.refs += m.texts
            self.odd.update(m.odd.tolist())
            if m.widest > sheet._data.get(k, 0):
                sheet._data[k] = m.widest
        self.lines = np.zeros(0, dtype=np.int16)
        self.mask = np.zeros(0, dtype=np.int64)

    def tall(self, widths: dict[int, float]) -> None:
        """The rows whose text is wider than its column: how many lines each needs (as
        `Sheet._tall_rows` counts them) and which of its cells wrap."""
        from .xlsx_layout import CAP, FILL, MAX_LINES

        n = len(self.rows)
        lines = np.zeros(n, dtype=np.int16)
        mask = np.zeros(n, dtype=np.int64)
        for k, m in self.measures:
            if not m.long.size:
                continue
            w = widths.get(k + 1, CAP) * FILL
            per = max(4, int(w))
            rows, lengths, multi = m.long, m.lengths, m.multi
            need = -(-lengths * 11 // (10 * per))
            for j in np.flatnonzero(multi).tolist():
                text = self.rows.value(int(rows[j]), k)
                need[j] = sum(-(-len(p) * 11 // (10 * per)) or 1 for p in text.split("\n"))
            keep = multi | (lengths > w)
            rows, need = rows[keep], np.minimum(need[keep], MAX_LINES)
            lines[rows] = np.maximum(lines[rows], need)
            mask[rows] |= 1 << k
        self.lines, self.mask = lines, mask
        wrapped = self.sheet._wrapped
        for r in self.odd:
            for k in range(len(self.cols)):
                if mask[r] >> k & 1:
                    wrapped.add((self.first + r, k))

    def heights(self) -> dict[int, float]:
        """The odd rows' heights (0-based sheet rows), as `emit` takes them."""
        from .xlsx_layout import LINE_PT

        return {self.first + r: float(self.lines[r]) * LINE_PT for r in self.odd
                if self.lines[r] > 1}

    def write(self, ws: Any) -> int:
        """Write the rows (after the sheet's rows before them); returns the texts written
        by reference to the shared strings."""
        from .xlsx_layout import LINE_PT

        sheet = self.sheet
        book = sheet.book
        cols = self.cols
        n = len(self.rows)
        if not n:
            return 0
        ws._check_dimensions(self.first + n - 1, len(cols) - 1)
        plain = row_writer([self.column(k, col, False) for k, col in enumerate(cols)])
        top = row_writer([self.column(k, col, True) for k, col in enumerate(cols)], tall=True)
        shared = book.fast_shared
        lines, mask = self.lines, self.mask
        texts = [k for k, col in enumerate(cols) if col.kind == TEXT]
        odd, heights = self.odd, self.heights()
        refs = self.refs
        wraps: dict[int, set[int]] = {}  # bits of the wrapped columns -> their set
        fh = ws.row_data_fh
        for x, chunk in self.rows.chunks():
            out: list[str] = []
            add = out.append
            for m, v in enumerate(chunk):
                r = x + m
                n_text = str(self.first + r + 1)
                if r in odd:
                    refs -= sum(1 for k in texts if v[k])
                    spec = self.alt_cols if r in self.alt else cols
                    cells = sheet._cells(spec, v, self.first + r + 1)
                    add(sheet._row_xml(cells, self.first + r, heights, bool(lines[r])))
                elif not lines[r]:
                    add(plain(v, n_text, shared))
                else:
                    h = f' ht="{float(lines[r]) * LINE_PT:g}" customHeight="1"' \
                        if lines[r] > 1 else ""
                    bits = int(mask[r])
                    w = wraps.get(bits)
                    if w is None:
                        w = wraps[bits] = {k for k in texts if bits >> k & 1}
                    add(top(v, n_text, shared, h, w))
            fh.write("".join(out))
        return refs

    def column(self, k: int, col: Col, tall: bool) -> tuple[str, str, str, str, str]:
        """A column for `row_writer`, its cells styled as `Sheet._cell_xml` styles them."""
        sheet = self.sheet
        book, st = sheet.book, sheet.st
        assert st is not None
        style = wrapped = ""
        if col.kind == TEXT:
            c = sheet.cell("", **(col.style or {}))
            parts = (c.fmt, c.font, c.fill, c.align) if col.style else (None,)
            if tall:
                style = sheet._style(book.format(*parts, top=True))
                wrapped = sheet._style(book.format(*parts, top=True, wrap=True))
            elif col.style:
                style = sheet._style(book.format(*parts))
        elif col.style is None:  # a plain number, or a formula with a number
            style = sheet._style(book.format(None, None, None, st.num,
                                             top=tall and col.kind == FORMULA))
        else:
            c = sheet.cell(0, **col.style)
            style = sheet._style(book.format(c.fmt, c.font, c.fill, c.align,
                                             unlocked=c.input, top=tall))
        return col.kind, column_letter(k + 1), style, col.formula, wrapped


def _cap() -> int:
    from .xlsx_layout import CAP

    return CAP
