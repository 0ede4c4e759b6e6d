"""The Excel evidence pack: every figure a live formula over the inputs.

A reviewer (or a court's expert) can change a weight, a score or a cost line
and watch the totals move, and recalculation by Excel or LibreOffice gives
the engine's own figures. Effective weights, per-year costs, WLC and NPV,
final scores (consensus else the mean of the non-conflicted evaluators'),
price fractions, contributions and totals are formulas; the status and rank
of each bid are the engine's values (the About sheet says so), because the
exclusion and tie-break rules read better as the engine's reasons than as a
wall of nested IFs.

The workbook is written in openpyxl's write-only mode, row by row, so the
large evaluation (48,000 scores) fits in memory and time. `styled=False`
writes the same cells with no styling at all: the benchmark's floor.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import CURRENCY_SYMBOLS, Report, Source, atomic_target, no_report
from .safe_text import cell_text

SHEETS = ("Summary", "Criteria", "Bids", "Costs", "Scores", "Evaluators", "Moderation",
          "Results", "Sensitivity", "Shared service", "Audit", "About")

# Where the Summary sheet keeps the parameters that the formulas use.
P_SCALE = "Summary!$B$10"
P_DISCOUNT = "Summary!$B$12"
P_YEARS = "Summary!$B$13"
P_BASIS = "Summary!$B$14"
P_SPREAD = "Summary!$B$15"
TIE = "0.000000001"


def col(n: int) -> str:
    """Column letter of a 1-based column number."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _ranges(cols: list[int]) -> list[str]:
    """Contiguous runs of column numbers, as A1-style pieces for one row (row added later)."""
    out: list[tuple[int, int]] = []
    for c in sorted(cols):
        if out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return [f"{col(a)}{{r}}" if a == b else f"{col(a)}{{r}}:{col(b)}{{r}}" for a, b in out]


class _Styles:
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


class _Spill:
    """Text that may run on over the empty cells to its right (a label, a note): it is
    not measured, so it never widens its column."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _shown_len(value: Any, fmt: str, st: _Styles) -> int:
    """About how many characters a cell shows: its text, or its number as formatted."""
    if isinstance(value, str):
        if not value.startswith("="):
            return max(map(len, value.split("\n"))) if "\n" in value else len(value)
        value = None  # a formula: only its number format says how wide it will be
    if fmt == st.money:
        return st.money_width
    if value is None or value == "":
        return _FORMAT_WIDTH.get(fmt, 6)
    if not _is_number(value):
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


class _Book:
    """The workbook being written, and the sheets whose rows wait to be sized."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.pending: list[_Sheet] = []

    def create_sheet(self, title: str) -> Any:
        return self.wb.create_sheet(title)

    def finish(self) -> None:
        """Size and write every sheet started since the last call."""
        while self.pending:
            self.pending.pop(0).finish()


