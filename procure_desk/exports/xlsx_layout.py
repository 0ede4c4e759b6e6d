"""How the evidence pack lays its sheets out: styles, column widths, wrapped rows,
printing and protection.

The pack is written with XlsxWriter (in constant-memory mode, rows in order), which
stores each formula together with its value: a viewer that does not recalculate (a
file preview, a phone, `openpyxl` with `data_only=True`) still shows the numbers.
`Sheet` holds a sheet's rows until `finish`, measuring them as they come, so each
column is sized to what it holds and long text wraps in a row tall enough for it;
`Layout` says where each sheet puts what the later sheets' formulas refer to.

Text from people is always written as a string (`write_string`), never parsed, so
no name or comment can become a formula and none needs an apostrophe in front:
only `F` values are formulas, and only this package makes them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from ..wording import CURRENCY_SYMBOLS, column_letter
from .safe_text import EXCEL_CELL_LIMIT, plain_text
from .xlsx_bulk import Bulk
from .xlsx_columns import Rows
from .xlsx_map import Layout as Layout  # where the sheets meet; imported from here too
from .xlsx_rows import (
    FORMULA,
    Col,
    FastShared,
    emit,
    fill_formula,
    formula_cell,
    row_xml,
    shared_text,
    string_cell,
    value_cell,
)

# Where the Summary sheet keeps the parameters that the formulas use (xlsx_results).
P_SCALE = "Summary!$B$22"
P_STEP = "Summary!$B$23"
P_DISCOUNT = "Summary!$B$24"
P_YEARS = "Summary!$B$25"
P_BASIS = "Summary!$B$26"
P_SPREAD = "Summary!$B$27"
P_PROCEDURE = "Summary!$B$28"
P_ELSEWHERE = "Summary!$B$29"
TIE = "0.000000001"
DEFAULT_MARKING = "OFFICIAL-SENSITIVE: COMMERCIAL"


class F:
    """A formula and the value ProcureDesk computed for it (stored beside it)."""

    __slots__ = ("formula", "value")

    def __init__(self, formula: str, value: Any = "") -> None:
        self.formula = formula
        self.value = _plain_value(value)


def _plain_value(value: Any) -> Any:
    """A formula's value as a cell holds it: a number, text, a boolean, or "" (nothing)."""
    t = type(value)
    if t is str or t is int:
        return value
    if t is float:
        return "" if value != value or value in (_INF, -_INF) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):
        v = float(value)
        return "" if math.isnan(v) or math.isinf(v) else v
    return str(value)


def _numeric_formula(value: Any) -> bool:
    """A formula whose value is a number (or nothing): it sits right, as numbers do."""
    return type(value) is F and (type(value.value) is not str or value.value == "")


