"""What every PDF of ProcureDesk is made with: styles and tables (`Kit`), the A4
document with its metadata and bookmarks (`build_doc`), and the page furniture
(`numbered_canvas`: the security marking at the top and bottom of every page, the
footer with page n of N, the audit stamp, DRAFT while provisional).

Supplier and evaluator text goes through `pdf_fonts.markup` before any Paragraph
(which reads markup), or into table cells as plain strings (which reportlab draws as
they are), pre-wrapped to the column with `simpleSplit`: a plain cell costs a fraction
of a Paragraph, which matters at 50,000 cells. Text the main font cannot draw always
goes into a Paragraph, where the fallback font is set run by run.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from .. import __version__
from ..interchange.checks import DEFAULT_MARKING
from . import pdf_fonts
from .safe_text import plain_text

#: Rows of one table in the story; a longer one is laid out in chunks (Kit.table).
CHUNK_ROWS = 200
PAD = 12.0  # a table cell's left and right padding together, in points
LANG = "en-GB"


def fonts() -> tuple[str, str]:
    """The main and bold font names (DejaVu Sans, embedded)."""
    f = pdf_fonts.fonts()
    return f.regular, f.bold


class Kit:
    """Styles and table helpers shared by the report and the assessment summaries."""

    def __init__(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        font, bold = fonts()
        self.colors = colors
        ss = getSampleStyleSheet()
        self.body = ParagraphStyle("pd-body", parent=ss["BodyText"], fontName=font,
                                   fontSize=9.5, leading=12.5, spaceAfter=4)
        self.small = ParagraphStyle("pd-small", parent=self.body, fontSize=8, leading=10,
                                    spaceAfter=0)
        self.small_bold = ParagraphStyle("pd-small-b", parent=self.small, fontName=bold,
                                         textColor=colors.white)
        self.h1 = ParagraphStyle("pd-h1", parent=ss["Heading1"], fontName=bold, fontSize=16,
                                 leading=20, textColor=colors.HexColor("#1F4E79"),
                                 spaceBefore=6, spaceAfter=8)
        self.h2 = ParagraphStyle("pd-h2", parent=ss["Heading2"], fontName=bold, fontSize=12,
                                 leading=15, textColor=colors.HexColor("#1F4E79"),
                                 spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.title = ParagraphStyle("pd-title", parent=self.h1, fontSize=24, leading=30,
                                    spaceAfter=14)
        self.font, self.bold = font, bold

    def p(self, text: Any, style: Any = None) -> Any:
        """A Paragraph of user text (escaped, right-to-left in reading order, the
        fallback font where the main font has no glyph)."""
        from reportlab.platypus import Paragraph

        return Paragraph(pdf_fonts.markup(text), style or self.body)

    def m(self, markup: str, style: Any = None) -> Any:
        """A Paragraph of our own markup (callers pass user text through `t`)."""
        from reportlab.platypus import Paragraph

        return Paragraph(markup, style or self.body)

    @staticmethod
    def t(text: Any) -> str:
        """User text as markup to put inside our own (`m`)."""
        return pdf_fonts.markup(text)

    def heading(self, text: str, level: int = 0, *, user: bool = False,
                key: str = "") -> Any:
        """A heading (h1 for level 0, h2 below) that is also a bookmark of the PDF."""
        para = (self.p if user else self.m)(text, self.h1 if level == 0 else self.h2)
        para._bookmark = (plain_text(text), level, key or f"h{id(para)}")
        return para

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float],
              align_right: tuple[int, ...] = (), zebra: bool = True,
              extra: list[tuple[Any, ...]] | None = None, caption: Any = None) -> Any:
        """A LongTable whose header repeats on every page; `caption` (user text, e.g. the
        bid's name) is a row above the header that repeats with it.

        A table of more than CHUNK_ROWS rows is laid out as consecutive tables of
        CHUNK_ROWS rows, each with the header: reportlab splits a table across pages
        by re-measuring every row left after each page, so one table of n rows takes
        time in n squared (minutes for a few thousand rows), and chunks keep it linear.
        Row-wise `extra` commands (header = row 0) go to the chunk holding their rows.
        """
        extra = extra or []
        grid = self._grid(header, rows, widths, align_right, zebra, extra, caption)
        if grid is not None:
            return grid
        if len(rows) <= CHUNK_ROWS:
            return self._table(header, rows, widths, align_right, zebra, extra, caption)
        parts = []
        for start in range(0, len(rows), CHUNK_ROWS):
            end = min(start + CHUNK_ROWS, len(rows))
            parts.append(self._table(header, rows[start:end], widths, align_right, zebra,
                                     _rows_of(extra, start, end), caption))
        return _consecutive(parts)

    def _grid(self, header: list[str], rows: list[list[Any]], widths: list[float],
              align_right: tuple[int, ...], zebra: bool, extra: list[tuple[Any, ...]],
              caption: Any) -> Any:
        """The table as a `pdf_grid.Grid` when every cell is a plain string and `extra`
        only shades whole rows; else None (a LongTable it is)."""
        from .pdf_grid import GridSpec, make_grid

        if not all(isinstance(c, str) for r in rows for c in r):
            return None
        shade: dict[int, Any] = {}
        for cmd in extra:
            (c0, r0), (c1, r1) = cmd[1], cmd[2]
            if cmd[0] != "BACKGROUND" or (c0, c1) != (0, -1) or r0 != r1 or r0 < 1:
                return None
            shade[r0 - 1] = cmd[3]
        cap = None
        if caption is not None:
            cap = pdf_fonts.shown(caption)
            if cap is None:
                return None
        spec = GridSpec(header, widths, align_right, zebra, self.font, self.bold, cap)
        return make_grid(spec, rows, shade)

    def _table(self, header: list[str], rows: list[list[Any]], widths: list[float],
               align_right: tuple[int, ...], zebra: bool, extra: list[tuple[Any, ...]],
               caption: Any) -> Any:
        from reportlab.platypus import LongTable

        c = self.colors
        top = 1 if caption is not None else 0  # the header's row
        data = [[self.m(f"<b>{h}</b>", self.small_bold) if len(h) > 14 else h
                 for h in header], *rows]
        style: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.font, 8),
            ("FONT", (0, 0), (-1, 0), self.bold, 8),
            ("BACKGROUND", (0, 0), (-1, 0), c.HexColor("#1F4E79")),
            ("TEXTCOLOR", (0, 0), (-1, 0), c.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, c.HexColor("#BBBBBB")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        for k in align_right:
            style.append(("ALIGN", (k, 0), (k, -1), "RIGHT"))
        if zebra:
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [c.white, c.HexColor("#F2F6FA")]))
        style += extra
        if top:
            style = [_shifted(cmd) for cmd in style]
            data.insert(0, [self.cell(caption, width=sum(widths), bold=True),
                            *[""] * (len(header) - 1)])
            style += [("SPAN", (0, 0), (-1, 0)),
                      ("BACKGROUND", (0, 0), (-1, 0), c.HexColor("#DDE7F1")),
                      ("FONT", (0, 0), (-1, 0), self.bold, 8.5)]
        return LongTable(data, colWidths=widths, repeatRows=1 + top, style=style)

    def cell(self, text: Any, limit: int = 0, fit: int = 0, *, width: float = 0,
             bold: bool = False) -> Any:
        """A table cell of user text: a plain string (much quicker) wrapped to `width`
        points where given, or kept whole when it has at most `fit` characters; else a
        Paragraph. Past `limit` characters it is cut with an ellipsis (…), a visible
        sign; the callers say where the full text is."""
        s = plain_text(text)
        if limit and len(s) > limit:
            s = s[: limit - 1] + "…"
        drawn = pdf_fonts.shown(s)
        if drawn is not None:
            if width:
                return wrapped(drawn, self.bold if bold else self.font, 8, width - PAD)
            if len(drawn) <= fit and "\n" not in drawn:
                return drawn  # a plain cell is drawn as it is, never read as markup
        style = self.small
        if bold:
            from reportlab.lib.styles import ParagraphStyle

            style = ParagraphStyle("pd-small-bold-dark", parent=self.small,
                                   fontName=self.bold)
        return self.p(s, style)


def wrapped(text: str, font: str, size: float, width: float) -> str:
    """Plain text broken into lines that fit `width` points (a table draws each line
    of a plain string on its own), long words broken too."""
    from reportlab.lib.utils import simpleSplit

    if not text:
        return ""
    lines: list[str] = []
    for line in text.split("\n"):
        lines += simpleSplit(line, font, size, width) or [""]
    return "\n".join(lines)


def _shifted(cmd: tuple[Any, ...]) -> tuple[Any, ...]:
    """A style command moved down one row (a caption row goes above the header)."""
    (c0, r0), (c1, r1) = cmd[1], cmd[2]
    return (cmd[0], (c0, r0 + 1 if r0 >= 0 else r0), (c1, r1 + 1 if r1 >= 0 else r1),
            *cmd[3:])


def _rows_of(extra: list[tuple[Any, ...]], start: int, end: int) -> list[tuple[Any, ...]]:
    """The style commands of data rows start..end-1 (table rows start+1..end), renumbered
    for a chunk; commands on the header or counted from the end apply to every chunk."""
    out = []
    for cmd in extra:
        (c0, r0), (c1, r1) = cmd[1], cmd[2]
        if r0 < 1 or r1 < 1:
            out.append(cmd)
        elif r0 <= end and r1 > start:
            lo, hi = max(r0, start + 1) - start, min(r1, end) - start
            out.append((cmd[0], (c0, lo), (c1, hi), *cmd[3:]))
    return out


def _consecutive(parts: list[Any]) -> Any:
    """Tables laid out one after another, as one flowable of the story."""
    return _consecutive_type()(parts)


@functools.cache
def _consecutive_type() -> type:
    from reportlab.platypus.flowables import Flowable

    class Consecutive(Flowable):
        """Never placed whole: asked to split, it gives what of its first table fits
        (all of it, or the table's own split) followed by the other tables."""

        def __init__(self, parts: list[Any]) -> None:
            super().__init__()
            self.parts = parts

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return avail_width, avail_height + 1

        def split(self, avail_width: float, avail_height: float) -> list[Any]:
            first, rest = self.parts[0], self.parts[1:]
            if first.wrapOn(self.canv, avail_width, avail_height)[1] <= avail_height:
                return [first, *rest]
            pieces = first.splitOn(self.canv, avail_width, avail_height)
            return [*pieces, *rest] if pieces else []

        def draw(self) -> None:  # never placed: split always
            pass

    return Consecutive


def build_doc(target: Path, title: str, author: str, *, keywords: str = "",
              subject: str = "", lang: str = LANG) -> Any:
    """An A4 document with its title, author, subject and language set (the title shown
    in the viewer's title bar), fonts embedded, and a bookmark for every heading made
    with `Kit.heading`. `keywords` (the audit stamp) goes into the PDF's Info
    dictionary, which is never compressed, so `verify --against` finds it in the raw
    bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return _doc_type()(str(target), pagesize=A4, leftMargin=18 * mm,
                       rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=20 * mm,
                       title=plain_text(title), author=plain_text(author),
                       subject=plain_text(subject), keywords=keywords,
                       creator="ProcureDesk", producer=f"ProcureDesk {__version__}",
                       lang=lang, displayDocTitle=1, initialFontName=fonts()[0])


@functools.cache
def _doc_type() -> type:
    from reportlab.platypus import SimpleDocTemplate

    class Document(SimpleDocTemplate):
        """Bookmarks every flowable that carries `_bookmark` = (title, level, key)."""

        def afterFlowable(self, flowable: Any) -> None:
            mark = getattr(flowable, "_bookmark", None)
            if mark is None:
                return
            title, level, key = mark
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
            if not getattr(self, "_outline_shown", False):
                self.canv.showOutline()
                self._outline_shown = True

    return Document


def numbered_canvas(footer: str, *, stamp: str = "", draft: bool = False,
                    marking: str | None = None) -> Any:
    """A canvas class that writes the security marking (`evaluation.marking`, by
    default OFFICIAL-SENSITIVE: COMMERCIAL) at the top and the bottom of every page,
    "footer · Page n of m" at the foot with the audit stamp beneath it, and while the
    results are provisional DRAFT across the page and below the marking."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font, bold = fonts()
    text = plain_text(footer)
    if len(text) > 90:
        text = text[:89] + "…"
    mark = plain_text(marking).strip() or DEFAULT_MARKING

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *a: Any, **kw: Any) -> None:
            kw.setdefault("initialFontName", font)
            super().__init__(*a, **kw)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            n = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                w, h = self._pagesize
                if draft:
                    self._draft()
                self.setFillColorRGB(0.55, 0, 0)
                pdf_fonts.draw(self, w / 2, h - 9 * mm, mark, bold, 8.5, "centre")
                pdf_fonts.draw(self, w / 2, 14 * mm, mark, bold, 8.5, "centre")
                self.setFillGray(0.4)
                pdf_fonts.draw(self, 18 * mm, 9.5 * mm, text, font, 7.5)
                self.setFont(font, 7.5)
                self.drawRightString(w - 18 * mm, 9.5 * mm,
                                     f"ProcureDesk {__version__} · Page {self._pageNumber} of {n}")
                if stamp:
                    self.setFont(font, 6)
                    self.drawString(18 * mm, 6 * mm, stamp)
                super().showPage()
            super().save()

        def _draft(self) -> None:
            """DRAFT faintly across the page and plainly below the marking."""
            w, h = self._pagesize
            self.saveState()
            self.setFillColorRGB(0.75, 0, 0)
            self.setFont(bold, 8)
            self.drawCentredString(w / 2, h - 13 * mm,
                                   "DRAFT: provisional results, not a decision to award")
            self.setFillAlpha(0.08)
            self.translate(w / 2, h / 2)
            self.rotate(50)
            self.setFont(bold, 130)
            self.drawCentredString(0, -45, "DRAFT")
            self.restoreState()

    return NumberedCanvas