class _Sheet:
    """A write-only worksheet with a row counter and optional styling.

    Styled sheets hold their rows until `finish`: each column is then sized to what it
    holds (header and values, up to its cap), text longer than its column wraps in a
    row tall enough for it, and headers over numbers sit right, like the numbers.
    """

    def __init__(self, wb: _Book, title: str, st: _Styles | None,
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
        if align is None and (fmt or _is_number(value)
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

    def spill(self, value: Any, **kw: Any) -> _Spill:
        """A cell (as `cell`) whose text may run on to the right, unmeasured."""
        return _Spill(self.cell(value, **kw) if kw else value)

    def append(self, values: list[Any]) -> int:
        self.row += 1
        if self._done:
            self.ws.append([v.value if isinstance(v, _Spill) else v for v in values])
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
            if type(v) is _Spill:
                spill, v = True, v.value
            kind = type(v)
            if kind is str:
                if v.startswith("="):
                    v, kind = self._number(v), Cell
            elif kind is int or kind is float or (kind is not Cell and _is_number(v)):
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
            self.ws.column_dimensions[col(k)].width = w + PAD
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


def write_xlsx(source: Source, target: str | Path, *, force: bool = False,
               report: Report = no_report, styled: bool = True) -> Path:
    """Write the evidence pack to `target` (atomically); returns the path."""
    target = Path(target)
    with atomic_target(target, force) as tmp:
        build_workbook(source, report=report, styled=styled).save(tmp)
    report(1.0, f"Wrote {target.name}")
    return target


def build_workbook(source: Source, *, report: Report = no_report, styled: bool = True) -> Any:
    from openpyxl import Workbook

    doc, res = source.doc, source.results
    snap = res.snap
    ev = doc["evaluation"]
    years = int(ev["appraisal"]["years"])
    amounts = [abs(float(x)) for x in (*snap.wlc, *snap.npv)]
    amounts += [abs(float(p.get("baseline_annual_cost") or 0)) * years
                for p in doc.get("partners", [])]
    st = _Styles(ev.get("currency") or "GBP", max(amounts, default=0.0)) if styled else None
    wb = Workbook(write_only=True)
    book = _Book(wb)

    crit = doc["criteria"]
    crow = {c["id"]: 2 + k for k, c in enumerate(crit)}  # Criteria sheet rows
    bids = doc["bids"]
    nb, ns = len(bids), len(snap.scored_ids)
    brow = {b["id"]: 2 + i for i, b in enumerate(bids)}  # Results rows
    mod_row0 = 2  # Moderation: pair (i, j) at mod_row0 + i * ns + j

    # Results columns: fixed, then price fractions, sections, contributions.
    fixed = ["Bid ID", "Supplier", "Status", "Rank", "Total", "Quality", "Price",
             "Cost basis", "Eligible cost"]
    c_frac0 = len(fixed) + 1
    np_ = len(snap.price_ids)
    c_sec0 = c_frac0 + np_
    c_con0 = c_sec0 + len(snap.section_ids)
    con_col = {cid: c_con0 + k for k, cid in enumerate(snap.scored_ids + snap.price_ids)}
    layout = _Layout(crow=crow, brow=brow, mod_row0=mod_row0, ns=ns, nb=nb,
                     c_frac0=c_frac0, c_sec0=c_sec0, c_con0=c_con0, con_col=con_col)

    steps = [("Summary", _summary), ("Criteria", _criteria), ("Bids", _bids),
             ("Costs", _costs), ("Scores", _scores), ("Evaluators", _evaluators),
             ("Moderation", _moderation), ("Results", _results),
             ("Sensitivity", _sensitivity), ("Shared service", _shared),
             ("Audit", _audit), ("About", _about)]
    try:
        for k, (name, fn) in enumerate(steps):
            report(k / len(steps), f"Writing the {name} sheet")
            fn(book, source, st, layout, report)
            book.finish()
    except BaseException:
        _discard(wb)
        raise
    return wb


class _Evaluated:
    """An exported evaluation seen as `analysis.analyse` reads a file (no second compute)."""

    def __init__(self, src: Source) -> None:
        self._src = src

    def document(self) -> dict[str, Any]:
        return self._src.doc

    def snapshot(self) -> Any:
        return self._src.results.snap

    def results(self) -> Any:
        return self._src.results


def analysis_of(src: Source) -> dict[str, Any]:
    """The analysis (docs/analysis.md; default draws and seed) of the evaluation exported."""
    from ..analysis import analyse

    return analyse(_Evaluated(src))


def _discard(wb: Any) -> None:
    """Close an abandoned write-only workbook's sheets and remove their temporary files."""
    import os

    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            ws.close()
        out = getattr(getattr(ws, "_writer", None), "out", None)
        if isinstance(out, str):
            with contextlib.suppress(OSError):
                os.remove(out)


@dataclass
class _Layout:
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


def _summary(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    ev = doc["evaluation"]
    sh = _Sheet(wb, "Summary", st)
    sh.title(t(f"Evidence pack: {ev.get('title', '')}"))
    sh.append([t(f"{ev.get('authority', '')}, reference {ev.get('reference', '')}")])
    sh.blank()
    winner = res.winner
    ranking = res.ranking
    bold = st.bold if st else None
    if winner:
        rec = f"Award to {winner}: {src.supplier(winner)}"
    else:
        rec = "No bid can be ranked yet: see the Results and Bids sheets"
    sh.append([sh.cell("Recommendation", font=bold),
               sh.spill(t(rec), font=bold)])  # row 4
    r_total = f"=Results!$E${lay.brow[winner]}" if winner else "n/a"
    sh.append(["Winning total (points of 100)", sh.cell(r_total, fmt="0.00")])  # 5
    second = res.snap.bid_ids[ranking[1]] if len(ranking) > 1 else None
    sh.append(["Runner-up total", sh.cell(f"=Results!$E${lay.brow[second]}" if second
                                          else "n/a", fmt="0.00")])  # 6
    sh.append(["Margin (points)", sh.cell("=B5-B6" if winner and second else "n/a",
                                          fmt="0.00")])  # 7
    sh.blank()  # 8
    sh.append([sh.cell("Parameters (inputs: the formulas read these cells)", font=bold)])  # 9
    fill = st.input_fill if st else None
    scale, appr = ev["scale"], ev["appraisal"]
    sh.append(["Scale maximum", sh.cell(scale["max"], fill=fill)])  # 10
    sh.append(["Scale step", sh.cell(scale["step"], fill=fill)])  # 11
    sh.append(["Discount rate", sh.cell(appr["discount_rate"], fmt="0.0%", fill=fill)])  # 12
    sh.append(["Appraisal years", sh.cell(appr["years"], fill=fill)])  # 13
    sh.append(["Cost basis (npv or wlc)", sh.cell(appr["cost_basis"], fill=fill)])  # 14
    sh.append(["Score spread that flags", sh.cell(ev["moderation"]["spread_flag"],
                                                  fill=fill)])  # 15
    sh.append(["Currency", t(ev.get("currency") or "GBP")])  # 16
    sh.blank()
    snap = res.snap
    tops = _top_sections(src)
    sections = [snap.section_ids[k] for k in tops]
    first = sh.header(["Rank", "Bid ID", "Supplier", "Total", "Quality", "Price", "Status",
                       *[t(f"{sid} {snap.names.get(sid, '')}") for sid in sections]])
    order = list(ranking) + [i for i in range(lay.nb) if i not in set(ranking)]
    for i in order:
        b = doc["bids"][i]
        r = lay.brow[b["id"]]
        sh.append([sh.cell(res.rank[i] if res.rank[i] is not None else "—", fmt="0"),
                   t(b["id"]), t(b["supplier"]), sh.cell(f"=Results!$E${r}", fmt="0.00"),
                   sh.cell(f"=Results!$F${r}", fmt="0.00"),
                   sh.cell(f"=Results!$G${r}", fmt="0.00"), res.status[i],
                   *[sh.cell(f"=Results!${col(lay.c_sec0 + k)}${r}", fmt="0.00")
                     for k in tops]])
    if st is not None and ranking and tops:
        _chart(sh, src, first, len(ranking), tops)


def _top_sections(src: Source) -> list[int]:
    """Indices (in the engine's section_ids) of the top-level sections, in criteria order."""
    snap = src.results.snap
    parent = {c["id"]: c.get("parent") for c in src.doc["criteria"]}
    return [k for k, sid in enumerate(snap.section_ids) if parent.get(sid) is None]


def _chart(sh: _Sheet, src: Source, head: int, n_ranked: int, tops: list[int]) -> None:
    """Stacked bars of the ranked bids' points by top-level section, in rank order, in the
    sections' colours (as in the PDF report); they read the ranking table below."""
    from openpyxl.chart import BarChart, Reference

    from .palette import SECTION_COLOURS

    ch = BarChart()
    ch.type = "col"
    ch.grouping = "stacked"
    ch.overlap = 100
    ch.title = "Points by section, ranked bids in rank order"
    ch.y_axis.title = "Points of 100"
    ch.x_axis.title = "Bid"
    ch.y_axis.delete = False
    ch.x_axis.delete = False
    ch.y_axis.scaling.min = 0
    ch.height = 6.8
    ch.width = 17 + 0.3 * max(0, n_ranked - 10)
    last = head + n_ranked
    for n in range(len(tops)):
        c = col(8 + n)
        ch.add_data(Reference(range_string=f"Summary!${c}${head}:${c}${last}"),
                    titles_from_data=True)
        colour = SECTION_COLOURS[n % len(SECTION_COLOURS)]
        series = ch.series[-1]
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    ch.set_categories(Reference(range_string=f"Summary!$B${head + 1}:$B${last}"))
    sh.ws.add_chart(ch, "D2")


def _criteria(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    crit = src.doc["criteria"]
    sh = _Sheet(wb, "Criteria", st, caps={11: 70}, freeze="C2", title_rows="1:1")
    sh.header(["ID", "Name", "Kind", "Parent", "Weight", "Sibling weights", "Share",
               "Effective weight (%)", "Min score", "Price formula", "Guidance"])
    depth: dict[str, int] = {}
    siblings: dict[Any, list[str]] = {}
    for c in crit:
        if c["kind"] != "pass_fail":
            siblings.setdefault(c.get("parent"), []).append(c["id"])
    fill = st.input_fill if st else None
    for c in crit:
        p = c.get("parent")
        depth[c["id"]] = 0 if p is None else depth.get(p, 0) + 1
        r = lay.crow[c["id"]]
        align = st.Alignment(indent=depth[c["id"]] * 2, vertical="top") if st else None
        font = st.bold if st and c["kind"] == "section" else None
        row: list[Any] = [t(c["id"]), sh.cell(t(c["name"]), align=align, font=font),
                          c["kind"], t(p or "")]
        if c["kind"] == "pass_fail":
            row += ["", "", "", "gateway"]
        else:
            sib = siblings[p]
            refs = ",".join(f"E{lay.crow[s]}" for s in sib)
            eff = f"=100*G{r}" if p is None else f"=H{lay.crow[p]}*G{r}"
            row += [sh.cell(float(c.get("weight") or 0), fill=fill),
                    sh.cell(f"=SUM({refs})", fmt="0.##"),
                    sh.cell(f"=IF(F{r}=0,0,E{r}/F{r})", fmt="0.0000"),
                    sh.cell(eff, fmt="0.0000")]
        row += [c.get("min_score") if c.get("min_score") is not None else "",
                c.get("formula") or ("lowest_relative" if c["kind"] == "price" else ""),
                sh.cell(t(c.get("guidance") or ""), align=st.wrap if st else None)]
        sh.append(row)
    leaves = [f"H{lay.crow[c['id']]}" for c in crit if c["kind"] in ("scored", "price")]
    sh.blank()
    sh.append(["", sh.spill("Effective weights of all scored and price criteria add up to",
                            font=st.italic if st else None), "", "", "", "", "",
               sh.cell(f"=SUM({','.join(leaves)})" if leaves else 0, fmt="0.0000")])
    sh.blank()
    desc = (src.doc["evaluation"]["scale"].get("descriptors") or {})
    if desc:
        sh.append([sh.cell("Score", font=st.bold if st else None),
                   sh.cell("Descriptor", font=st.bold if st else None)])
        for k in sorted(desc, key=lambda x: float(x)):
            sh.append([t(k), sh.spill(t(desc[k]))])


def _bids(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    gates = [c for c in doc["criteria"] if c["kind"] == "pass_fail"]
    result = {(g["bid"], g["criterion"]): g for g in doc.get("gateways", [])}
    n = 6 + len(gates)
    sh = _Sheet(wb, "Bids", st, caps={6: 60, n + 1: 60, n + 3: 70}, freeze="C2",
                title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Option type", "SME", "Term (years)", "Notes",
               *[t(f"{g['id']} {g['name']}") for g in gates], "Gateway notes", "Status",
               "Reasons"])
    wrap = st.wrap if st else None
    for i, b in enumerate(doc["bids"]):
        cells = []
        notes = []
        for g in gates:
            r = result.get((b["id"], g["id"]))
            cells.append("No result" if r is None else ("Pass" if r["passed"] else "Fail"))
            if r is not None and r.get("note"):
                notes.append(f"{g['id']}: {r['note']}")
        sh.append([t(b["id"]), t(b["supplier"]), b.get("option_type", ""),
                   "Yes" if b.get("sme") else "No",
                   b.get("term_years") if b.get("term_years") is not None else "",
                   sh.cell(t(b.get("notes") or ""), align=wrap), *cells,
                   sh.cell(t("; ".join(notes)), align=wrap), res.status[i],
                   sh.cell(t("; ".join(res.reasons[i])), align=wrap)])
    if st is not None and doc["bids"]:
        from openpyxl.formatting.rule import CellIsRule

        last = lay.nb + 1
        if gates:
            rng = f"G2:{col(6 + len(gates))}{last}"
            sh.ws.conditional_formatting.add(
                rng, CellIsRule(operator="equal", formula=['"Fail"'], fill=st.red_fill))
            sh.ws.conditional_formatting.add(
                rng, CellIsRule(operator="equal", formula=['"No result"'], fill=st.amber_fill))
        _status_rules(sh, st, f"{col(8 + len(gates))}2:{col(8 + len(gates))}{last}")


def _status_rules(sh: _Sheet, st: _Styles, rng: str) -> None:
    from openpyxl.formatting.rule import CellIsRule

    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=['"excluded"'], fill=st.red_fill))
    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=['"incomplete"'], fill=st.amber_fill))
    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=['"ranked"'], fill=st.green_fill))