class C:
    """A value with its style: number format, font, fill, alignment, and whether it is
    an input a reader may change (unlocked on the protected sheet)."""

    __slots__ = ("align", "fill", "fmt", "font", "input", "value")

    def __init__(self, value: Any, fmt: str | None, font: Any, fill: Any, align: Any,
                 input: bool = False) -> None:
        self.value, self.fmt, self.font, self.fill, self.align = value, fmt, font, fill, align
        self.input = input


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
    """The few styles the pack uses, as XlsxWriter format properties (small dicts,
    combined and registered once per combination by `Book.format`)."""

    def __init__(self, currency: str, largest_money: float = 0.0) -> None:
        sym = CURRENCY_SYMBOLS.get(currency)
        self.money = f'"{sym}"#,##0' if sym else f'#,##0 "{currency}"'
        # characters the widest amount takes ("-£1,618,176"), for sizing money columns
        self.money_width = len(f"-{sym or ''}{abs(largest_money):,.0f}"
                               + ("" if sym else f" {currency}"))
        self.header_font = {"bold": True, "font_color": "#FFFFFF"}
        self.header_fill = {"bg_color": "#1F4E79", "pattern": 1}
        self.header_align = {"valign": "top", "text_wrap": True}
        self.header_num = {"valign": "top", "text_wrap": True, "align": "right", "indent": 1}
        self.title_font = {"bold": True, "font_size": 14, "font_color": "#1F4E79"}
        self.bold = {"bold": True}
        self.italic = {"italic": True, "font_color": "#555555"}
        self.red_bold = {"bold": True, "font_color": "#C00000"}
        self.blue_bold = {"bold": True, "font_color": "#1F4E79"}
        self.wrap = {"valign": "top"}  # wrapped, with a row height, when too long
        self.top = {"valign": "top"}
        # numbers sit right, one indent clear of the text in the next column
        self.num = {"align": "right", "indent": 1, "valign": "top"}
        self.input_fill = {"bg_color": "#FFF2CC", "pattern": 1}
        self.red_fill = {"bg_color": "#F8CBAD", "pattern": 1}
        self.amber_fill = {"bg_color": "#FFE699", "pattern": 1}
        self.green_fill = {"bg_color": "#C6EFCE", "pattern": 1}
        self.grey_fill = {"bg_color": "#EDEDED", "pattern": 1}
        self._aligns: dict[tuple[Any, ...], dict[str, Any]] = {}

    def align(self, **kw: Any) -> dict[str, Any]:
        """An alignment (horizontal=..., indent=..., vertical=...), one object per kind."""
        key = tuple(sorted(kw.items()))
        a = self._aligns.get(key)
        if a is None:
            a = {}
            if kw.get("horizontal"):
                a["align"] = kw["horizontal"]
            if kw.get("indent"):
                a["indent"] = kw["indent"]
            a["valign"] = kw.get("vertical") or "top"
            self._aligns[key] = a
        return a


_INF = float("inf")


def is_number(value: Any) -> bool:
    t = type(value)
    if t is int or t is float:
        return True
    return t is not bool and t is not str and isinstance(value, numbers.Real)


def _number_len(value: Any, fmt: str, st: Styles) -> int:
    """About how many characters a number shows, as formatted."""
    if fmt == st.money:
        return st.money_width
    if not is_number(value):
        return len(str(value)) if value not in (None, "") else 6
    if fmt.startswith('"Year "'):
        return 5 + len(str(int(value)))
    if fmt.endswith("%"):
        places = fmt.count("0") - 1
        return len(f"{value * 100:.{places}f}%")
    if fmt.startswith("0."):
        return len(f"{value:.{fmt.count('0') + fmt.count('#') - 1}f}")
    if fmt in ("#,##0", "0"):
        return len(f"{value:,.0f}")
    return len(f"{value:.10g}")


CAP = 50  # no column is wider than this many characters unless its sheet says so
HEAD_MIN = 10  # a header longer than its column's values wraps, down to this width
HEAD_LINES = 3  # ... and to no more lines than this
PAD = 3  # characters of space beside the widest value
FILL = 1.25  # characters of ordinary text a column holds per unit of width (about)
LINE_PT = 15.0  # row height per line of wrapped text (11 pt type)
MAX_LINES = 12  # taller cells show the rest in the formula bar
SAMPLED = 200  # rows of a table measured whole; below them, only plain texts
PAGE_CHARS = 150  # about the characters across a landscape A4 page that stay legible


