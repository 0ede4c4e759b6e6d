"""Opening a workbook that came from outside without trusting it.

An .xlsx file is a zip package of XML parts. Before openpyxl parses anything:

- the file must be a zip package (an old .xls, an encrypted workbook or any
  other file is refused with a message that says what it is);
- it must not carry macros (a vbaProject.bin part or a macro-enabled content
  type);
- the number of parts, each part's declared uncompressed size, their total and
  each part's compression ratio are checked from the zip directory, before any
  part is decompressed (a zip bomb is refused without being inflated);
- the prologue of every XML part is read through defusedxml: entity
  definitions (an entity bomb, an external entity) and document type
  declarations are refused;
- each worksheet is scanned as bytes, streaming, for the rows its cells, its
  declared dimension and its merged ranges reach.

Cells are then read with openpyxl in read-only, values-only mode, and never
beyond `Limits.max_rows` x `Limits.max_cols`: a sheet that claims or holds more
is refused as far larger than any real bid, without walking a million rows.
A formula is never evaluated: a formula cell with a cached value (what Excel
showed when the file was saved) gives that value; one without is a problem for
that cell ("a formula, not a value"), reported with every other problem in
the file, while the hostile-file refusals above stop at once.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadInput, Problem
from ..wording import column_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and encrypted .xlsx
XML_SUFFIXES = (".xml", ".rels", ".vml")
MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"ms-office.activeX", b"vbaProjectSignature")
FORMULA_MESSAGE = ("holds a formula, not a value (formulas are never calculated here; type "
                   "the value itself)")


@dataclass(frozen=True)
class Limits:
    """Bounds far above any real bid or scoring sheet, far below a hostile file."""

    max_file_bytes: int = 25_000_000
    max_members: int = 400
    max_sheet_bytes: int = 60_000_000  # one worksheet's XML, uncompressed
    max_part_bytes: int = 10_000_000  # any other part (styles, shared strings...)
    max_total_bytes: int = 150_000_000
    max_ratio: float = 150.0  # uncompressed / compressed, for parts over 1 MB
    max_rows: int = 2_000
    max_cols: int = 40


BID_LIMITS = Limits()


def cell_name(row: int, col: int) -> str:
    """A1-style name of a 1-based cell."""
    return f"{column_letter(col)}{row}"


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


@dataclass
class SheetScan:
    """What a streaming byte scan of one worksheet part found."""

    max_row: int = 0  # the largest row a cell, the dimension or a merged range reaches
    max_col: int = 0


_NO_CELLS: dict[int, Any] = {}


@dataclass
class Grid:
    """Values read from one sheet, 1-based, within the bounds asked for.

    Kept sparse ({row: {column: value}}, empty cells absent): a scoring sheet
    of thousands of rows is read without building a tuple per row.
    """

    label: str
    sheet: str
    cells: dict[int, dict[int, Any]] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # formulas with no value

    def value(self, row: int, col: int) -> Any:
        return self.cells.get(row, _NO_CELLS).get(col)

    def where(self, row: int, col: int) -> str:
        return f"{self.label}, {self.sheet}!{cell_name(row, col)}"

    def is_formula(self, row: int, col: int) -> bool:
        """A formula without a cached value: its cell reads as empty, and is a problem."""
        return (row, col) in self.formulas

    def formula_problems(self) -> list[Problem]:
        """One problem per formula cell without a value, in reading order."""
        return [Problem(self.where(r, c), FORMULA_MESSAGE) for r, c in sorted(self.formulas)]

    @property
    def n_rows(self) -> int:
        """The last row holding a value."""
        return max(self.cells) if self.cells else 0


class SafeWorkbook:
    """A package that passed the checks, open read-only for cached values."""

    def __init__(self, path: Path, label: str, limits: Limits, scans: dict[str, SheetScan]):
        from openpyxl import load_workbook

        self.path = path
        self.label = label
        self.limits = limits
        self._scans = scans
        try:
            self._wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl's errors are many and undocumented
            raise BadInput.one(label, f"could not be read as an Excel workbook ({_short(exc)})"
                               ) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def sheet_state(self, name: str) -> str:
        return str(self._wb[name].sheet_state)

    def read(self, sheet: str, *, max_rows: int | None = None,
             max_cols: int | None = None, problems: list[Problem] | None = None) -> Grid:
        """The sheet's values in rows 1..max_rows, columns 1..max_cols.

        Refused at once if the sheet claims or holds anything beyond those
        bounds. A cell holding a formula with no cached value is a problem of
        that cell: appended to `problems` when given (so that the caller reports
        it with everything else wrong in the file; the cell reads as empty and
        `Grid.is_formula` tells it apart), refused here otherwise.
        """
        nrows = min(max_rows or self.limits.max_rows, self.limits.max_rows)
        ncols = min(max_cols or self.limits.max_cols, self.limits.max_cols)
        if sheet not in self._wb.sheetnames:
            raise BadInput.one(self.label, f"has no sheet named {sheet!r}")
        ws = self._wb[sheet]
        part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        scan = self._scans.get(part)
        if scan is None:
            raise BadInput.one(f"{self.label}, {sheet}", "its worksheet part could not be found")
        if scan.max_row > nrows:
            raise BadInput.one(
                f"{self.label}, {sheet}",
                f"the sheet reaches row {scan.max_row:,} (in its cells, dimension or merged "
                f"ranges), far beyond any real workbook of this kind (at most {nrows:,} rows "
                "are read); refused")
        strings = getattr(ws, "_shared_strings", None) or []
        grid = Grid(self.label, sheet)
        with zipfile.ZipFile(self.path) as zf, zf.open(part) as src:
            _read_cells(src, grid, strings, nrows, ncols)
        if problems is not None:
            problems += grid.formula_problems()
        elif grid.formulas:
            raise BadInput(grid.formula_problems())
        return grid

    def close(self) -> None:
        self._wb.close()

    def __enter__(self) -> SafeWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def open_workbook(path: str | Path, *, label: str | None = None,
                  limits: Limits = BID_LIMITS) -> SafeWorkbook:
    """Check the package, then open it read-only; raises BadInput naming the file."""
    p = Path(path)
    name = label or p.name
    scans = check_package(p, label=name, limits=limits)
    return SafeWorkbook(p, name, limits, scans)


def check_package(path: Path, *, label: str, limits: Limits = BID_LIMITS
                  ) -> dict[str, SheetScan]:
    """Every check that needs no XML parser beyond defusedxml; returns the sheet scans."""
    if not path.exists():
        raise BadInput.one(label, "does not exist")
    if not path.is_file():
        raise BadInput.one(label, "is not a file")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise BadInput.one(label, f"is {size / 1e6:.0f} MB, far larger than any real workbook "
                                  f"of this kind (limit {limits.max_file_bytes / 1e6:.0f} MB)")
    with path.open("rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC:
        raise BadInput.one(label, "is an old-style .xls workbook or a password-protected one: "
                                  "save it as an Excel Workbook (.xlsx) without a password")
    if not zipfile.is_zipfile(path):
        raise BadInput.one(label, "is not an Excel workbook (.xlsx): it is not a zip package")
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_zip(zf, label, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            OSError) as exc:
        raise BadInput.one(label, f"is a damaged zip package ({_short(exc)})") from None


def _check_zip(zf: zipfile.ZipFile, label: str, limits: Limits) -> dict[str, SheetScan]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise BadInput.one(label, f"has {len(infos):,} parts, far more than any real workbook "
                                  f"(limit {limits.max_members}); refused")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise BadInput.one(label, "is a binary workbook (.xlsb): save it as an Excel "
                                      "Workbook (.xlsx)")
        raise BadInput.one(label, "is not an Excel workbook (.xlsx): it is a zip package "
                                  "without a workbook inside")
    total = 0
    for info in infos:
        lower = info.filename.lower()
        if lower.endswith("vbaproject.bin") or lower.endswith("vbaprojectsignature.bin"):
            raise _macro(label)
        limit = (limits.max_sheet_bytes if lower.startswith("xl/worksheets/")
                 else limits.max_part_bytes)
        if info.file_size > limit:
            raise BadInput.one(label, f"part {info.filename!r} would expand to "
                                      f"{info.file_size / 1e6:,.0f} MB (limit "
                                      f"{limit / 1e6:.0f} MB): refused as a zip bomb")
        if info.file_size > 1_000_000:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise BadInput.one(label, f"part {info.filename!r} is compressed {ratio:,.0f} "
                                          "to 1, far beyond any real workbook: refused as a "
                                          "zip bomb")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise BadInput.one(label, f"would expand to more than "
                                      f"{limits.max_total_bytes / 1e6:.0f} MB: refused as a "
                                      "zip bomb")
    types = zf.read("[Content_Types].xml")
    _prologue_check(types, label, "[Content_Types].xml")
    if any(t in types for t in MACRO_TYPES):
        raise _macro(label)
    scans: dict[str, SheetScan] = {}
    for info in infos:
        lower = info.filename.lower()
        if not lower.endswith(XML_SUFFIXES) or info.filename == "[Content_Types].xml":
            continue
        if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
            scans["/" + info.filename] = scans[info.filename] = _scan_sheet(zf, info, label)
        else:
            with zf.open(info) as f:
                _prologue_check(f.read(64 * 1024), label, info.filename)
    return scans


def _macro(label: str) -> BadInput:
    return BadInput.one(label, "contains macros (a macro-enabled workbook): refused; save it "
                               "as an Excel Workbook (.xlsx) without macros")


class _Root(Exception):  # noqa: N818 - a signal, not an error
    """The root element was reached: no document type declaration can follow."""


def _prologue_check(data: bytes, label: str, part: str) -> None:
    """Refuse a DTD or entity definitions, parsing through defusedxml up to the root."""
    from xml.sax.handler import ContentHandler, property_lexical_handler

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.expatreader import DefusedExpatParser

    seen_dtd: list[str] = []

    class Stop(ContentHandler):
        def startElement(self, name: str, attrs: Any) -> None:
            raise _Root

    class Lexical:
        def startDTD(self, name: str, pubid: Any, sysid: Any) -> None:
            seen_dtd.append(str(sysid or ""))

        def endDTD(self) -> None:
            pass

        def startCDATA(self) -> None:
            pass

        def endCDATA(self) -> None:
            pass

        def comment(self, content: str) -> None:
            pass

    parser = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(Stop())
    parser.setProperty(property_lexical_handler, Lexical())
    where = f"{label}, part {part}"
    try:
        parser.feed(data)
    except _Root:
        pass
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            raise BadInput.one(where, "defines an external entity (a reference to another "
                                      "file or address): refused") from None
        raise BadInput.one(where, "defines XML entities (an entity bomb): refused; a real "
                                  "workbook never does") from None
    except ExternalReferenceForbidden:
        raise BadInput.one(where, "refers to an external entity: refused") from None
    except DTDForbidden:  # pragma: no cover - forbid_dtd is off; kept for safety
        raise BadInput.one(where, "has a document type declaration: refused") from None
    except Exception as exc:  # SAXParseException and friends
        if not seen_dtd:
            raise BadInput.one(where, f"is not well-formed XML ({_short(exc)})") from None
    if seen_dtd:
        if seen_dtd[0]:
            raise BadInput.one(where, "refers to an external document type definition "
                                      f"({seen_dtd[0][:80]!r}): refused")
        raise BadInput.one(where, "has a document type declaration, which a real workbook "
                                  "never has: refused")
    # a truncated prologue (data cut at 64 KB before the root) is left to openpyxl


# Each pattern allows a namespace prefix (<x:row ...>). Rows are many: the plain
# form, which starts with a literal, is searched much faster, and the prefixed
# form only in data that holds a prefixed row element.
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s(?:[^>]*?\s)?ref=\"([^\"]*)\"")
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s(?:[^>]*?\s)?ref=\"([^\"]*)\"")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s(?:[^>]*?\s)?r=\"(\d{1,9})\"")
_ROW_PLAIN = re.compile(rb"<row\s(?:[^>]*?\s)?r=\"(\d{1,9})\"")
_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> SheetScan:
    """Stream a worksheet part once: prologue check, dimension, merged ranges, rows.

    Formulas are found cell by cell when the sheet is read.
    """
    scan = SheetScan()
    overlap = 512
    tail = b""
    first = True
    with zf.open(info) as f:
        for chunk in _chunks(f):
            if first:
                _prologue_check(chunk[: 64 * 1024], label, info.filename)
                first = False
            data = tail + chunk
            if b"dimension" in data:
                for m in _DIMENSION.finditer(data):
                    _claim(scan, m.group(1))
            if b"mergeCell" in data:
                for m in _MERGE.finditer(data):
                    _claim(scan, m.group(1))
            rows = (_ROW if b":row" in data else _ROW_PLAIN).findall(data)
            if rows:
                scan.max_row = max(scan.max_row, max(int(r) for r in rows))
            tail = data[-overlap:]
    return scan


def _claim(scan: SheetScan, ref: bytes) -> None:
    for letters, digits in _REF.findall(ref):
        scan.max_row = max(scan.max_row, int(digits))
        scan.max_col = max(scan.max_col, _col_number(letters))


def _chunks(f: Any, size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := f.read(size):
        yield chunk


class _Wide(Exception):  # noqa: N818 - a signal, not an error
    def __init__(self, row: int, col: int) -> None:
        self.row, self.col = row, col


def _refuse_dtd(*args: Any) -> None:
    raise BadInput.one("", "a document type declaration or entity inside a worksheet")


def _read_cells(src: Any, grid: Grid, strings: list[Any], nrows: int, ncols: int) -> None:
    """Stream a worksheet's cells with expat: values only, within the bounds.

    The part's prologue was already checked through defusedxml (no DTD, no
    entities); the handlers refuse them again in case one slips in. The
    value of a formula cell is its cached <v>; a formula without one is
    recorded in grid.formulas. Dates stay as the numbers Excel stores.
    """
    from xml.parsers import expat

    reader = _CellReader(grid, strings, nrows, ncols)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd  # type: ignore[assignment]
    try:
        for chunk in _chunks(src, 1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        pass
    except _Wide as exc:
        raise BadInput.one(grid.where(exc.row, exc.col),
                           f"the sheet is wider than {ncols} columns, far wider than any real "
                           "workbook of this kind; refused") from None
    except expat.ExpatError as exc:
        raise BadInput.one(f"{grid.label}, {grid.sheet}",
                           f"is not well-formed XML ({_short(exc)})") from None
    grid.cells = reader.rows


class _CellReader:
    """expat's handlers for one worksheet: where the parser is, and the cells so far."""

    def __init__(self, grid: Grid, strings: list[Any], nrows: int, ncols: int):
        self.grid, self.strings, self.nrows, self.ncols = grid, strings, nrows, ncols
        self.rows: dict[int, dict[int, Any]] = {}
        self.row = self.col = 0
        self.ctype = "n"
        self.formula = self.in_rph = False
        self.v: str | None = None
        self.text: str | None = None
        self.buf: list[str] | None = None
        self.cols: dict[str, int] = {}  # column letters already turned into numbers

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name[name.index(":") + 1:]
        if name == "c":
            self._cell(attrs)
        elif name == "v":
            self.buf = []
        elif name == "t":
            if not self.in_rph:
                self.buf = []
        elif name == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
            if self.row > self.nrows:
                raise _Stop
        elif name == "f":
            self.formula = True
        elif name == "rPh":
            self.in_rph = True

    def _cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref:
            letters = ref.rstrip("0123456789").lstrip("$").rstrip("$")
            n = self.cols.get(letters)
            if n is None:
                n = self.cols[letters] = (_col_number(letters.encode()) if letters
                                          else self.col + 1)
            self.col = n
        else:
            self.col += 1
        self.ctype = attrs.get("t", "n")
        self.formula = False
        self.v = self.text = None

    def chars(self, data: str) -> None:
        if self.buf is not None:
            self.buf.append(data)

    def end(self, name: str) -> None:
        if ":" in name:
            name = name[name.index(":") + 1:]
        if name == "c":
            value = _cell_value(self.ctype, self.v, self.text, self.formula, self.strings)
            if value is None:
                if self.formula and self.col <= self.ncols:
                    self.grid.formulas.add((self.row, self.col))
            else:
                if self.col > self.ncols:
                    raise _Wide(self.row, self.col)
                self.rows.setdefault(self.row, {})[self.col] = value
        elif name == "v":
            if self.buf is not None:
                self.v = "".join(self.buf)
                self.buf = None
        elif name == "t":
            if self.buf is not None:
                self.text = (self.text or "") + "".join(self.buf)
                self.buf = None
        elif name == "rPh":
            self.in_rph = False


class _Stop(Exception):  # noqa: N818 - a signal, not an error
    pass




def _cell_value(t: str, v: str | None, text: str | None, formula: bool,
                strings: list[Any]) -> Any:
    if t == "inlineStr":
        return text if text is not None else v
    if v is None or (v == "" and formula):  # openpyxl writes formulas with an empty <v>
        return None
    if t == "s":
        try:
            return str(strings[int(v)])
        except (ValueError, IndexError):
            return None
    if t in ("str", "e", "d"):
        return v
    if t == "b":
        return v.strip() in ("1", "true")
    try:
        x = float(v)
    except ValueError:
        return v
    return int(x) if x.is_integer() and abs(x) < 2**53 else x