def _costs(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    doc = src.doc
    years = int(doc["evaluation"]["appraisal"]["years"])
    money = st.money if st else None
    sh = _Sheet(wb, "Costs", st, freeze="C5", title_rows="3:3")
    lines = [(b["id"], line) for b in doc["bids"] for line in b.get("costs", [])]
    l0 = lay.cost_row0 + lay.nb + 3  # header row of the cost lines
    first, last = l0 + 1, max(l0 + len(lines), l0 + 1)
    amt, bidc = f"$D${first}:$D${last}", f"$A${first}:$A${last}"
    start, end = f"$E${first}:$E${last}", f"$G${first}:$G${last}"
    ycols = [col(3 + y) for y in range(years)]
    c_wlc, c_npv, _c_basis = col(3 + years), col(4 + years), col(5 + years)
    sh.title("Cost per year, whole-life cost and net present value (formulas over the "
             "cost lines below)")
    sh.append([sh.cell("Each year sums the lines running that year; NPV discounts year y "
                       "by 1/(1 + rate)^y, year 0 undiscounted.",
                       font=st.italic if st else None)])
    sh.header(["Bid ID", "Supplier", *range(years), "Whole-life cost", "NPV",
               "Cost basis"], fmt='"Year "0')  # row 3
    sh.append([sh.spill("Discount factor"), "",
               *[sh.cell(f"=1/(1+{P_DISCOUNT})^{c}$3", fmt="0.0000") for c in ycols]])  # 4
    for b in doc["bids"]:
        r = sh.row + 1
        yc = [sh.cell(f'=SUMIFS({amt},{bidc},$A{r},{start},"<="&{c}$3,{end},">"&{c}$3)',
                      fmt=money) for c in ycols]
        span = f"{ycols[0]}{r}:{ycols[-1]}{r}"
        sh.append([t(b["id"]), t(b["supplier"]), *yc,
                   sh.cell(f"=SUM({span})", fmt=money),
                   sh.cell(f"=SUMPRODUCT({span},{ycols[0]}$4:{ycols[-1]}$4)", fmt=money),
                   sh.cell(f'=IF({P_BASIS}="wlc",{c_wlc}{r},{c_npv}{r})', fmt=money)])
    sh.blank()
    sh.blank()
    sh.append([sh.cell("Cost lines (inputs; amounts are per year)",
                       font=st.bold if st else None)])
    assert sh.row + 1 == l0
    sh.header(["Bid ID", "Item", "Category", "Amount per year", "Start year", "Years",
               "Ends before year"])
    fill = st.input_fill if st else None
    for bid, line in lines:
        r = sh.row + 1
        sh.append([t(bid), t(line.get("item", "")), line.get("category", ""),
                   sh.cell(float(line["amount"]), fmt=money, fill=fill),
                   int(line["start_year"]), int(line["years"]), f"=E{r}+F{r}"])


def _scores(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    doc = src.doc
    names = {e["id"]: e["name"] for e in doc["evaluators"]}
    supplier = {b["id"]: b["supplier"] for b in doc["bids"]}
    cname = {c["id"]: c["name"] for c in doc["criteria"]}
    conflicts = {(e["id"], b) for e in doc["evaluators"] for b in e.get("conflicts", [])}
    sh = _Sheet(wb, "Scores", st, caps={10: 70}, freeze="A2", title_rows="1:1")
    sh.header(["Evaluator ID", "Evaluator", "Bid ID", "Supplier", "Criterion ID", "Criterion",
               "Score", "Conflict declared", "Counts (1 = yes)", "Comment"])
    en = {k: t(v) for k, v in names.items()}
    sn = {k: t(v) for k, v in supplier.items()}
    cn = {k: t(v) for k, v in cname.items()}
    scores = doc["scores"]
    n = len(scores)
    for k, s in enumerate(scores):
        if k % 4000 == 0 and k:
            report(0.4 + 0.15 * k / n, f"Writing scores ({k:,} of {n:,})")
        r = k + 2
        e, b, c = s["evaluator"], s["bid"], s["criterion"]
        comment = s.get("comment") or ""
        sh.append([t(e), en[e], t(b), sn[b], t(c), cn[c], s["score"],
                   "yes" if (e, b) in conflicts else "no", f'=IF(H{r}="yes",0,1)',
                   t(comment) if comment else ""])
    if st is not None and n:
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"H2:H{n + 1}", CellIsRule(operator="equal", formula=['"yes"'], fill=st.red_fill))
    lay.scores_last = max(n + 1, 2)


def _evaluators(wb: Any, src: Source, st: _Styles | None, lay: _Layout,
                report: Report) -> None:
    doc = src.doc
    supplier = {b["id"]: b["supplier"] for b in doc["bids"]}
    sh = _Sheet(wb, "Evaluators", st, freeze="A2", title_rows="1:1")
    sh.header(["Evaluator ID", "Name", "Role", "Conflict declared with", "Supplier",
               "Declared on"])
    for e in doc["evaluators"]:
        cs = e.get("conflicts", [])
        if not cs:
            sh.append([t(e["id"]), t(e["name"]), t(e.get("role") or ""), "none", "", ""])
        for b in cs:
            sh.append([t(e["id"]), t(e["name"]), t(e.get("role") or ""), t(b),
                       t(supplier.get(b, "")), t(src.conflict_dates.get((e["id"], b)) or "")])


def _moderation(wb: Any, src: Source, st: _Styles | None, lay: _Layout,
                report: Report) -> None:
    doc, res = src.doc, src.results
    snap = res.snap
    cons = {(c["bid"], c["criterion"]): c for c in doc.get("consensus", [])}
    cname = {c["id"]: t(c["name"]) for c in doc["criteria"]}
    sh = _Sheet(wb, "Moderation", st, caps={11: 70}, freeze="E2", title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Criterion ID", "Criterion", "Scores counted", "Mean",
               "Lowest", "Highest", "Spread", "Consensus", "Consensus rationale",
               "Final score", "Flag"])
    last = lay.scores_last
    sc, sb, scr, use = (f"Scores!$G$2:$G${last}", f"Scores!$C$2:$C${last}",
                        f"Scores!$E$2:$E${last}", f"Scores!$I$2:$I${last}")
    fill = st.input_fill if st else None
    wrap = st.wrap if st else None
    total = lay.nb * lay.ns
    k = 0
    for b in doc["bids"]:
        bid = b["id"]
        sup = t(b["supplier"])
        for cid in snap.scored_ids:
            if k % 2000 == 0 and k:
                report(0.6 + 0.15 * k / total, f"Writing moderation ({k:,} of {total:,})")
            k += 1
            r = sh.row + 1
            cr = f"{sb},$A{r},{scr},$C{r},{use},1"
            c = cons.get((bid, cid))
            sh.append([
                t(bid), sup, t(cid), cname[cid],
                f"=COUNTIFS({cr})",
                sh.cell(f'=IF(E{r}>0,AVERAGEIFS({sc},{cr}),"")', fmt="0.00"),
                f'=IF(E{r}>0,_xlfn.MINIFS({sc},{cr}),"")',
                f'=IF(E{r}>0,_xlfn.MAXIFS({sc},{cr}),"")',
                f'=IF(E{r}>0,H{r}-G{r},"")',
                sh.cell(c["score"] if c else None, fill=fill),
                sh.cell(t(c["rationale"]) if c else "", align=wrap),
                sh.cell(f'=IF(J{r}<>"",J{r},IF(E{r}>0,F{r},""))', fmt="0.00"),
                f'=IF(AND(E{r}>0,J{r}=""),IF(I{r}>={P_SPREAD}-{TIE},"FLAG",""),"")',
            ])
    if st is not None and total:
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"M2:M{total + 1}", CellIsRule(operator="equal", formula=['"FLAG"'],
                                           fill=st.red_fill))
        sh.ws.conditional_formatting.add(
            f"L2:L{total + 1}", CellIsRule(operator="equal", formula=['""'],
                                           fill=st.amber_fill))


