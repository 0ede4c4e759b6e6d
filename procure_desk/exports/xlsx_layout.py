"""How the evidence pack lays its sheets out: styles, column widths, wrapped rows.

`Sheet` writes rows to an openpyxl write-only worksheet, measuring them as they
go so each column is sized to what it holds; `Layout` says where each sheet
puts what the later sheets' formulas refer to.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..wording import CURRENCY_SYMBOLS, column_letter
from .safe_text import cell_text

# Where the Summary sheet keeps the parameters that the formulas use.
P_SCALE = "Summary!$B$10"
P_DISCOUNT = "Summary!$B$12"
P_YEARS = "Summary!$B$13"
P_BASIS = "Summary!$B$14"
P_SPREAD = "Summary!$B$15"
TIE = "0.000000001"


def ranges(cols: list[int]) -> list[str]:
    """Contiguous runs of column numbers, as A1-style pieces for one row (row added later)."""
    out: list[tuple[int, int]] = []
    for c in sorted(cols):
        if out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return [f"{column_letter(a)}{{r}}" if a == b
            else f"{column_letter(a)}{{r}}:{column_letter(b)}{{r}}" for a, b in out]


class Styles:
    """The few styles the pack uses, built once (openpyxl imported lazily)."""

    def __init__(self, currency: str, largest_money: float = 0.0) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.Alignment = Alignment
        sym = CURRENCY_SYMBOLS.get(currency)
        self.money = f'"{sym}"#,##0' if sym else f'#,##0 "{currency}"'
        # characters the widest amount takes ("-£1,618,176"), for sizing money columns
        self.money_width = len(f"-{sym or ''}{abs(largest_money):,.0f}"
                               + ("" if sym else f" {currency}"))
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor="1F4E79")
        self.header_align = Alignment(vertical="top", wrap_text=True)
        self.header_num = Alignment(vertical="top", wrap_text=True, horizontal="right",
                                    indent=1)
        self.title_font = Font(bold=True, size=14, color="1F4E79")
        self.bold = Font(bold=True)
        self.italic = Font(italic=True, color="555555")
        self.wrap = Alignment(vertical="top")  # wrapped, with a row height, when too long
        self.top = Alignment(vertical="top")
        # numbers sit right, one indent clear of the text in the next column
        self.num = Alignment(horizontal="right", indent=1, vertical="top")
        self.input_fill = PatternFill("solid", fgColor="FFF2CC")
        self.red_fill = PatternFill("solid", fgColor="F8CBAD")
        self.amber_fill = PatternFill("solid", fgColor="FFE699")
        self.green_fill = PatternFill("solid", fgColor="C6EFCE")
        self.grey_fill = PatternFill("solid", fgColor="EDEDED")
        self.border = Border(bottom=Side(style="thin", color="1F4E79"))


class Spill:
    """Text that may run on over the empty cells to its right (a label, a note): it is
    not measured, so it never widens its column."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _shown_len(value: Any, fmt: str, st: Styles) -> int:
    """About how many characters a cell shows: its text, or its number as formatted."""
    if isinstance(value, str):
        if not value.startswith("="):
            return max(map(len, value.split("\n"))) if "\n" in value else len(value)
        value = None  # a formula: only its number format says how wide it will be
    if fmt == st.money:
        return st.money_width
    if value is None or value == "":
        return _FORMAT_WIDTH.get(fmt, 6)
    if not is_number(value):
        return len(str(value))
    if fmt.startswith('"Year "'):
        return 5 + len(str(int(value)))
    if fmt.endswith("%"):
        places = fmt.count("0") - 1
        return len(f"{value * 100:.{places}f}%")
    if fmt.startswith("0."):
        return len(f"{value:.{fmt.count('0') + fmt.count('#') - 1}f}")
    if fmt == "#,##0":
        return len(f"{value:,.0f}")
    return len(f"{value:.10g}")


# Widths of formula results by number format (the value is not known until recalculation).
_FORMAT_WIDTH = {"General": 6, "0.00": 6, "0.0000": 6, "0.##": 6, "0.0%": 6, "0.00%": 7,
                 "#,##0": 9}
