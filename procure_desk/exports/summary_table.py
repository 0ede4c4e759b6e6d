"""A table of plain text cells drawn straight into the page: the assessment summaries'
tables, hundreds of rows in each of hundreds of letters.

reportlab's Table draws each line of each cell with `drawString` (a text object per
line) and encodes each line for the embedded font character by character; at 500
letters that alone took longer than the whole export may. Here each row's height is
known from its line count, a table splits between rows with its header repeated, and
each page of a table is one text object whose lines are encoded for the font's subset
with one `str.translate` (characters the document has not used yet are first given
their codes by the font itself). The look follows `Kit.table`: a dark header row,
zebra rows, a hairline under each row. A row of fewer cells than the header is a note
beneath the row above it (a criterion's reasons): it shares that row's shading, with no
hairline between them, and its last cell may run to the table's right edge. Cells are
never read as markup.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Sequence
from typing import Any

HEADER_BG = "0.1216 0.3059 0.4745"  # #1F4E79, as PDF colour components
ZEBRA = "0.9490 0.9647 0.9804"  # #F2F6FA
RULE = "0.7333 0.7333 0.7333"  # #BBBBBB
PAD_X, PAD_TOP, PAD_BOTTOM = 6.0, 2.0, 2.0



class Encoder:
    """One font's codes in one document: characters of subset 0 by `str.translate`;
    characters the document has not used yet are first given codes by the font."""

    def __init__(self, font: Any, doc: Any) -> None:
        # the document only weakly: `_ENCODERS` is keyed by it, and a value holding its
        # key would keep every letter's document (some 2 MB) alive to the end of the run
        self.font, self._doc = font, weakref.ref(doc)
        self.table: dict[int, int] = {}
        self.known: set[str] = set()  # in subset 0
        self.elsewhere: set[str] = set()  # in another subset
        self.dynamic = bool(getattr(font, "_dynamicFont", False))

    @property
    def doc(self) -> Any:
        return self._doc()

    def __call__(self, text: str) -> list[tuple[int, bytes]]:
        """`text` as (subset, bytes) chunks, as `font.splitString` gives them (subset
        -1: a built-in font, encoded as WinAnsi)."""
        if not self.dynamic:
            return [(-1, text.encode("cp1252", "replace"))]
        if not self.known.issuperset(text):
            self._learn(text)
            if not self.elsewhere.isdisjoint(text):
                return list(self.font.splitString(text, self.doc))
        return [(0, text.translate(self.table).encode("latin-1"))]

    def _learn(self, text: str) -> None:
        new = set(text) - self.known - self.elsewhere
        if not new:
            return
        self.font.splitString("".join(sorted(new)), self.doc)  # the font assigns codes
        assigned = self.font.state[self.doc].assignments
        for ch in new:
            code = ord(ch)
            n = assigned.get(32 if code == 0xA0 else code, 0)
            if n >> 8:
                self.elsewhere.add(ch)
            else:
                self.table[code] = n
                self.known.add(ch)


_ENCODERS: weakref.WeakKeyDictionary[Any, dict[str, Encoder]] = weakref.WeakKeyDictionary()


def encoder(font: Any, doc: Any) -> Encoder:
    per_doc = _ENCODERS.setdefault(doc, {})
    enc = per_doc.get(font.fontName)
    if enc is None:
        enc = per_doc[font.fontName] = Encoder(font, doc)
    return enc


class Wrapper:
    """Text broken into lines that fit a width, as `simpleSplit` does (at spaces), with
    each word measured once per export; a word wider than the line (a long address,
    text in a script written without spaces) is broken between characters."""

    def __init__(self, fontname: str, size: float) -> None:
        from reportlab.pdfbase import pdfmetrics

        self.measure = functools.partial(pdfmetrics.stringWidth, fontName=fontname,
                                         fontSize=size)
        self.widths: dict[str, float] = {}
        self.space = self.width(" ")

    def width(self, word: str) -> float:
        w = self.widths.get(word)
        if w is None:
            w = self.widths[word] = float(self.measure(word))
        return w

    def lines(self, text: str, limit: float) -> list[str]:
        out: list[str] = []
        for para in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in para.split(" "):
                w = self.width(word)
                if line and used + self.space + w > limit:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                if w > limit:
                    pieces = self._break(word, limit)
                    out += pieces[:-1]
                    word, w = pieces[-1], self.width(pieces[-1])
                used += (self.space if line else 0.0) + w
                line.append(word)
            out.append(" ".join(line))
        return out

    def _break(self, word: str, limit: float) -> list[str]:
        pieces, cur, used = [], "", 0.0
        for ch in word:
            w = self.width(ch)
            if cur and used + w > limit:
                pieces.append(cur)
                cur, used = "", 0.0
            cur += ch
            used += w
        pieces.append(cur)
        return pieces


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                widths: Sequence[float], *, font: str, bold: str, size: float = 8,
                leading: float = 9.6, align_right: Sequence[int] = ()) -> Any:
    """The flowable: `rows` of strings (lines split by "\\n"), under `header`; a row of
    fewer cells than the header is a note beneath the row above (module docstring)."""
    drawn = [[c if c.isascii() else _drawable(c) for c in r] for r in rows]
    if any(c is None for r in drawn for c in r) or any(
            _drawable(h) is None for h in header):
        return _fallback_table(header, rows, widths, align_right)
    return _table_type()(list(header), drawn, list(widths), font, bold, size,
                         leading, frozenset(align_right), None, None, None)


def _fallback_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                    widths: Sequence[float], align_right: Sequence[int]) -> Any:
    """The same table as Paragraphs, for text in a script the main font lacks (Chinese,
    Japanese, Korean): each run set in the fallback font rather than drawn as boxes; a
    note row's last cell spans to the right edge."""
    from .pdf_base import Kit

    kit = Kit()

    def cell(text: str) -> Any:
        return kit.m("<br/>".join(kit.t(line) for line in text.split("\n")), kit.small)

    n = len(header)
    spans = []
    for k, r in enumerate(rows):
        if len(r) < n:  # a note: each cell runs to the next one set, the last to the edge
            starts = [p for p in range(1, len(r)) if r[p] or p == len(r) - 1]
            ends = [p - 1 for p in starts[1:]] + [n - 1]
            spans += [("SPAN", (a, k + 1), (b, k + 1)) for a, b in zip(starts, ends)
                      if b > a]
    cells = [[cell(c) for c in r] + [""] * (n - len(r)) for r in rows]
    return kit.table(list(header), cells, list(widths), align_right=tuple(align_right),
                     extra=spans)