def _results(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    snap = res.snap
    crow = lay.crow
    price = [c for c in doc["criteria"] if c["kind"] == "price"]
    parent = {c["id"]: c.get("parent") for c in doc["criteria"]}
    below: dict[str, list[int]] = {sid: [] for sid in snap.section_ids}
    for cid, c in lay.con_col.items():
        node: Any = cid
        while node is not None:
            if node in below:
                below[node].append(c)
            node = parent.get(node)
    money = st.money if st else None
    sh = _Sheet(wb, "Results", st, freeze="C2", title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Status", "Rank", "Total", "Quality", "Price",
               "Cost basis", "Eligible cost",
               *[t(f"{c['id']} price fraction") for c in price],
               *[t(f"{sid} {snap.names.get(sid, '')}") for sid in snap.section_ids],
               *[t(f"{cid} points") for cid in lay.con_col]])
    cmin = f"$I${lay.cmin_row}"
    nb = lay.nb
    c_q = [lay.con_col[c] for c in snap.scored_ids]
    c_p = [lay.con_col[c] for c in snap.price_ids]
    for i, b in enumerate(doc["bids"]):
        r = lay.brow[b["id"]]
        cost_r = lay.cost_row0 + i
        basis = f"Costs!${col(5 + int(doc['evaluation']['appraisal']['years']))}${cost_r}"
        q = f"SUM({col(c_q[0])}{r}:{col(c_q[-1])}{r})" if c_q else "0"
        p = f"SUM({col(c_p[0])}{r}:{col(c_p[-1])}{r})" if c_p else "0"
        row: list[Any] = [
            t(b["id"]), t(b["supplier"]), res.status[i],
            res.rank[i] if res.rank[i] is not None else "",
            sh.cell(f'=IF($C{r}="ranked",F{r}+G{r},"")', fmt="0.00",
                    font=st.bold if st else None),
            sh.cell(f'=IF($C{r}="ranked",{q},"")', fmt="0.00"),
            sh.cell(f'=IF($C{r}="ranked",{p},"")', fmt="0.00"),
            sh.cell(f"={basis}", fmt=money),
            sh.cell(f'=IF($C{r}<>"excluded",H{r},"")', fmt=money),
        ]
        for c in price:
            if (c.get("formula") or "lowest_relative") == "linear_deviation":
                f = (f'=IF(I{r}="","",IF({cmin}=0,IF(H{r}=0,1,0),'
                     f'MAX(0,1-(H{r}-{cmin})/{cmin})))')
            else:
                f = f'=IF(I{r}="","",IF(H{r}=0,1,{cmin}/H{r}))'
            row.append(sh.cell(f, fmt="0.0000"))
        for sid in snap.section_ids:
            pieces = [x.format(r=r) for x in _ranges(below[sid])]
            n = len(below[sid])
            refs = ",".join(pieces)
            row.append(sh.cell(f'=IF(COUNT({refs})<{n},"",SUM({refs}))' if n else "",
                               fmt="0.00"))
        for j, cid in enumerate(snap.scored_ids):
            m = lay.mod_row0 + i * lay.ns + j
            fin = f"Moderation!$L${m}"
            row.append(sh.cell(f'=IF({fin}="","",{fin}/{P_SCALE}*Criteria!$H${crow[cid]})',
                               fmt="0.00"))
        for j, c in enumerate(price):
            fr = f"{col(lay.c_frac0 + j)}{r}"
            row.append(sh.cell(f'=IF({fr}="","",{fr}*Criteria!$H${crow[c["id"]]})',
                               fmt="0.00"))
        sh.append(row)
    sh.blank()
    sh.append(["", sh.spill("Lowest cost basis among bids not excluded",
                            font=st.italic if st else None), "", "", "", "", "", "",
               sh.cell(f"=MIN(I2:I{nb + 1})" if nb else 0, fmt=money)])
    if st is not None and nb:
        _status_rules(sh, st, f"C2:C{nb + 1}")
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"D2:D{nb + 1}", CellIsRule(operator="equal", formula=["1"], fill=st.green_fill))


