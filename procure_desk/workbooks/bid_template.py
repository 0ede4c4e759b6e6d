"""The bid response template suppliers fill in (and, filled, the sample bids).

Four visible sheets (Instructions, Supplier, Pricing, Declarations) and a hidden
About sheet naming the format. Dropdowns for option types, categories and
yes/no; the labels and headers are locked, the answer cells are not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import BadInput
from . import bid_layout as L  # noqa: N812 - the layout reads as L.FIELD


def declarations_for(doc: dict[str, Any] | None) -> list[tuple[str, str]]:
    """One declaration per gateway of the evaluation, or the standard set."""
    if doc:
        gates = [(c["id"], c["name"]) for c in doc["criteria"] if c["kind"] == "pass_fail"]
        if gates:
            return gates
    return list(L.STANDARD_DECLARATIONS)


def build_bid_workbook(doc: dict[str, Any] | None = None, bid: dict[str, Any] | None = None,
                       extras: dict[str, Any] | None = None) -> Any:
    """An openpyxl Workbook: the empty template, or filled with `bid` and `extras`.

    `extras` may hold contact_name, contact_email, contact_phone, break_clauses,
    summary and declarations ({ref: (answer, evidence)}).
    """
    from openpyxl import Workbook

    wb = Workbook()
    _instructions(wb.active, doc)
    _supplier(wb.create_sheet(L.SUPPLIER), bid, extras or {})
    _pricing(wb.create_sheet(L.PRICING), bid)
    _declarations(wb.create_sheet(L.DECLARATIONS), doc, (extras or {}).get("declarations", {}))
    about = wb.create_sheet(L.ABOUT)
    about.append(["format", L.FORMAT])
    about.append(["version", L.VERSION])
    if doc:
        ev = doc["evaluation"]
        about.append(["evaluation", ev.get("reference") or ev.get("title", "")])
    about.sheet_state = "hidden"
    wb.active = 1 if bid else 0
    return wb


def save_workbook(wb: Any, target: Path, *, force: bool = False) -> None:
    """Save through `atomic.writing`: a failed save (a full disk, a cancel) leaves
    nothing half-written, and a disk that refuses is a plain `BadInput`."""
    if target.suffix.lower() != ".xlsx":
        raise BadInput.one(str(target), "must end in .xlsx")
    with atomic.writing(target, force=force) as tmp:
        atomic.save_buffered(tmp, wb.save)


def write_bid_template(path: str | Path, *, doc: dict[str, Any] | None = None,
                       force: bool = False) -> Path:
    target = Path(path)
    save_workbook(build_bid_workbook(doc), target, force=force)
    return target


# ---- sheets --------------------------------------------------------------------------

def _instructions(ws: Any, doc: dict[str, Any] | None) -> None:
    from .style import WRAP, printable, put, title

    ws.title = L.INSTRUCTIONS
    if doc:
        ev = doc["evaluation"]
        sub = f"{ev['authority']}: {ev['title']}" + (f" ({ev['reference']})"
                                                     if ev.get("reference") else "")
    else:
        sub = "For any tender evaluated with ProcureDesk"
    title(ws, "Bid response workbook", sub)
    lines = [
        "How to complete this workbook",
        "1. Supplier: answer every row marked 'required'. Choose the option type and "
        "SME/VCSE answer from the drop-down lists.",
        "2. Pricing: one row per cost line. Give the amount PER YEAR in pounds, excluding "
        "VAT, as a number (no text such as 'TBC'). Year 0 is the first year of the contract; "
        "a line with start year 1 and 4 years is paid in years 1, 2, 3 and 4. One-off costs "
        "(implementation, exit) have 1 year. Choose the category from the list.",
        "3. Declarations: answer Yes or No to each requirement and give an evidence reference "
        "(a certificate number, a document name and page). The council checks declarations "
        "itself: an answer here is not a pass.",
        "Please type values, not formulas: formulas are not calculated when the workbook is "
        "read. Do not rename the sheets or change the labels and headers (they are locked). "
        "Save as an Excel Workbook (.xlsx) without macros; macro-enabled, password-protected "
        "and old .xls files are refused.",
        "Option types: " + ", ".join(L.OPTION_LABELS) + ".",
        "Categories: " + ", ".join(L.CATEGORY_LABELS.values()) + ".",
    ]
    for i, text in enumerate(lines, start=4):
        c = put(ws.cell(row=i, column=1), text)
        c.alignment = WRAP
        if i == 4:
            from openpyxl.styles import Font

            c.font = Font(bold=True)
        else:
            ws.row_dimensions[i].height = 15 * max(1, len(text) // 95 + 1)
    ws.column_dimensions["A"].width = 110
    ws.sheet_view.showGridLines = False
    printable(ws)


def _supplier(ws: Any, bid: dict[str, Any] | None, extras: dict[str, Any]) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.datavalidation import DataValidation

    from .style import (
        BOX,
        INPUT_FILL,
        LABEL_FILL,
        NOTE_FONT,
        UNLOCKED,
        WRAP,
        header,
        protect,
        put,
        title,
    )

    title(ws, "Supplier details", "Answer in the yellow cells. Rows marked (required) must "
                                  "not be left blank.")
    header(ws, L.HEADER_ROW, ["Question", "Your answer", "Guidance"], [30, 55, 70])
    values: dict[str, Any] = {}
    if bid:
        values = {
            "supplier": bid["supplier"],
            "option_type": _option_label(bid["option_type"]),
            "sme": "Yes" if bid.get("sme") else "No",
            "term_years": bid.get("term_years"),
        }
        values.update({k: extras.get(k) for k in ("contact_name", "contact_email",
                                                  "contact_phone", "break_clauses",
                                                  "summary")})
    opt = DataValidation(type="list", formula1='"' + ",".join(L.OPTION_LABELS) + '"',
                         allow_blank=True, showErrorMessage=True,
                         errorTitle="Option type", error="Choose an option type from the list.")
    yes_no = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True,
                            showErrorMessage=True, error="Yes or No")
    term = DataValidation(type="whole", operator="between", formula1="0", formula2="50",
                          allow_blank=True, showErrorMessage=True,
                          error="A whole number of years")
    for dv in (opt, yes_no, term):
        ws.add_data_validation(dv)
    for i, (key, label, required, guidance) in enumerate(L.SUPPLIER_FIELDS):
        r = L.FIRST_ROW + i
        a = put(ws.cell(row=r, column=1), label + (" (required)" if required else ""))
        a.fill = LABEL_FILL
        a.border = BOX
        a.alignment = WRAP
        b = put(ws.cell(row=r, column=2), values.get(key))
        b.fill = INPUT_FILL
        b.border = BOX
        b.protection = UNLOCKED
        b.alignment = Alignment(wrap_text=True, vertical="center", horizontal="left")
        g = put(ws.cell(row=r, column=3), guidance)
        g.font = NOTE_FONT
        g.alignment = WRAP
        ws.row_dimensions[r].height = 48 if key in ("break_clauses", "summary") else 30
        if key == "option_type":
            opt.add(b)
        elif key == "sme":
            yes_no.add(b)
        elif key == "term_years":
            term.add(b)
    ws.freeze_panes = f"A{L.FIRST_ROW}"
    protect(ws)


def _option_label(code: str) -> str:
    from ..interchange import OPTION_TYPE_LABELS

    return OPTION_TYPE_LABELS.get(code, code)


def _pricing(ws: Any, bid: dict[str, Any] | None) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    from .style import BOX, INPUT_FILL, UNLOCKED, header, protect, put, title

    title(ws, "Pricing", "One row per cost line. Amounts are per year, in pounds, excluding "
                         "VAT. Year 0 is the first year of the contract.")
    header(ws, L.HEADER_ROW, L.PRICING_HEADERS, [50, 18, 20, 12, 16])
    last = L.FIRST_ROW + L.PRICING_ROWS - 1
    cat = DataValidation(type="list", formula1='"' + ",".join(L.CATEGORY_LABELS.values()) + '"',
                         allow_blank=True, showErrorMessage=True, errorTitle="Category",
                         error="Choose a category from the list.")
    amount = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True, showErrorMessage=True,
                            error="An amount in pounds, 0 or more")
    start = DataValidation(type="whole", operator="between", formula1="0", formula2="100",
                           allow_blank=True, showErrorMessage=True,
                           error="A whole year: 0 is the first year")
    years = DataValidation(type="whole", operator="between", formula1="1", formula2="100",
                           allow_blank=True, showErrorMessage=True,
                           error="A whole number of years, 1 or more")
    for dv, col in ((cat, "B"), (amount, "C"), (start, "D"), (years, "E")):
        dv.add(f"{col}{L.FIRST_ROW}:{col}{last}")
        ws.add_data_validation(dv)
    lines = (bid or {}).get("costs", [])
    for r in range(L.FIRST_ROW, last + 1):
        for c in range(1, 6):
            cell = ws.cell(row=r, column=c)
            cell.protection = UNLOCKED
            cell.border = BOX
            cell.fill = INPUT_FILL
        ws.cell(row=r, column=3).number_format = "#,##0.00"
    for i, line in enumerate(lines):
        r = L.FIRST_ROW + i
        put(ws.cell(row=r, column=1), line["item"])
        put(ws.cell(row=r, column=2), L.CATEGORY_LABELS.get(line["category"], line["category"]))
        put(ws.cell(row=r, column=3), line["amount"])
        put(ws.cell(row=r, column=4), line["start_year"])
        put(ws.cell(row=r, column=5), line["years"])
    ws.freeze_panes = f"A{L.FIRST_ROW}"
    protect(ws)


def _declarations(ws: Any, doc: dict[str, Any] | None,
                  answers: dict[str, tuple[str, str]]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    from .style import BOX, INPUT_FILL, LABEL_FILL, UNLOCKED, WRAP, header, protect, put, title

    title(ws, "Declarations", "Answer Yes or No and give an evidence reference. The council "
                              "checks each declaration: an answer here is not a pass.")
    header(ws, L.HEADER_ROW, L.DECLARATION_HEADERS, [10, 60, 14, 50])
    yes_no = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True,
                            showErrorMessage=True, error="Yes or No")
    ws.add_data_validation(yes_no)
    for i, (ref, text) in enumerate(declarations_for(doc)):
        r = L.FIRST_ROW + i
        for col, value in ((1, ref), (2, text)):
            c = put(ws.cell(row=r, column=col), value)
            c.fill = LABEL_FILL
            c.border = BOX
            c.alignment = WRAP
        answer, evidence = answers.get(ref, (None, None))
        for col, given in ((3, answer), (4, evidence)):
            c = put(ws.cell(row=r, column=col), given)
            c.fill = INPUT_FILL
            c.border = BOX
            c.protection = UNLOCKED
            c.alignment = WRAP
        yes_no.add(ws.cell(row=r, column=3))
        ws.row_dimensions[r].height = 30
    ws.freeze_panes = f"A{L.FIRST_ROW}"
    protect(ws)