class Book:
    """The workbook being written, its formats, and the sheets whose rows wait."""

    def __init__(self, wb: Any, st: Styles | None, *, draft: str = "", marking: str = "",
                 reference: str = "") -> None:
        self.wb = wb
        self.st = st
        self.pending: list[Sheet] = []
        self.draft = draft  # printed at the top and foot of every page while provisional
        self.marking = marking
        self.reference = reference
        self._formats: dict[tuple[Any, ...], Any] = {}
        self.strings = wb.str_table  # the workbook's shared strings
        self.shared: dict[str, int] = {}  # text -> its index there
        self.reused = 0  # references to a text already there (counted at the end)
        self.fast_shared = FastShared(self)  # text -> its index there, as text

    def add_sheet(self, title: str) -> Any:
        return self.wb.add_worksheet(title)

    def format(self, fmt: str | None, font: Any = None, fill: Any = None, align: Any = None,
               *, wrap: bool = False, unlocked: bool = False, top: bool = False) -> Any:
        """The registered format for this combination (None for the default)."""
        key = (fmt, id(font), id(fill), id(align), wrap, unlocked, top)
        got = self._formats.get(key)
        if got is None:
            if not (fmt or font or fill or align or wrap or unlocked or top):
                self._formats[key] = (None, font, fill, align)
                return None
            props: dict[str, Any] = {}
            for part in (font, fill, align):
                if part:
                    props.update(part)
            if fmt:
                props["num_format"] = fmt
            if wrap:
                props["text_wrap"] = True
                props["valign"] = "top"
            if top:
                props["valign"] = "top"
            if unlocked:
                props["locked"] = False
            # the parts are kept with the format so that their ids are never reused
            got = (self.wb.add_format(props), font, fill, align)
            self._formats[key] = got
        return got[0]

    def conditional(self, fill: Any) -> Any:
        key = ("cond", id(fill))
        got = self._formats.get(key)
        if got is None:
            got = (self.wb.add_format(dict(fill)), fill, None, None)
            self._formats[key] = got
        return got[0]

    def finish(self) -> None:
        """Size and write every sheet started since the last call."""
        while self.pending:
            self.pending.pop(0).finish()
        self.strings.count += self.reused  # the shared strings' count of references
        self.reused = 0


def header_text(text: str) -> str:
    """User text for a printed header or footer: `&` starts a code there, so doubled."""
    return plain_text(text).replace("&", "&&")