FORMULA_TEXT = {"lowest_relative": "lowest cost / this bid's cost",
                "linear_deviation": "1 - (cost - lowest) / lowest, at least 0"}
NEAR = 5.0  # points of weight: a switching value this close is worth a board's attention


def _note_lines(sh: _Sheet, st: _Styles | None, text: str, width: int = 150) -> None:
    """A note in italic lines of a readable length (rows carry no wrap and no height)."""
    import textwrap

    for line in textwrap.wrap(text, width):
        sh.append([sh.cell(line, font=st.italic if st else None)])


def _sensitivity(wb: Any, src: Source, st: _Styles | None, lay: _Layout,
                 report: Report) -> None:
    """The engine's robustness analysis (values): switching, formulas, withdrawals, Monte Carlo."""
    from ..analysis import plain_warnings

    data = lay.analysis = analysis_of(src)
    snap = src.results.snap
    names = {b["id"]: b["supplier"] for b in src.doc["bids"]}
    bold = st.bold if st else None

    def who(bid: str | None) -> str:
        return "—" if bid is None else t(f"{bid} {names.get(bid, '')}")

    sh = _Sheet(wb, "Sensitivity", st, freeze="A3", title_rows="1:2")
    sh.title("Sensitivity: would the winner survive another weight, price formula or "
             "withdrawn bid?")
    winner = data["winner"]
    sh.append([sh.cell(t(f"Today's winner: {who(winner)}") if winner else
                       "No bid is ranked, so there is no winner to test.", font=bold)])
    sh.blank()
    sh.append([sh.cell("Findings", font=bold)])
    findings = plain_warnings(data, names, near=NEAR)
    if winner and not findings:
        findings = [f"The decision is robust: {winner} wins under both price formulas, no "
                    f"top-level weight comes within {NEAR:g} points of changing the winner, "
                    f"and withdrawing any other ranked bid leaves {winner} the winner."]
    import textwrap

    for line in findings:
        for k, piece in enumerate(textwrap.wrap(line, 150)):
            sh.append([sh.cell("•" if k == 0 else "",
                               align=st.Alignment(horizontal="right") if st else None),
                       sh.spill(t(piece))])
    sh.blank()

    sh.append([sh.cell("Switching values: the share of the 100 points within which "
                       "today's winner stays the winner (the other top-level weights keep "
                       "their proportions)", font=bold)])
    head = sh.header(["Node", "Name", "Today's weight (%)", "Holds from (%)",
                      "Holds to (%)", "Winner below", "Winner above",
                      f"Within {NEAR:g} points"])
    pct = "0.00"
    pad = st.Alignment(horizontal="left", indent=1) if st else None
    for e in data["switching"]:
        lo, hi = e["holds_from"], e["holds_to"]
        below, above = e["winner_below"], e["winner_above"]
        near = lo is not None and ((below is not None and e["weight"] - lo <= NEAR)
                                   or (above is not None and hi - e["weight"] <= NEAR))
        if lo is None:
            below_text = above_text = "—"
        else:
            below_text = who(below) if below else "none: holds down to 0%"
            above_text = who(above) if above else "none: holds up to 100%"
        sh.append([t(e["node"]), t(e["name"]), sh.cell(e["weight"], fmt=pct),
                   sh.cell("—" if lo is None else lo, fmt=pct),
                   sh.cell("—" if hi is None else hi, fmt=pct),
                   sh.cell(below_text, align=pad), sh.cell(above_text, align=pad),
                   "yes" if near else "no"])
    _flag_rule(sh, st, f"H{head + 1}:H{max(sh.row, head + 1)}", "yes", "amber")
    sh.blank()

    sh.append([sh.cell("Price formula: the winner if every price criterion used it",
                       font=bold)])
    head = sh.header(["Formula", "Price fraction", "", "", "", "Winner",
                      "Same as today's winner"])
    for f, w in data["formulas"].items():
        sh.append([f, FORMULA_TEXT.get(f, ""), "", "", "", who(w),
                   "yes" if w == winner else "no"])
    _flag_rule(sh, st, f"G{head + 1}:G{max(sh.row, head + 1)}", "no", "red")
    sh.blank()

    sh.append([sh.cell("Leave one out: the winner if another ranked bid were withdrawn "
                       "(prices re-scored without it)", font=bold)])
    head = sh.header(["Withdrawn bid", "Supplier", "", "", "", "Winner", "",
                      "Rank reversal"])
    for r in data["leave_one_out"]:
        sh.append([t(r["bid"]), t(names.get(r["bid"], "")), "", "", "", who(r["winner"]),
                   "", "yes" if r["reversal"] else "no"])
    if not data["leave_one_out"]:
        sh.append(["none", "no other ranked bid"])
    _flag_rule(sh, st, f"H{head + 1}:H{max(sh.row, head + 1)}", "yes", "red")
    sh.blank()

    mc = data["monte_carlo"]
    sh.append([sh.cell("Monte Carlo: how often each ranked bid wins when weights and "
                       "scores are uncertain", font=bold)])
    sh.append([sh.spill("Draws"), "", sh.cell(mc["draws"], fmt="#,##0")])
    sh.append([sh.spill("Random seed"), "", mc["seed"]])
    sh.append([sh.spill("Weight noise (sd of the log of each weight's factor)"), "",
               mc["weight_sigma"]])
    sh.header(["Bid ID", "Supplier", "Rank today", "Win probability"])
    rank = {snap.bid_ids[i]: src.results.rank[i] for i in src.results.ranking}
    for bid, prob in mc["win_probability"].items():
        sh.append([t(bid), t(names.get(bid, "")), rank.get(bid),
                   sh.cell(prob, fmt="0.0%")])
    sh.blank()
    _note_lines(sh, st, (
        f"Method: in each of {mc['draws']:,} draws (random seed {mc['seed']}), every weight "
        f"the panel set is multiplied by its own lognormal factor exp({mc['weight_sigma']:g} "
        f"z), median 1, and renormalised among its siblings; each final score without a "
        f"consensus moves by normal noise with its standard error (the evaluators' "
        f"standard deviation over the square root of their number); consensus scores, "
        f"statuses, costs and price fractions stay as they are. The winner of each draw "
        f"follows the scoring rules, ties included. The same seed gives the same figures."))
    _note_lines(sh, st, (
        "Every figure on this sheet is a value computed by ProcureDesk's analysis (see "
        "docs/analysis.md), not a formula: switching values are exact crossings of each "
        "bid's total as a straight line in one weight, not a search."))


