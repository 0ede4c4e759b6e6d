"""The bid response template and importing filled bid workbooks."""

import json
import zipfile

import pytest
from openpyxl import load_workbook

from procure_desk import templates
from procure_desk.cli import main
from procure_desk.interchange import CATEGORIES, OPTION_TYPE_LABELS
from procure_desk.paths import SAMPLE_BIDS, SAMPLE_TENDER
from procure_desk.services import EvaluationFile
from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook

BID = {
    "supplier": "Kestrel Systems Ltd", "option_type": "best_of_breed", "sme": True,
    "term_years": 3,
    "costs": [
        {"item": "Implementation", "category": "implementation", "amount": 40000,
         "start_year": 0, "years": 1},
        {"item": "Subscription", "category": "licence", "amount": 25000.5,
         "start_year": 1, "years": 4},
    ],
}


def write_bid(path, bid=None, extras=None, doc=None):
    save_workbook(build_bid_workbook(doc, bid or BID, extras), path)
    return path


def validations(ws):
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


# ---- the template -----------------------------------------------------------------------

def test_template_has_documented_sheets_dropdowns_and_locked_headers(tmp_path, capsys):
    out = tmp_path / "template.xlsx"
    assert main(["bid-template", str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb.sheetnames[:4] == ["Instructions", "Supplier", "Pricing", "Declarations"]
    assert wb["About"].sheet_state == "hidden"

    sup = wb["Supplier"]
    labels = [sup.cell(row=r, column=1).value for r in range(5, 14)]
    assert labels[:3] == ["Supplier name (required)", "Option type (required)",
                          "SME or VCSE (required)"]
    assert "Contract term (years)" in labels
    assert "Break clauses" in labels
    dv = {k: v.formula1 for k, v in validations(sup).items()}
    assert dv["B6"] == '"' + ",".join(OPTION_TYPE_LABELS.values()) + '"'
    assert dv["B7"] == '"Yes,No"'
    assert sup.protection.sheet
    assert sup["A5"].protection.locked
    assert not sup["B5"].protection.locked
    assert sup.freeze_panes == "A5"

    pricing = wb["Pricing"]
    assert [pricing.cell(row=4, column=c).value for c in range(1, 6)] == [
        "Item", "Category", "Amount per year (£)", "Start year", "Number of years"]
    cat = validations(pricing)["B5:B204"]
    assert cat.formula1.strip('"').split(",") == [c.capitalize() for c in CATEGORIES]
    assert pricing["A4"].protection.locked
    assert not pricing["C5"].protection.locked
    assert pricing.protection.sheet

    decl = wb["Declarations"]
    refs = [decl.cell(row=r, column=1).value for r in range(5, 10)]
    assert refs == ["DEC1", "DEC2", "DEC3", "DEC4", "DEC5"]  # the standard set
    assert validations(decl)  # yes/no on the answers


def test_template_for_an_evaluation_asks_about_its_gateways(tmp_path, example_file):
    out = tmp_path / "for.xlsx"
    assert main(["bid-template", str(out), "--for", str(example_file.path)]) == 0
    decl = load_workbook(out)["Declarations"]
    assert decl["A5"].value == "G1"
    assert decl["B5"].value == "Cyber Essentials Plus"
    assert decl["A6"].value is None


def test_template_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    out.write_text("keep me")
    assert main(["bid-template", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["bid-template", str(out), "--force"]) == 0
    assert zipfile.is_zipfile(out)


# ---- importing ------------------------------------------------------------------------

def test_import_adds_bids_in_one_audited_transaction(tmp_path, example_file, capsys):
    a = write_bid(tmp_path / "kestrel.xlsx")
    b = write_bid(tmp_path / "owl.xlsx", dict(BID, supplier="Owl & Co <Ltd>", sme=False))
    before = example_file.document()
    path = example_file.path
    assert main(["import-bids", str(path), str(a), str(b)]) == 0, capsys.readouterr().err
    with EvaluationFile.open(path) as ef:
        doc = ef.document()
        audit = ef.audit()
    added = doc["bids"][len(before["bids"]):]
    assert [x["supplier"] for x in added] == ["Kestrel Systems Ltd", "Owl & Co <Ltd>"]
    assert [x["id"] for x in added] == ["B3", "B4"]  # the example has B1, B2
    assert added[0]["costs"] == BID["costs"]
    assert added[0]["sme"] is True
    assert added[1]["sme"] is False
    assert added[0]["option_type"] == "best_of_breed"
    assert added[0]["term_years"] == 3
    assert f"Imported 2 workbooks into {path}: 2 new bids, 0 replaced" in \
        capsys.readouterr().out
    actions = [e.action for e in audit]
    assert actions[:3] == ["import.bids", "bid.add", "bid.add"]
    assert audit[0].after["files"] == ["kestrel.xlsx", "owl.xlsx"]


def test_one_workbook_is_counted_in_words(tmp_path, example_file, capsys):
    wb = write_bid(tmp_path / "kestrel.xlsx")
    assert main(["import-bids", str(example_file.path), str(wb)]) == 0
    assert f"Imported 1 workbook into {example_file.path}: 1 new bid, 0 replaced" in \
        capsys.readouterr().out


def test_declarations_are_kept_as_notes_and_never_pass_a_gateway(tmp_path, example_file):
    extras = {"summary": "Cloud CRM.", "contact_name": "P. Nair",
              "contact_email": "p@kestrel.example", "break_clauses": "On 6 months' notice",
              "declarations": {"G1": ("Yes", "CE+ certificate 12345")}}
    wb = write_bid(tmp_path / "kestrel.xlsx", extras=extras, doc=example_file.document())
    gateways_before = example_file.document()["gateways"]
    assert main(["import-bids", str(example_file.path), str(wb)]) == 0
    with EvaluationFile.open(example_file.path) as ef:
        doc = ef.document()
    new = doc["bids"][-1]
    assert doc["gateways"] == gateways_before
    assert not any(g["bid"] == new["id"] for g in doc["gateways"])
    notes = new["notes"]
    assert notes.startswith("Cloud CRM.")
    assert "Contact: P. Nair, p@kestrel.example" in notes
    assert "Break clauses: On 6 months' notice" in notes
    assert "- G1 Cyber Essentials Plus: Yes; evidence: CE+ certificate 12345" in notes
    assert "self-declared, not assessed" in notes


def test_existing_supplier_is_refused_then_replaced_keeping_id_and_scores(
        tmp_path, example_file, capsys):
    doc = example_file.document()
    existing = doc["bids"][0]
    scores = [s for s in doc["scores"] if s["bid"] == existing["id"]]
    assert scores  # the example has scores on B1, which the replace must keep
    # same name, different case and spacing
    name = "  " + existing["supplier"].upper().replace(" ", "   ") + " "
    wb = write_bid(tmp_path / "again.xlsx", dict(BID, supplier=name))
    path = example_file.path

    assert main(["import-bids", str(path), str(wb)]) == 2
    err = capsys.readouterr().err
    assert "again.xlsx, Supplier!B5: supplier" in err
    assert f"is already bid {existing['id']}" in err
    assert "--replace" in err
    with EvaluationFile.open(path) as ef:
        assert ef.document() == doc

    assert main(["import-bids", str(path), str(wb), "--replace"]) == 0
    assert f"Replaced {existing['id']}" in capsys.readouterr().out
    with EvaluationFile.open(path) as ef:
        after = ef.document()
        audit = ef.audit()
    assert len(after["bids"]) == len(doc["bids"])
    replaced = after["bids"][0]
    assert replaced["id"] == existing["id"]
    assert replaced["costs"] == BID["costs"]
    assert replaced["option_type"] == "best_of_breed"
    assert [s for s in after["scores"] if s["bid"] == existing["id"]] == scores
    assert audit[1].action == "bid.update"
    assert audit[1].before["costs"] == existing["costs"]


def test_the_same_supplier_twice_in_one_import_is_refused(tmp_path, example_file, capsys):
    a = write_bid(tmp_path / "a.xlsx")
    b = write_bid(tmp_path / "b.xlsx", dict(BID, supplier="kestrel  systems LTD"))
    before = example_file.document()
    assert main(["import-bids", str(example_file.path), str(a), str(b)]) == 2
    assert "b.xlsx, Supplier!B5: supplier" in capsys.readouterr().err
    with EvaluationFile.open(example_file.path) as ef:
        assert ef.document() == before


def test_every_problem_in_every_file_is_listed(tmp_path, example_file, capsys):
    wb1 = build_bid_workbook(None, BID)
    wb1["Supplier"]["B6"] = "Mainframe"
    wb1["Pricing"]["B5"] = "Biscuits"
    save_workbook(wb1, tmp_path / "one.xlsx")
    wb2 = build_bid_workbook(None, dict(BID, supplier="Other Ltd"))
    wb2["Pricing"]["D6"] = 1.5
    wb2["Supplier"]["B7"] = "Maybe"
    save_workbook(wb2, tmp_path / "two.xlsx")
    assert main(["import-bids", str(example_file.path), str(tmp_path / "one.xlsx"),
                 str(tmp_path / "two.xlsx")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith('procure-desk: one.xlsx, Supplier!B6: option type "Mainframe" '
                               "is not one of") for line in err)
    assert any('one.xlsx, Pricing!B5: category "Biscuits"' in line for line in err)
    assert "procure-desk: two.xlsx, Pricing!D6: start year 1.5 is not a whole number" in err
    assert 'procure-desk: two.xlsx, Supplier!B7: SME or VCSE "Maybe" must be Yes or No' in err


def test_a_formula_is_one_problem_among_all_the_others(tmp_path, example_file, capsys):
    """A formula without a value is reported with every other problem, not instead of them."""
    wb = build_bid_workbook(None, BID)
    wb["Pricing"]["C6"] = "=25000*1.2"  # a required amount, as a formula with no value
    wb["Supplier"]["B11"] = "=1+2"  # the contract term
    wb["Supplier"]["B5"] = None
    wb["Supplier"]["B6"] = "Mainframe"
    wb["Supplier"]["B7"] = "Maybe"
    wb["Pricing"]["A6"] = None
    wb["Pricing"]["B5"] = "Biscuits"
    wb["Pricing"]["D6"] = 1.5
    wb["Pricing"]["E5"] = None
    save_workbook(wb, tmp_path / "mixed.xlsx")
    before = example_file.document()
    assert main(["import-bids", str(example_file.path), str(tmp_path / "mixed.xlsx")]) == 2
    err = capsys.readouterr().err.splitlines()
    where = sorted(line.split(": ")[1] for line in err)
    assert where == sorted(f"mixed.xlsx, {cell}" for cell in (
        "Pricing!C6", "Supplier!B11", "Supplier!B5", "Supplier!B6", "Supplier!B7",
        "Pricing!A6", "Pricing!B5", "Pricing!D6", "Pricing!E5")), err
    assert "procure-desk: mixed.xlsx, Pricing!C6: holds a formula, not a value" in \
        "\n".join(err)
    assert not any("C6: amount" in line or "B11: contract" in line for line in err)
    with EvaluationFile.open(example_file.path) as ef:
        assert ef.document() == before


@pytest.mark.parametrize("sheet", ["Declarations", "Pricing", "Supplier"])
def test_a_workbook_missing_a_bid_sheet_is_refused(tmp_path, example_file, capsys, sheet):
    wb = build_bid_workbook(None, BID)
    del wb[sheet]
    save_workbook(wb, tmp_path / "cut.xlsx")
    before = example_file.document()
    assert main(["import-bids", str(example_file.path), str(tmp_path / "cut.xlsx")]) == 2
    err = capsys.readouterr().err
    assert f"procure-desk: cut.xlsx: has no {sheet!r} sheet: the sheets must stay" in err
    with EvaluationFile.open(example_file.path) as ef:
        assert ef.document() == before


def test_a_workbook_without_the_bid_sheets_is_named(tmp_path, example_file, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "prices"
    wb.save(tmp_path / "plain.xlsx")
    assert main(["import-bids", str(example_file.path), str(tmp_path / "plain.xlsx")]) == 2
    assert "plain.xlsx: is not a bid response workbook" in capsys.readouterr().err


@pytest.mark.parametrize("name", [
    "=HYPERLINK(\"http://evil.example\",\"click\")", "+44 Systems", "-Minus Ltd", "@Home Ltd",
])
def test_formula_like_supplier_names_stay_text(tmp_path, example_file, name):
    wb = write_bid(tmp_path / "odd.xlsx", dict(BID, supplier=name))
    assert load_workbook(wb)["Supplier"]["B5"].data_type == "s"  # written as text
    assert main(["import-bids", str(example_file.path), str(wb)]) == 0
    with EvaluationFile.open(example_file.path) as ef:
        assert ef.document()["bids"][-1]["supplier"] == name


def test_newlines_in_a_name_are_folded_and_control_characters_refused(
        tmp_path, example_file, capsys):
    wb = write_bid(tmp_path / "nl.xlsx", dict(BID, supplier="Kestrel\nSystems\tLtd"))
    assert main(["import-bids", str(example_file.path), str(wb)]) == 0
    with EvaluationFile.open(example_file.path) as ef:
        assert ef.document()["bids"][-1]["supplier"] == "Kestrel Systems Ltd"
    bad = build_bid_workbook(None, dict(BID, supplier="Other"))
    bad["Supplier"]["B5"] = "Evil\u202eLtd"  # right-to-left override
    save_workbook(bad, tmp_path / "rtl.xlsx")
    assert main(["import-bids", str(example_file.path), str(tmp_path / "rtl.xlsx")]) == 2
    assert "rtl.xlsx, Supplier!B5: supplier name contains control or hidden direction" \
        in capsys.readouterr().err


def test_money_typed_as_text_is_read(tmp_path, example_file):
    wb = build_bid_workbook(None, BID)
    wb["Pricing"]["C5"] = "£40,000.00"
    save_workbook(wb, tmp_path / "text.xlsx")
    assert main(["import-bids", str(example_file.path), str(tmp_path / "text.xlsx")]) == 0
    with EvaluationFile.open(example_file.path) as ef:
        assert ef.document()["bids"][-1]["costs"][0]["amount"] == 40000


# ---- the sample bids ------------------------------------------------------------------

def test_sample_workbooks_give_the_sample_tenders_suppliers_and_costs(tmp_path, capsys):
    """Importing sample_bids/*.xlsx into a buy-small evaluation gives the JSON's bids."""
    tender = json.loads(SAMPLE_TENDER.read_text())
    books = sorted(SAMPLE_BIDS.glob("B*.xlsx"), key=lambda p: int(p.name[1:].split("-")[0]))
    assert len(books) == len(tender["bids"]) >= 8
    path = tmp_path / "fresh.pdesk"
    with EvaluationFile.create(path, templates.load("buy-small"), actor="tester"):
        pass
    assert main(["import-bids", str(path), *map(str, books)]) == 0, capsys.readouterr().err
    with EvaluationFile.open(path) as ef:
        got = ef.document()["bids"]
    fields = ("id", "supplier", "option_type", "sme", "term_years", "costs")
    assert [{k: b[k] for k in fields} for b in got] == \
        [{k: b.get(k) for k in fields} for b in tender["bids"]]


def test_demo_checks_the_sample_workbooks_and_writes_the_scoring_sheets(tmp_path, capsys):
    tender = json.loads(SAMPLE_TENDER.read_text())
    assert main(["demo", str(tmp_path / "demo")]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"Checked {len(tender['bids'])} sample bid workbooks" in out
    sheets = sorted(p.name for p in (tmp_path / "demo" / "scoring-sheets").iterdir())
    assert len(sheets) == len(tender["evaluators"])
    assert all(name.startswith("scoring-E") for name in sheets)
    assert (tmp_path / "demo" / "bid-template.xlsx").exists()
    # an evaluator's sheet comes back to the demo evaluation unchanged
    sheet = tmp_path / "demo" / "scoring-sheets" / sheets[0]
    assert main(["import-scores", str(tmp_path / "demo" / "demo.pdesk"), str(sheet)]) == 0
    assert "Nothing to change." in capsys.readouterr().out
