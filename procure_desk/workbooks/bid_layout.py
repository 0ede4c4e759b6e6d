"""The layout of the bid response workbook, shared by the template and the importer.

The importer finds fields by their labels (column A of Supplier) and columns by
their headers, so a supplier who inserts a row or widens a column does not
break the import; it only needs the sheet names and labels below.
"""

from __future__ import annotations

from ..interchange import CATEGORIES, OPTION_TYPE_LABELS

FORMAT = "procure-desk/bid-response"
VERSION = 1

SUPPLIER = "Supplier"
PRICING = "Pricing"
DECLARATIONS = "Declarations"
INSTRUCTIONS = "Instructions"
ABOUT = "About"  # hidden: format, version, evaluation reference
# the sheets that carry the bid: a workbook missing any of them is refused (the
# Instructions and About sheets carry nothing the import needs)
REQUIRED_SHEETS = (SUPPLIER, PRICING, DECLARATIONS)

HEADER_ROW = 4  # on every sheet: title in row 1, a note in row 2, headers in row 4
FIRST_ROW = HEADER_ROW + 1
PRICING_ROWS = 200  # rows laid out (validation, unlocked) in the template
MAX_COST_LINES = 500  # more than this is far larger than any real bid
MAX_NAME = 200
MAX_FIELD = 4_000

# (key, label, required, guidance)
SUPPLIER_FIELDS: list[tuple[str, str, bool, str]] = [
    ("supplier", "Supplier name", True,
     "The legal name of the organisation bidding (as on Companies House, if registered)."),
    ("option_type", "Option type", True,
     "Choose from the list: what kind of option this bid is."),
    ("sme", "SME or VCSE", True,
     "Yes if you are a small or medium-sized enterprise or a voluntary, community or "
     "social enterprise."),
    ("contact_name", "Contact name", False, "Who the council should contact about this bid."),
    ("contact_email", "Contact email", False, ""),
    ("contact_phone", "Contact telephone", False, ""),
    ("term_years", "Contract term (years)", False,
     "The initial term you propose, in whole years (extensions in the break clauses box)."),
    ("break_clauses", "Break clauses", False,
     "When and on what terms the council could end the contract early, and any extensions."),
    ("summary", "Summary of the offer", False,
     "A short description of what you offer (a few sentences)."),
]

PRICING_HEADERS = ["Item", "Category", "Amount per year (£)", "Start year", "Number of years"]
PRICING_KEYS = ["item", "category", "amount", "start_year", "years"]

DECLARATION_HEADERS = ["Ref", "Requirement", "Your answer (Yes/No)", "Evidence reference"]

STANDARD_DECLARATIONS: list[tuple[str, str]] = [
    ("DEC1", "Cyber Essentials Plus: you hold a current certificate"),
    ("DEC2", "UK GDPR: you accept the council's processing terms (Article 28)"),
    ("DEC3", "Accessibility: the public-facing service meets WCAG 2.2 AA"),
    ("DEC4", "Insurance: you hold the public liability and professional indemnity "
             "cover stated in the tender"),
    ("DEC5", "No mandatory exclusion ground applies to you (Procurement Act 2023, "
             "Schedule 6)"),
]

OPTION_LABELS = [OPTION_TYPE_LABELS[k] for k in OPTION_TYPE_LABELS]
CATEGORY_LABELS = {c: c.capitalize() for c in CATEGORIES}


def norm_key(text: str) -> str:
    """Case-, space- and punctuation-insensitive key for labels and choices."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


OPTION_BY_KEY = {norm_key(label): code for code, label in OPTION_TYPE_LABELS.items()}
OPTION_BY_KEY.update({norm_key(code): code for code in OPTION_TYPE_LABELS})
CATEGORY_BY_KEY = {norm_key(c): c for c in CATEGORIES}
FIELD_BY_LABEL = {norm_key(label): key for key, label, _, _ in SUPPLIER_FIELDS}