def _flag_rule(sh: _Sheet, st: _Styles | None, rng: str, value: str, colour: str) -> None:
    if st is None:
        return
    from openpyxl.formatting.rule import CellIsRule

    fill = st.red_fill if colour == "red" else st.amber_fill
    sh.ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill))


def _shared(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    """Per shared bid and partner: share, cost, baseline and saving, as live formulas.

    The cost basis comes from the Costs sheet, shares from the partners' populations
    (or 1/n, or the custom percentages, which are inputs), the baseline from each
    partner's annual cost times what 1 a year is worth over the appraisal period on
    the same basis (the Costs sheet's discount factors for NPV, the years for WLC).
    Which bid a partner would buy alone is the engine's choice (a value).
    """
    from ..analysis import apportion, go_alone

    doc, res = src.doc, src.results
    snap = res.snap
    data = lay.analysis
    money = st.money if st else None
    bold = st.bold if st else None
    fill = st.input_fill if st else None
    years = int(doc["evaluation"]["appraisal"]["years"])
    basis_col = col(5 + years)
    bidx = {b["id"]: i for i, b in enumerate(doc["bids"])}
    pad = st.Alignment(horizontal="left", indent=1) if st else None
    centre = st.Alignment(horizontal="center") if st else None

    def basis(bid: str) -> str:
        return f"Costs!${basis_col}${lay.cost_row0 + bidx[bid]}"

    partners = doc.get("partners", [])
    prow0 = 6  # first partner row
    prow = {p["id"]: prow0 + k for k, p in enumerate(partners)}
    par = prow0 + max(len(partners), 1) + 1  # parameter block: factor, then going alone
    factor, alone = f"$E${par + 1}", f"$E${par + 2}"
    rows = [(b, m, share) for b in doc["bids"] if b.get("apportionment")
            for m, share, _ in apportion(b["apportionment"], partners)]
    r0 = par + 6  # first (bid, partner) row
    r1 = max(r0 + len(rows) - 1, r0)
    bid_rng, pop_rng = f"$A${r0}:$A${r1}", f"$F${r0}:$F${r1}"

    sh = _Sheet(wb, "Shared service", st, freeze="A3", title_rows="1:2")
    sh.title("Shared service: what each partner council pays and saves")
    sh.append([sh.cell("Formulas over the Costs sheet and the partners below (inputs shaded "
                       "yellow); figures on the evaluation's cost basis "
                       f"({doc['evaluation']['appraisal']['cost_basis'].upper()}).",
                       font=st.italic if st else None)])
    sh.blank()
    sh.append([sh.cell("Partners (inputs)", font=bold)])
    sh.header(["Partner ID", "Name", "Population", "Annual baseline",
               "Baseline over the appraisal period"])  # row prow0 - 1
    for p in partners:
        r = sh.row + 1
        pop = p.get("population")
        base = p.get("baseline_annual_cost")
        sh.append([t(p["id"]), t(p["name"]),
                   sh.cell(pop, fmt="#,##0", fill=fill),
                   sh.cell(float(base) if base is not None else None, fmt=money, fill=fill),
                   sh.cell(f"=D{r}*{factor}", fmt=money)])
    if not partners:
        sh.append(["none", "No partner councils are recorded."])
    sh.blank()
    assert sh.row + 1 == par
    alone_bid, _ = go_alone(snap, res)
    ycols = f"Costs!$C$4:${col(2 + years)}$4"
    sh.append([sh.cell("Parameters", font=bold)])  # par
    sh.append([sh.spill("What 1 a year over the appraisal period is worth on the cost "
                        "basis"),
               "", "", "",
               sh.cell(f'=IF({P_BASIS}="wlc",{P_YEARS},SUM({ycols}))', fmt="0.0000")])
    sh.append([sh.spill("Going alone: the whole cost of the cheapest ranked bid not "
                        "shared"), "", "",
               "", sh.cell(f"={basis(alone_bid)}" if alone_bid else None, fmt=money),
               sh.cell(t(f"{alone_bid} {src.supplier(alone_bid)}") if alone_bid
                       else "none: every ranked bid is shared",
                       align=pad)])
    sh.blank()
    sh.append([sh.cell("Per shared bid and partner", font=bold)])  # par + 4
    sh.header(["Bid ID", "Supplier", "Method", "Partner ID", "Partner", "Population",
               "Custom %", "Share", "Bid's cost", "Partner's cost",
               "Baseline", "Saving", "Going alone", "Saving vs alone",
               "Beats alone"])  # par + 5
    assert sh.row + 1 == r0
    for b, m, _share in rows:
        r = sh.row + 1
        app = b["apportionment"]
        method = app.get("method", "equal")
        n = f"COUNTIF({bid_rng},$A{r})"
        if method == "custom":
            pct: Any = float((app.get("shares") or {}).get(m, 0.0))
            share = f"=G{r}/100"
        elif method == "population":
            pct = None
            tot = f"SUMIF({bid_rng},$A{r},{pop_rng})"
            share = f"=IF({tot}>0,F{r}/{tot},1/{n})"
        else:
            pct = None
            share = f"=1/{n}"
        partner = next(p for p in partners if p["id"] == m)
        sh.append([t(b["id"]), t(b["supplier"]), sh.cell(method, align=pad), t(m),
                   t(partner["name"]),
                   sh.cell(f"=$C${prow[m]}", fmt="#,##0"),
                   sh.cell(pct, fmt="0.00", fill=fill if method == "custom" else None),
                   sh.cell(share, fmt="0.00%"),
                   sh.cell(f"={basis(b['id'])}", fmt=money),
                   sh.cell(f"=H{r}*I{r}", fmt=money),
                   sh.cell(f"=$D${prow[m]}*{factor}", fmt=money),
                   sh.cell(f"=K{r}-J{r}", fmt=money),
                   sh.cell(f"={alone}" if alone_bid else None, fmt=money),
                   sh.cell(f"=M{r}-J{r}" if alone_bid else None, fmt=money),
                   sh.cell(f'=IF(J{r}<M{r},"yes","no")' if alone_bid else "n/a",
                           align=centre)])
    if not rows:
        sh.append(["none", "No bid has an apportionment: nothing is shared."])
    elif st is not None:
        _flag_rule(sh, st, f"O{r0}:O{r1}", "no", "amber")
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"L{r0}:L{r1}", CellIsRule(operator="lessThan", formula=["0"], fill=st.red_fill))
    sh.blank()

    sh.append([sh.cell("Break-even: partners of average size needed for sharing to beat "
                       "going alone (each pays the cost / n)", font=bold)])
    sh.header(["Bid ID", "Supplier", "Bid's cost", "Going alone",
               "Partners of average size needed", "Sharing now", "Avg. population"])
    pops = f"$C${prow0}:$C${prow0 + len(partners) - 1}" if partners else None
    for e in data["break_even"]:
        r = sh.row + 1
        needed = (f'=IF(D{r}<=0,"n/a",IF(C{r}<D{r},1,INT(C{r}/D{r})+1))' if alone_bid
                  else "n/a")
        sh.append([t(e["bid"]), t(src.supplier(e["bid"])),
                   sh.cell(f"={basis(e['bid'])}", fmt=money),
                   sh.cell(f"={alone}" if alone_bid else None, fmt=money),
                   sh.cell(needed, font=bold, align=centre),
                   sh.cell(f"=COUNTIF({bid_rng},A{r})", align=centre),
                   sh.cell(f"=SUM({pops})/ROWS({pops})" if pops else None, fmt="#,##0")])
    if not data["break_even"]:
        sh.append(["none"])
    sh.blank()
    _note_lines(sh, st, (
        "Shares: equal is 1/n of the partners sharing the bid; population is the partner's "
        "population over theirs in total (equal when none is recorded); custom is the "
        "percentage agreed (an input). Partner's cost = share x the bid's cost basis "
        "(Costs sheet). Baseline = the partner's annual cost today in every year of the "
        "appraisal period on the same basis. Saving = baseline - partner's cost (red when "
        "sharing costs more than today)."))
    _note_lines(sh, st, (
        "Going alone is the whole cost of the cheapest ranked bid without an apportionment: "
        "sharing beats going alone when the partner's cost is below it. Which bid that is "
        "comes from ProcureDesk's analysis (a value); if you change an input, recheck it. "
        "Break-even: the smallest n with cost / n below going alone, the bid's cost taken "
        "as fixed whatever the number of partners."))