class _Plain:
    """The table's layout and drawing; made a reportlab Flowable by `_table_type`."""

    canv: Any  # set by the Flowable while it draws
    height: float

    def __init__(self, header: list[str], rows: list[Sequence[str]],
                 widths: list[float], font: str, bold: str, size: float,
                 leading: float, right: frozenset[int],
                 head_lines: list[list[str]] | None,
                 heights: list[float] | None, bands: list[int] | None) -> None:
        super().__init__()  # the Flowable's
        self.header, self.rows, self.widths = header, rows, widths
        self.font, self.bold, self.size, self.leading = font, bold, size, leading
        self.right = right
        from reportlab.lib.utils import simpleSplit

        self.head_lines = head_lines or [simpleSplit(h, bold, size, w - 2 * PAD_X)
                                         or [""] for h, w in zip(header, widths)]
        self.head_h = self._height(max(len(x) for x in self.head_lines))
        self.heights = heights if heights is not None else [
            self._height(max(c.count("\n") for c in r) + 1) for r in rows]
        self.bands = bands if bands is not None else _bands(rows, len(header))
        self.width = sum(widths)

    def _height(self, lines: int) -> float:
        return lines * self.leading + PAD_TOP + PAD_BOTTOM

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.height = self.head_h + sum(self.heights)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        room = avail_height - self.head_h
        k = 0
        while k < len(self.heights) and room >= self.heights[k]:
            room -= self.heights[k]
            k += 1
        if k == 0 or k == len(self.rows):
            return [] if k == 0 else [self]
        start = k  # a row's notes go to the next page with it, when the band fits there
        while start > 0 and self.bands[start] == self.bands[start - 1]:
            start -= 1
        if start > 0:
            k = start
        return [self._part(0, k), self._part(k, len(self.rows))]

    def _part(self, a: int, b: int) -> Any:
        return type(self)(self.header, self.rows[a:b], self.widths, self.font, self.bold,
                          self.size, self.leading, self.right, self.head_lines,
                          self.heights[a:b], self.bands[a:b])

    def draw(self) -> None:
        self.canv.addLiteral(self._drawn())

    def _drawn(self) -> str:
        top = self.head_h + sum(self.heights)
        tops = [top - self.head_h]
        for h in self.heights:
            tops.append(tops[-1] - h)
        w = self.width
        n = len(self.rows)
        ops = ["q", f"{HEADER_BG} rg",
               f"0 {top - self.head_h:.2f} {w:.2f} {self.head_h:.2f} re f",
               f"{ZEBRA} rg"]
        ops += [f"0 {tops[k + 1]:.2f} {w:.2f} {self.heights[k]:.2f} re f"
                for k in range(n) if self.bands[k] % 2]
        ops += [f"{RULE} RG", "0.25 w"]
        ops += [f"0 {tops[k]:.2f} m {w:.2f} {tops[k]:.2f} l" for k in range(n + 1)
                if k in (0, n) or self.bands[k] != self.bands[k - 1]]
        ops += ["S", "Q"]
        ops += ["BT", "1 g", f"{self.leading:g} TL"]
        self._text(ops, self.bold, [[*lines] for lines in self.head_lines], top,
                   self.right)
        ops.append("0 g")
        full = len(self.header)
        subset: int | None = None  # the font set by the row before (text state lasts)
        for k, row in enumerate(self.rows):  # a note's cells are all set from the left
            subset = self._text(ops, self.font, [cell.split("\n") for cell in row],
                                tops[k], self.right if len(row) >= full else frozenset(),
                                subset)
        ops.append("ET")
        return "\n".join(ops)

    def _text(self, ops: list[str], fontname: str, cells: list[list[str]],
              top: float, right: frozenset[int], subset_now: int | None = None
              ) -> int | None:
        """One row's lines as text operators, each line placed where it goes; returns
        the font subset last set (`subset_now`: the one set before)."""
        from reportlab.pdfbase import pdfmetrics

        font = pdfmetrics.getFont(fontname)
        doc = self.canv._doc
        if not getattr(font, "_dynamicFont", False):  # a built-in Type 1 font
            ops.append(f"{doc.getInternalFontName(fontname)} {self.size:g} Tf")
            subset_now = None
        encode = encoder(font, doc)
        known: set[str] | frozenset[str] = encode.known if encode.dynamic else frozenset()
        table, escape = encode.table, self.canv._escape
        x0 = 0.0
        y = top - PAD_TOP - self.size
        for col, lines in enumerate(cells):
            if col in right:  # short figures: each line placed at its width
                for n, line in enumerate(lines):
                    if line:
                        x = x0 + self.widths[col] - PAD_X - _width(line, fontname,
                                                                  self.size)
                        ops.append(f"1 0 0 1 {x:.2f} {y - n * self.leading:.2f} Tm")
                        if subset_now == 0 and known.issuperset(line):
                            ops.append(f"({escape(line.translate(table).encode('latin-1'))})"
                                       f" Tj")
                        else:
                            subset_now = self._line(ops, font, encode, line, subset_now,
                                                    "")
            elif len(lines) > 1 or lines[0]:  # placed once, then line by line
                ops.append(f"1 0 0 1 {x0 + PAD_X:.2f} {y:.2f} Tm")
                for line in lines:
                    if line and subset_now == 0 and known.issuperset(line):  # usual
                        ops.append(f"({escape(line.translate(table).encode('latin-1'))})"
                                   f" Tj T*")
                    else:
                        subset_now = self._line(ops, font, encode, line, subset_now,
                                                " T*")
            x0 += self.widths[col]
        return subset_now

    def _line(self, ops: list[str], font: Any, encode: Encoder, line: str,
              subset_now: int | None, then: str) -> int | None:
        if not line:
            if then:
                ops.append(then)
            return subset_now
        chunks = encode(line)
        escape = self.canv._escape
        if len(chunks) == 1 and chunks[0][0] == subset_now:
            ops.append(f"({escape(chunks[0][1])}) Tj{then}")
            return subset_now
        for subset, data in chunks:
            if subset != subset_now and subset >= 0:
                name = font.getSubsetInternalName(subset, self.canv._doc)
                ops.append(f"{name} {self.size:g} Tf")
                subset_now = subset
            ops.append(f"({escape(data)}) Tj")
        if then:
            ops.append(then)
        return subset_now


@functools.lru_cache(maxsize=1 << 16)
def _drawable(cell: str) -> str | None:
    """The cell as drawn (right-to-left runs in order), or None when the main font
    lacks one of its characters; kept, as the same names are drawn in every letter."""
    from . import pdf_fonts

    return None if pdf_fonts.needs_fallback(cell) else pdf_fonts.visual(cell)


def _bands(rows: Sequence[Sequence[str]], columns: int) -> list[int]:
    """Each row's band (zebra shading, a hairline between bands): a row of fewer cells
    than the header (a note) is in the band of the row above."""
    out: list[int] = []
    band = -1
    for r in rows:
        if len(r) >= columns or band < 0:
            band += 1
        out.append(band)
    return out


@functools.lru_cache(maxsize=4096)
def _width(text: str, fontname: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    return float(pdfmetrics.stringWidth(text, fontname, size))


@functools.cache
def _table_type() -> type:
    from reportlab.platypus.flowables import Flowable

    return type("PlainTable", (_Plain, Flowable), {})
