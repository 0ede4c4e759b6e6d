"""The look shared by the workbooks we write, and writing hostile text safely.

Only imported by the writers, inside their functions' reach (openpyxl is heavy).
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

NAVY = "1F3864"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color=NAVY)
NOTE_FONT = Font(italic=True, color="595959")
LABEL_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
UNLOCKED = Protection(locked=False)

# characters openpyxl cannot store (XML 1.0 forbids them)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def put(cell: Cell, value: Any) -> Cell:
    """Write a value; text is always text, never a formula (supplier names are hostile)."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
        cell.value = value
        if cell.data_type == "f":  # openpyxl reads a leading '=' as a formula
            cell.data_type = "s"
    else:
        cell.value = value
    return cell


def title(ws: Worksheet, text: str, note: str = "") -> None:
    put(ws["A1"], text).font = TITLE_FONT
    if note:
        c = put(ws["A2"], note)
        c.font = NOTE_FONT


def header(ws: Worksheet, row: int, labels: list[str], widths: list[float]) -> None:
    for col, (label, width) in enumerate(zip(labels, widths), start=1):
        c = put(ws.cell(row=row, column=col), label)
        c.fill = HEADER_FILL
        c.font = HEADER_FONT
        c.alignment = Alignment(wrap_text=True, vertical="center")
        c.border = BOX
        ws.column_dimensions[c.column_letter].width = width
    ws.row_dimensions[row].height = 30
    printable(ws, row)


def printable(ws: Worksheet, header_row: int | None = None) -> None:
    """Landscape, one page wide, headers repeated: a sheet an officer can print."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def protect(ws: Worksheet) -> None:
    """Lock the sheet (no password: it prevents accidents, it is not a secret)."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False