def _audit(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    import json

    sh = _Sheet(wb, "Audit", st, caps={7: 60, 8: 60}, freeze="A2", title_rows="1:1")
    sh.header(["#", "When", "Who", "Action", "Entity", "Record", "Before", "After"])

    def js(v: Any) -> str:
        return "" if v is None else t(json.dumps(v, ensure_ascii=False))

    for a in src.audit:
        sh.append([a.id, t(a.at), t(a.actor), t(a.action), t(a.entity), t(a.entity_id),
                   js(a.before), js(a.after)])


def _about(wb: Any, src: Source, st: _Styles | None, lay: _Layout, report: Report) -> None:
    sh = _Sheet(wb, "About", st, caps={2: 100})
    bold = st.bold if st else None
    sh.title("About this evidence pack")
    wrap = st.wrap if st else None
    rows = [
        ("Produced by", f"ProcureDesk {src.version}"),
        ("Evaluation file", t(src.path.name)),
        ("Exported at", src.exported_at),
        ("SHA-256 of the evaluation file", src.sha256),
        ("Audit events", str(len(src.audit))),
        ("What is a formula",
         "Effective weights (Criteria), per-year costs, whole-life cost, NPV and the cost "
         "basis (Costs), the scores counted, mean, spread, flag and final score of each bid "
         "and criterion (Moderation: the consensus score if recorded, else the mean of the "
         "scores of evaluators with no declared conflict), price fractions, points, section "
         "subtotals and totals (Results), the Summary's totals and margin, and each shared "
         "bid's shares, partner costs, baselines, savings and break-even (Shared service)."),
        ("What is a value",
         "The inputs (weights, scores, consensus, cost lines and the parameters on the "
         "Summary sheet, shaded yellow), and each bid's Status, Reasons and Rank, which "
         "are the engine's: gateway failures and minimum scores exclude, a missing score "
         "or gateway result leaves a bid incomplete, and ties go to the higher quality, "
         "then the lower cost, then the smaller bid id. If you change an input, recheck "
         "the status and rank. The Sensitivity sheet (switching values, price formulas, "
         "withdrawn bids, Monte Carlo) holds the engine's analysis as values."),
        ("Text from suppliers and evaluators",
         "Shown as typed; text that begins with = + - @ is prefixed with an apostrophe so "
         "that no spreadsheet reads it as a formula."),
    ]
    for k, v in rows:  # long values wrap within the second column
        sh.append([sh.cell(k, font=bold, align=wrap), v])