class Sheet:
    """A worksheet with a row counter, optional styling, printing and protection.

    Rows are held until `finish`: each column is then sized to what it holds (header
    and values, up to its cap), text longer than its column wraps in a row tall enough
    for it, headers over numbers sit right, like the numbers, and the rows are written
    in order (the workbook is in constant-memory mode).
    """

    def __init__(self, book: Book, title: str, st: Styles | None,
                 caps: dict[int, float] | None = None, freeze: str | None = None,
                 title_rows: str | None = None, *, repeat_cols: str | None = None,
                 protect: bool = True) -> None:
        self.book = book
        self.ws = book.add_sheet(title)
        self.st = st
        self.row = 0
        self.caps = caps or {}  # 1-based column -> the widest it may be
        self._rows: list[Any] = []  # lists of cells, before the bulk (if any)
        self._data: dict[int, int] = {}  # 0-based column -> widest value (characters)
        self._head: dict[int, int] = {}  # widest header text
        self._long: list[tuple[int, int, int]] = []  # (row, column, length) that may wrap
        self._region: tuple[list[Any], dict[int, list[int]]] | None = None
        self._region_rows = 0
        self._header_rows: set[int] = set()
        self._freeze = freeze
        self._title_rows = title_rows
        self._repeat_cols = repeat_cols
        self._protect = protect
        self._conditions: list[tuple[str, dict[str, Any]]] = []
        self._validations: list[tuple[str, dict[str, Any]]] = []
        self._charts: list[tuple[str, Any]] = []
        self.legible = False  # True: as many pages across as keep the type legible
        self.print_cols: int | None = None  # print columns 1..this only (None: all)
        self._done = False
        self._wrapped: set[tuple[int, int]] = set()
        self._xf: dict[int, str] = {}
        self._keyed: dict[tuple[Any, ...], str] = {}
        self._texts: dict[str, str] = {}
        self._bulk: Bulk | None = None  # rows kept as columns, written whole
        self._plain: tuple[list[Col], Rows, Any] | None = None  # the same, unstyled
        self._tail: list[Any] = []  # rows after the bulk
        self._tail0 = 0  # the first of them (0-based)
        book.pending.append(self)

    # ---- building cells and rows ---------------------------------------------------
    def cell(self, value: Any, *, fmt: str | None = None, font: Any = None, fill: Any = None,
             align: Any = None, input: bool = False) -> Any:
        if self.st is None:
            return value
        if align is None and (fmt or is_number(value) or _numeric_formula(value)):
            align = self.st.num
        return C(value, fmt, font, fill, align, input)

    def input(self, value: Any, *, fmt: str | None = None, align: Any = None) -> Any:
        """An input the formulas read: shaded yellow, left editable on the protected sheet."""
        if self.st is None:
            return value
        return self.cell(value, fmt=fmt, fill=self.st.input_fill, align=align, input=True)

    def spill(self, value: Any, **kw: Any) -> Spill:
        """A cell (as `cell`) whose text may run on to the right, unmeasured."""
        return Spill(self.cell(value, **kw) if kw else value)

    def append(self, values: list[Any]) -> int:
        self.row += 1
        rows = self._tail if self._bulk is not None or self._plain is not None else self._rows
        if self.st is None:
            rows.append([v.value if type(v) is Spill else v for v in values])
            return self.row
        if self._region_rows > SAMPLED and len(values) > 1:
            rows.append(self._take_text(values, self.row - 1))
            return self.row
        if not any(v is not None and v != "" for v in values):
            self._close_region()
        rows.append(self._take(values, False, self.row - 1))
        return self.row

    def _at(self, r: int) -> list[Any]:
        """Row r (0-based) as held: before the bulk, or after it."""
        return self._rows[r] if r < len(self._rows) else self._tail[r - self._tail0]

    def bulk(self, cols: list[Col], rows: Rows,
             alt: tuple[list[Col], set[int]] | None = None) -> None:
        """Append many rows alike (the Scores, Moderation, Results and Audit sheets), held
        as columns (`Rows`, one part per column of `cols`, then one per parameter of the
        formulas) until the sheet is written; `alt` gives other columns for the rows at
        the given positions. The first rows are taken as `append` takes them (so numbers
        and styles are measured); the rest go to `xlsx_bulk.Bulk` (their texts measured
        a column at a time, the rows written whole). One bulk per sheet."""
        assert self._bulk is None, "one bulk of rows per sheet"
        assert self._plain is None, "one bulk of rows per sheet"
        if self.st is None:
            self._plain = (cols, rows, alt)
            self._tail0 = len(self._rows) + len(rows)
            self.row += len(rows)
            return
        # enough rows to measure numbers and styles, fewer for a wide table (Results)
        head = min(SAMPLED + 1, len(rows), max(20, SAMPLED * 20 // max(len(cols), 1)))
        special = alt[1] if alt else set()
        for k, row in enumerate(rows.rows(0, head)):
            spec = alt[0] if alt and k in special else cols
            self.append(self._cells(spec, row, self.row + 1))
        rest = rows.window(head, len(rows))
        if not len(rest):
            return
        shifted = (alt[0], {k - head for k in special if k >= head}) if alt else None
        self._bulk = Bulk(self, cols, rest, len(self._rows), shifted)
        self.row += len(rest)
        self._tail0 = self.row

    def _cells(self, cols: list[Col], row: tuple[Any, ...], r: int) -> list[Any]:
        """A bulk row as `append` takes it (`r`: its row number)."""
        out: list[Any] = []
        for col, v in zip(cols, row):
            if col.kind == FORMULA:
                v = F(fill_formula(col.formula, r, row[len(cols):]), v)
            if col.style is not None:
                v = self.cell(v, **col.style)
            out.append(v)
        return out

    def _take_text(self, values: list[Any], row: int) -> list[Any]:
        """A row deep in a long table: only its plain texts are measured; its numbers and
        styled cells are like those above (row: 0-based)."""
        widest, long, caps = self._data, self._long, self.caps
        for k, v in enumerate(values):
            if type(v) is Spill:  # runs on to the right: not measured
                values[k] = v.value
                continue
            if type(v) is C:
                v = v.value
            if type(v) is str and v:
                n = len(v)
                if n > widest.get(k, 0):
                    if "\n" in v:
                        n = max(map(len, v.split("\n")))
                    if n > widest.get(k, 0):
                        widest[k] = n
                # a column is as wide as its widest text up to its cap, so only a text
                # beyond the cap, or of several lines, can wrap
                if n > caps.get(k + 1, CAP) or "\n" in v:
                    long.append((row, k, len(v)))
        return values

    def _take(self, values: list[Any], header: bool, row: int) -> list[Any]:
        """The row as it will be written, measured as it goes (quickly: the Scores sheet of
        a large evaluation has half a million cells)."""
        st = self.st
        assert st is not None
        single = sum(v is not None and v != "" for v in values) <= 1
        counts = None
        if not (header or self._region is None or single):
            self._region_rows += 1
            if self._region_rows <= SAMPLED:  # enough rows to tell numbers from text
                counts = self._region[1]
        widest = self._head if header else self._data
        out = []
        for k, v in enumerate(values):
            spill = single
            if type(v) is Spill:
                spill, v = True, v.value
            out.append(v)
            if v is None or v == "":
                continue
            kind = type(v)
            fmt = "General"
            bold = False
            if kind is C:
                fmt = v.fmt or "General"
                bold = bool(v.font and v.font.get("bold"))
                numeric = v.align is not None and v.align.get("align") == "right"
                indent = 2 * int((v.align or {}).get("indent", 0))
                v = v.value
                kind = type(v)
            else:
                numeric = kind is not str and (kind is not F or _numeric_formula(v))
                indent = 2 if numeric else 0
            if counts is not None:
                counts.setdefault(k, [0, 0])[0 if numeric else 1] += 1
            if spill:
                continue
            if kind is str:
                n = max(map(len, v.split("\n"))) if "\n" in v else len(v)
                n += indent + (n // 10 if bold else 0)
                if n > (HEAD_MIN if header else min(self.caps.get(k + 1, CAP), n - 1)
                        if "\n" in v else self.caps.get(k + 1, CAP)):
                    self._long.append((row, k, len(v)))
            elif kind is F:
                n = (_number_len(v.value, fmt, st) if not isinstance(v.value, str)
                     else len(v.value)) + indent
            else:
                n = _number_len(v, fmt, st) + indent
            if numeric and not indent:
                n += 2
            if n > widest.get(k, 0):
                widest[k] = n
        return out

    def header(self, names: Iterable[Any], fmt: str | None = None) -> int:
        st = self.st
        if st is None:
            return self.append(list(names))
        self._close_region()
        cells = [self.cell(n, font=st.header_font, fill=st.header_fill,
                           align=st.header_align, fmt=fmt if not isinstance(n, str)
                           else None) for n in names]
        assert self._bulk is None, "no header after the bulk"
        assert self._plain is None, "no header after the bulk"
        self.row += 1
        self._header_rows.add(len(self._rows))
        self._rows.append(self._take(cells, True, len(self._rows)))
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
            if k < len(cells) and numeric > text and isinstance(cells[k], C):
                cells[k].align = self.st.header_num  # type: ignore[union-attr]

    def title(self, text: str) -> int:
        st = self.st
        return self.append([self.cell(text, font=st.title_font if st else None)])

    def blank(self) -> int:
        return self.append([])

    # ---- what is applied when the sheet is written ----------------------------------
    def rule(self, rng: str, value: str, fill: Any, criteria: str = "==") -> None:
        """Shade the cells of `rng` that equal (or meet `criteria` against) `value`."""
        if self.st is not None:
            self._conditions.append((rng, {"type": "cell", "criteria": criteria,
                                           "value": value, "fill": fill}))

    def choices(self, rng: str, options: list[str]) -> None:
        """The cells of `rng` offer these values only (a list in the cell)."""
        if self.st is not None:
            self._validations.append((rng, {"validate": "list", "source": options}))

    def chart(self, at: str, chart: Any) -> None:
        self._charts.append((at, chart))

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
        """Set the widths, printing and protection, then write the rows in order."""
        if self._done:
            return
        self._done = True
        ws = self.ws
        if self.st is None:
            self._finish_plain()
            return
        self._close_region()
        widths = self.widths()
        for k, w in widths.items():
            ws.set_column(k - 1, k - 1, w + PAD)
        tall = self._tall_rows(widths)
        if self._bulk is not None:
            self._bulk.tall(widths)
        self._page(widths)
        heights = {r: n * LINE_PT for r, n in tall.items() if n > 1}
        book = self.book
        book.reused += emit(ws, self._rows, self._cell_xml, heights, tall, book.shared)
        if self._bulk is not None:
            book.reused += self._bulk.write(ws)
            self._bulk = None
        book.reused += emit(ws, self._tail, self._cell_xml, heights, tall, book.shared,
                            first=self._tail0)
        self._rows = self._tail = []
        for rng, opts in self._conditions:
            fill = opts.pop("fill")
            ws.conditional_format(rng, {**opts, "format": self.book.conditional(fill)})
        for rng, opts in self._validations:
            ws.data_validation(rng, opts)
        for at, chart in self._charts:
            ws.insert_chart(at, chart)
        if self._protect:
            ws.protect("", {"format_columns": True, "format_rows": True,
                            "autofilter": True, "sort": True})

    def _tall_rows(self, widths: dict[int, float]) -> dict[int, int]:
        """Rows holding text wider than its column, and how many lines each needs: each
        such cell wraps (the lines estimated quickly: an audit log of 50,000 events has
        hundreds of thousands of texts)."""
        lines: dict[int, int] = {}
        self._wrapped = wrapped = set()
        for r, k, length in self._long:
            w = widths.get(k + 1, CAP) * FILL
            if r in self._header_rows:
                w = w * 0.9  # bold
            v = self._at(r)[k]
            text = v.value if type(v) is C else v
            if length <= w and "\n" not in text:
                continue
            per_line = max(4, int(w))
            if "\n" in text:
                n = sum(-(-len(p) * 11 // (10 * per_line)) or 1 for p in text.split("\n"))
            else:
                n = -(-length * 11 // (10 * per_line))  # a tenth more for broken words
            wrapped.add((r, k))
            lines[r] = max(lines.get(r, 1), min(n, MAX_LINES))
        return lines

    def _row_xml(self, cells: list[Any], r: int, heights: dict[int, float], top: bool
                 ) -> str:
        """One row of cells (0-based row r) as XML, as `emit` writes it."""
        letters = [column_letter(k + 1) for k in range(len(cells))]
        xml, reused = row_xml(cells, r, letters, self._cell_xml, heights.get(r), top,
                              self.book.shared)
        self.book.reused += reused
        return xml

    def _finish_plain(self) -> None:
        """The sheet with no styling (the benchmark's floor): every cell as it is."""
        ws = self.ws
        emit(ws, self._rows, self._plain_xml, {})
        if self._plain is not None:
            cols, rows, alt = self._plain
            first = len(self._rows)
            special = alt[1] if alt else set()
            for x, chunk in rows.chunks():
                cells = [self._cells(alt[0] if alt and x + m in special else cols, v,
                                     first + x + m + 1) for m, v in enumerate(chunk)]
                emit(ws, cells, self._plain_xml, {}, first=first + x)
        emit(ws, self._tail, self._plain_xml, {}, first=self._tail0)
        self._rows = self._tail = []

    def _style(self, fmt: Any) -> str:
        """The ` s="n"` attribute of a cell in that format ("" for the default)."""
        if fmt is None:
            return ""
        got = self._xf.get(id(fmt))
        if got is None:
            got = self._xf[id(fmt)] = f' s="{fmt._get_xf_index()}"'
        return got

    def _cell_xml(self, ref: str, v: Any, r: int, k: int, tall: bool) -> str:
        """One cell's XML (the innermost loop: styles and short texts are looked up)."""
        kind = type(v)
        if kind is str and not tall:
            index = self.book.shared.get(v)
            if index is not None:
                self.book.reused += 1
                return f'<c r="{ref}" t="s"><v>{index}</v></c>'
            if not (v.startswith("<r>") and v.endswith("</r>")):
                return f'<c r="{ref}" t="s"><v>{self._shared(v)}</v></c>'
        book = self.book
        wrap = tall and (r, k) in self._wrapped
        if kind is C:
            key = (v.fmt, id(v.font), id(v.fill), id(v.align), v.input, wrap, tall)
            style = self._keyed.get(key)
            if style is None:
                style = self._keyed[key] = self._style(book.format(
                    v.fmt, v.font, v.fill, v.align, wrap=wrap, unlocked=v.input, top=tall))
            value = v.value
            if type(value) is F:
                return formula_cell(ref, style, value.formula, value.value)
            return value_cell(ref, style, value)
        if kind is str:
            return string_cell(ref, self._style(book.format(None, top=tall, wrap=wrap)), v)
        numeric = kind is not F or _numeric_formula(v)
        plain: tuple[Any, ...] = (kind is F, numeric, tall)
        style = self._keyed.get(plain)
        if style is None:
            num = self.st.num if self.st and numeric else None
            style = self._keyed[plain] = self._style(book.format(None, None, None, num,
                                                                 top=tall and kind is F))
        if kind is F:
            return formula_cell(ref, style, v.formula, v.value)
        return value_cell(ref, style, v)

    def _shared(self, text: str) -> int:
        """The text's index in the workbook's shared strings (each text stored once)."""
        index = self.book.strings._get_shared_string_index(shared_text(text))
        self.book.shared[text] = index
        return index

    @staticmethod
    def _plain_xml(ref: str, v: Any, r: int, k: int, tall: bool) -> str:
        if type(v) is F:
            return formula_cell(ref, "", v.formula, v.value)
        return value_cell(ref, "", v)

    def _page(self, widths: dict[int, float]) -> None:
        """A4, landscape where wide, fitted to the page width (or to as many pages across
        as keep it legible), header rows repeated, and the reference, the marking, DRAFT
        and page n of N in the header and footer."""
        ws, book = self.ws, self.book
        if self._freeze:
            ws.freeze_panes(self._freeze)
        wide = sum(w + PAD for w in widths.values())
        if wide > 95:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        if self.print_cols:
            wide = sum(w + PAD for k, w in widths.items() if k <= self.print_cols)
            ws.print_area(0, 0, max(self.row - 1, 0), self.print_cols - 1)
        pages = max(1, math.ceil(wide / PAGE_CHARS)) if self.legible else 1
        ws.fit_to_pages(pages, 0)
        if self._title_rows:
            a, _, b = self._title_rows.partition(":")
            ws.repeat_rows(int(a) - 1, int(b or a) - 1)
        if self._repeat_cols:
            ws.repeat_columns(self._repeat_cols)
        ref = header_text(book.reference)[:80]
        mark = header_text(book.marking)[:80]
        head = f"&L{ref}&C&\"-,Bold\"{mark}"
        foot = f"&L&A&C&\"-,Bold\"{mark}&RPage &P of &N"
        if book.draft:
            head += f"&R&KC00000{header_text(book.draft)}"
            foot = f"&L&KC00000{header_text(book.draft)}&K000000: &A" + foot[4:]
        ws.set_header(head[:255])
        ws.set_footer(foot[:255])


class Spill:
    """Text that may run on over the empty cells to its right (a label, a note): it is
    not measured, so it never widens its column."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def t(value: Any) -> str:
    """User text for a cell, as typed (it is written as a string, never as a formula):
    without the control characters no workbook may hold, within a cell's limit."""
    text = value if type(value) is str and value.isprintable() else plain_text(value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def agree(r: int, a: str = "B", b: str = "C") -> F:
    """`yes` when the workbook's figure (column a) is ProcureDesk's (column b), else `NO`:
    numbers within a millionth, anything else equal."""
    x, y = f"{a}{r}", f"{b}{r}"
    return F(f'=IF(ISNUMBER({y}),IF(ISNUMBER({x}),IF(ABS({x}-{y})<=0.000001,"yes","NO"),'
             f'"NO"),IF({x}&""={y}&"","yes","NO"))', "yes")


def note_lines(sh: Sheet, st: Styles | None, text: str, width: int = 150) -> None:
    """A note in italic lines of a readable length (rows carry no wrap and no height)."""
    import textwrap

    for line in textwrap.wrap(text, width):
        sh.append([sh.spill(line, font=st.italic) if st else line])


def flag_rule(sh: Sheet, st: Styles | None, rng: str, value: str, colour: str) -> None:
    if st is None:
        return
    sh.rule(rng, f'"{value}"', st.red_fill if colour == "red" else st.amber_fill)


def status_rules(sh: Sheet, st: Styles, rng: str) -> None:
    sh.rule(rng, '"excluded"', st.red_fill)
    sh.rule(rng, '"incomplete"', st.amber_fill)
    sh.rule(rng, '"ranked"', st.green_fill)
    sh.rule(rng, '"comparator"', st.grey_fill)