CAP = 50  # no column is wider than this many characters unless its sheet says so
HEAD_MIN = 10  # a header longer than its column's values wraps, down to this width
HEAD_LINES = 3  # ... and to no more lines than this
PAD = 3  # characters of space beside the widest value
FILL = 1.25  # characters of ordinary text a column holds per unit of width (about)
LINE_PT = 15.0  # row height per line of wrapped text (11 pt type)
MAX_LINES = 12  # taller cells show the rest in the formula bar


class Book:
    """The workbook being written, and the sheets whose rows wait to be sized."""

    def __init__(self, wb: Any, *, header: str = "") -> None:
        self.wb = wb
        self.pending: list[Sheet] = []
        self.header = header  # printed at the top of every page (DRAFT while provisional)

    def create_sheet(self, title: str) -> Any:
        return self.wb.create_sheet(title)

    def finish(self) -> None:
        """Size and write every sheet started since the last call."""
        while self.pending:
            self.pending.pop(0).finish()


class Sheet:
    """A write-only worksheet with a row counter and optional styling.

    Styled sheets hold their rows until `finish`: each column is then sized to what it
    holds (header and values, up to its cap), text longer than its column wraps in a
    row tall enough for it, and headers over numbers sit right, like the numbers.
    """

    def __init__(self, wb: Book, title: str, st: Styles | None,
                 caps: dict[int, float] | None = None, freeze: str | None = None,
                 title_rows: str | None = None) -> None:
        self.ws = wb.create_sheet(title)
        self.st = st
        self.row = 0
        self.caps = caps or {}  # 1-based column -> the widest it may be
        self._rows: list[list[Any]] = []
        self._data: dict[int, int] = {}  # 0-based column -> widest value (characters)
        self._head: dict[int, int] = {}  # widest header text
        self._long: list[tuple[int, int, str]] = []  # (row, column, text) that may wrap
        self._region: tuple[list[Any], dict[int, list[int]]] | None = None
        self._region_rows = 0
        self._header_rows: set[int] = set()
        self._styles: dict[tuple[int, int, int], tuple[str, bool, int, bool]] = {}
        self._style_cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._done = st is None
        if st is not None:
            wb.pending.append(self)
            self._num_style = self._template(st.num)
            if freeze:
                self.ws.freeze_panes = freeze
            ps = self.ws.page_setup
            ps.orientation = "landscape"
            ps.paperSize = 9  # A4
            ps.fitToWidth = 1
            ps.fitToHeight = 0
            self.ws.sheet_properties.pageSetUpPr.fitToPage = True
            self.ws.print_options.gridLines = False
            if title_rows:
                self.ws.print_title_rows = title_rows
            if wb.header:
                for part in (self.ws.oddHeader.center, self.ws.oddFooter.center):
                    part.text = wb.header
                    part.color = "C00000"

    def _template(self, align: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(self.ws)
        c.alignment = align
        return c._style

    def _number(self, value: Any) -> Any:
        """A number or formula cell aligned right (style copied: thousands are written)."""
        from copy import copy

        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(self.ws, value=value)
        c._style = copy(self._num_style)
        return c

    def cell(self, value: Any, *, fmt: str | None = None, font: Any = None, fill: Any = None,
             align: Any = None) -> Any:
        if self.st is None:
            return value
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and not value.startswith("="):
            c.data_type = "s"
        if align is None and (fmt or is_number(value)
                              or (isinstance(value, str) and value.startswith("="))):
            align = self.st.num
        # Registering a style with the workbook hashes it: do that once per
        # combination and copy the result (tens of thousands of score cells).
        key = (fmt, id(font), id(fill), id(align))
        known = self._style_cache.get(key)
        if known is None:
            t = WriteOnlyCell(self.ws)
            if fmt:
                t.number_format = fmt
            if font is not None:
                t.font = font
            if fill is not None:
                t.fill = fill
            if align is not None:
                t.alignment = align
            # the style objects are kept with their ids so that an id is never reused
            known = (t._style, font, fill, align)
            self._style_cache[key] = known
        c._style = copy.copy(known[0])
        return c

    def spill(self, value: Any, **kw: Any) -> Spill:
        """A cell (as `cell`) whose text may run on to the right, unmeasured."""
        return Spill(self.cell(value, **kw) if kw else value)

    def append(self, values: list[Any]) -> int:
        self.row += 1
        if self._done:
            self.ws.append([v.value if isinstance(v, Spill) else v for v in values])
            return self.row
        if not any(v not in (None, "") for v in values):
            self._close_region()
        self._rows.append(self._take(values, header=False))
        return self.row

    def _take(self, values: list[Any], header: bool) -> list[Any]:
        """The row as it will be written, measured as it goes (quickly: the Scores sheet of
        a large evaluation has half a million cells)."""
        from openpyxl.cell import Cell

        st = self.st
        assert st is not None
        single = sum(v is not None and v != "" for v in values) <= 1
        counts = None
        if not (header or self._region is None or single):
            self._region_rows += 1
            if self._region_rows <= 200:  # enough rows to tell numbers from text
                counts = self._region[1]
        widest = self._head if header else self._data
        row = len(self._rows)
        out = []
        for k, v in enumerate(values):
            spill = single
            if type(v) is Spill:
                spill, v = True, v.value
            kind = type(v)
            if kind is str:
                if v.startswith("="):
                    v, kind = self._number(v), Cell
            elif kind is int or kind is float or (kind is not Cell and is_number(v)):
                v, kind = self._number(v), Cell
            out.append(v)
            if v is None or v == "":
                continue
            if kind is Cell:
                value = v._value
                fmt, numeric, indent, bold = self._info(v)
            else:
                value, fmt, numeric, indent, bold = v, "General", False, 0, False
            if counts is not None:
                counts.setdefault(k, [0, 0])[0 if numeric else 1] += 1
            if spill or value is None:
                continue
            if type(value) is str and not value.startswith("="):
                n = max(map(len, value.split("\n"))) if "\n" in value else len(value)
                n += indent + (n // 10 if bold else 0)
                if n > HEAD_MIN:
                    self._long.append((row, k, value))
            else:
                n = _shown_len(value, fmt, st)
            if numeric:
                n += 2  # the indent
            if n > widest.get(k, 0):
                widest[k] = n
        return out

    def _info(self, c: Any) -> tuple[str, bool, int, bool]:
        """A cell's number format, whether it sits right, the characters its indent takes
        and whether it is bold, looked up once per style."""
        s = c._style
        key = (s.numFmtId, s.alignmentId, s.fontId)
        info = self._styles.get(key)
        if info is None:
            a = c.alignment
            info = (c.number_format, a.horizontal == "right", 2 * int(a.indent or 0),
                    bool(c.font.b))
            self._styles[key] = info
        return info

    def header(self, names: Iterable[Any], fmt: str | None = None) -> int:
        st = self.st
        if st is None:
            return self.append(list(names))
        self._close_region()
        cells = [self.cell(n, font=st.header_font, fill=st.header_fill,
                           align=st.header_align, fmt=fmt if not isinstance(n, str)
                           else None) for n in names]
        self.row += 1
        self._header_rows.add(len(self._rows))
        self._rows.append(self._take(cells, header=True))
        self._region = (cells, {})
        self._region_rows = 0
        return self.row

    def _close_region(self) -> None:
        """Headers over columns of numbers sit right, as the numbers do."""
        if self._region is None:
            return
        cells, counts = self._region
        self._region = None
        for k, (numeric, text) in counts.items():
            if k < len(cells) and numeric > text and hasattr(cells[k], "alignment"):
                cells[k].alignment = self.st.header_num  # type: ignore[union-attr]

    def title(self, text: str) -> int:
        st = self.st
        return self.append([self.cell(text, font=st.title_font if st else None)])

    def blank(self) -> int:
        return self.append([])

    def widths(self) -> dict[int, float]:
        """Characters per 1-based column: the widest value, or the header if wider (a
        long header over short values wraps, down to HEAD_MIN and onto at most
        HEAD_LINES lines), within the column's cap."""
        out = {}
        for k in set(self._data) | set(self._head):
            data, head = self._data.get(k, 0), self._head.get(k, 0)
            want = max(data, min(head, max(data, HEAD_MIN, -(-head // HEAD_LINES) + 1)))
            out[k + 1] = min(want, self.caps.get(k + 1, CAP))
        return out

    def finish(self) -> None:
        """Set the widths and the heights of rows with wrapped text, then write the rows."""
        if self._done:
            return
        self._done = True
        self._close_region()
        st = self.st
        assert st is not None
        import textwrap

        widths = self.widths()
        for k, w in widths.items():
            self.ws.column_dimensions[column_letter(k)].width = w + PAD
        lines: dict[int, int] = {}
        for r, k, text in self._long:
            w = widths.get(k + 1, CAP) * FILL
            if r in self._header_rows:
                w = w * 0.9  # bold
            if len(text) <= w and "\n" not in text:
                continue
            per_line = max(4, int(w))
            n = sum(len(textwrap.wrap(p, per_line)) or 1 if len(p) < 2000
                    else len(p) // per_line + 1 for p in text.split("\n"))
            cell = self._rows[r][k]
            if not hasattr(cell, "alignment"):
                cell = self._rows[r][k] = self.cell(cell, align=st.top)
            a = cell.alignment
            cell.alignment = st.Alignment(horizontal=a.horizontal, vertical="top",
                                          wrap_text=True, indent=a.indent)
            lines[r] = max(lines.get(r, 1), min(n, MAX_LINES))
        for r, n in lines.items():
            if n > 1:
                self.ws.row_dimensions[r + 1].height = n * LINE_PT
                self._top(self._rows[r])
        for values in self._rows:
            self.ws.append(values)
        self._rows = []

    def _top(self, row: list[Any]) -> None:
        """Every cell of a tall row at the top, beside the wrapped text."""
        st = self.st
        assert st is not None
        for k, v in enumerate(row):
            if v is None or v == "":
                continue
            if not hasattr(v, "alignment"):
                row[k] = self.cell(v, align=st.top)
            elif v.alignment.vertical != "top":
                a = v.alignment
                v.alignment = st.Alignment(horizontal=a.horizontal, vertical="top",
                                           wrap_text=a.wrap_text, indent=a.indent)


def t(value: Any) -> str:
    """User text for a cell: never a formula."""
    return cell_text(value)


@dataclass
class Layout:
    """Where each sheet puts what the later sheets' formulas refer to."""

    crow: dict[str, int]  # Criteria sheet row of each criterion id
    brow: dict[str, int]  # Results row of each bid id
    mod_row0: int  # Moderation: pair (i, j) at mod_row0 + i * ns + j
    ns: int  # scored criteria
    nb: int  # bids
    c_frac0: int  # Results: first price fraction column
    c_sec0: int  # Results: first section column
    c_con0: int  # Results: first contribution column
    con_col: dict[str, int]  # Results: contribution column of each criterion id
    cost_row0: int = field(default=5, init=False)  # Costs: first bid row of the per-year table
    cmin_row: int = field(init=False)  # Results: the lowest eligible cost, below the table
    scores_last: int = field(init=False)  # Scores: last row, set by the Scores sheet
    analysis: dict[str, Any] = field(init=False)  # set by the Sensitivity sheet

    def __post_init__(self) -> None:
        self.cmin_row = self.nb + 3


def note_lines(sh: Sheet, st: Styles | None, text: str, width: int = 150) -> None:
    """A note in italic lines of a readable length (rows carry no wrap and no height)."""
    import textwrap

    for line in textwrap.wrap(text, width):
        sh.append([sh.cell(line, font=st.italic if st else None)])


def flag_rule(sh: Sheet, st: Styles | None, rng: str, value: str, colour: str) -> None:
    if st is None:
        return
    from openpyxl.formatting.rule import CellIsRule

    fill = st.red_fill if colour == "red" else st.amber_fill
    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill))


def status_rules(sh: Sheet, st: Styles, rng: str) -> None:
    from openpyxl.formatting.rule import CellIsRule

    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=['"excluded"'], fill=st.red_fill))
    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=['"incomplete"'], fill=st.amber_fill))
    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=['"ranked"'], fill=st.green_fill))
