"""`procure-desk import-feedback FILE SHEET`: the feedback for the bidders written in a
spreadsheet, checked row by row, written in one transaction, hostile files refused."""

import json

import pytest
from openpyxl import Workbook
from summary_docs import feedback, finished
from test_export_xlsx import make_file
from test_workbooks_safety import BILLION_LAUGHS, rezip

from procure_desk.cli import main
from procure_desk.services import EvaluationFile


@pytest.fixture
def target(tmp_path):
    doc = finished()
    doc["feedback"] = [f for f in doc["feedback"] if f["bid"] != "B5"]
    return make_file(tmp_path, doc, "fb.pdesk")


def state(path):
    with EvaluationFile.open(path) as ef:
        return ef.document()["feedback"], len(ef.audit())


def feedback_of(path):
    return {(f["bid"], f["criterion"]): f["text"] for f in state(path)[0]}


def workbook(path, rows, sheet="Feedback"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["Feedback for the bidders, HDC-2026-014"])
    ws.append([])
    ws.append(["Bid", "Supplier", "Criterion", "Feedback"])
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed as text, not a formula
    wb.save(path)
    return path


def test_a_workbook_adds_and_changes_feedback_in_one_go(tmp_path, target, capsys):
    sheet = workbook(tmp_path / "fb.xlsx", [
        ["B5", "Brightmoor Case Cloud Ltd", "F1", "Exit is at a fixed price."],
        ["B5", "Brightmoor Case Cloud Ltd", "F2", "=cmd|' /C calc'!A0 <b>&</b> \u5b89\u5168"],
        [],
        ["B1", "Carrowfield", "F1", "Revised: the exit plan is detailed."],
        ["B3", "Kestrelway", "P", feedback(finished(), "B3", "P")],
    ])
    _, events = state(target)
    assert main(["import-feedback", str(target), str(sheet)]) == 0
    assert "2 texts added, 1 changed, 1 unchanged" in capsys.readouterr().out
    got = feedback_of(target)
    assert got[("B5", "F1")] == "Exit is at a fixed price."
    assert got[("B5", "F2")] == "=cmd|' /C calc'!A0 <b>&</b> \u5b89\u5168"  # as typed
    assert got[("B1", "F1")] == "Revised: the exit plan is detailed."
    with EvaluationFile.open(target) as ef:
        audit = [e for e in ef.audit() if e.action == "feedback.set"]
        assert len(ef.audit()) == events + 3
        assert ef.verify().intact
    assert sorted(e.entity_id for e in audit) == ["B1/F1", "B5/F1", "B5/F2"]


def test_every_refused_row_is_named_and_nothing_changes(tmp_path, target, capsys):
    before = state(target)
    csv = tmp_path / "fb.csv"
    csv.write_text("bid,criterion,feedback\n"
                   "B5,F1,Good\n"
                   "B9,F1,Unknown bid\n"
                   "B5,G1,A gateway\n"
                   "B5,Q7,Unknown criterion\n"
                   "B5,F2,\n"
                   "B5,F1,Again\n"
                   ",F3,No bid\n"
                   "B5,F4,\"Hidden \u202e text\"\n", encoding="utf-8")
    assert main(["import-feedback", str(target), str(csv)]) == 2
    err = capsys.readouterr().err
    assert "fb.csv: refused: 7 rows cannot be imported, so nothing was changed" in err
    for line in ('fb.csv, row 3: "B9" is not a bid of this evaluation',
                 'fb.csv, row 4: "G1" is not a scored or price criterion',
                 'fb.csv, row 5: "Q7" is not a criterion of this evaluation',
                 "fb.csv, row 6: no feedback text for B5 on F2",
                 "fb.csv, row 7: a second feedback for B5 on F1 (the first is at fb.csv, "
                 "row 2)",
                 "fb.csv, row 8: no bid",
                 "fb.csv, row 9: "):
        assert line in err, line
    assert state(target) == before


def test_a_csv_from_excel_with_a_byte_order_mark(tmp_path, target, capsys):
    csv = tmp_path / "fb.csv"
    csv.write_bytes("\ufeffBid;Criterion;Text\n".replace(";", ",").encode("utf-8")
                    + b"B5,S1,\"Line one\nline two, with a comma\"\n")
    assert main(["import-feedback", str(target), str(csv)]) == 0
    assert feedback_of(target)[("B5", "S1")] == "Line one\nline two, with a comma"


def test_files_that_cannot_be_read_are_refused(tmp_path, target, capsys):
    before = state(target)
    wb = Workbook()
    wb.active.append(["bid", "criterion", "feedback"])
    wb.active.append(["B5", "F1", '=CONCAT("a", "b")'])  # a formula Excel never saved
    wb.save(tmp_path / "formula.xlsx")
    assert main(["import-feedback", str(target), str(tmp_path / "formula.xlsx")]) == 2
    assert "formula.xlsx, Sheet!C2: holds a formula, not a value" in capsys.readouterr().err
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"bid,criterion,feedback\nB5,F1,caf\xe9\n")
    assert main(["import-feedback", str(target), str(latin)]) == 2
    assert "latin.csv, line 2: is not UTF-8 text" in capsys.readouterr().err
    nohead = tmp_path / "nohead.csv"
    nohead.write_text("B5,F1,text\n")
    assert main(["import-feedback", str(target), str(nohead)]) == 2
    assert "has no header row naming the columns bid, criterion and feedback" in \
        capsys.readouterr().err
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert main(["import-feedback", str(target), str(other)]) == 2
    assert "is neither a workbook (.xlsx) nor a CSV file" in capsys.readouterr().err
    assert state(target) == before


def test_hostile_workbooks_are_refused_by_the_safe_reader(tmp_path, target, capsys):
    before = state(target)
    good = workbook(tmp_path / "good.xlsx", [["B5", "", "F1", "Fine"]])
    laughs = rezip(good, tmp_path / "laughs.xlsx",
                   replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS})
    assert main(["import-feedback", str(target), str(laughs)]) == 2
    assert "defines XML entities (an entity bomb)" in capsys.readouterr().err
    macro = rezip(good, tmp_path / "macro.xlsx", add={"xl/vbaProject.bin": b"\0" * 64})
    assert main(["import-feedback", str(target), str(macro)]) == 2
    assert "macro" in capsys.readouterr().err
    bomb = rezip(good, tmp_path / "bomb.xlsx",
                 add={"xl/media/filler.xml": b"<x>" + b" " * 9_000_000 + b"</x>"})
    assert main(["import-feedback", str(target), str(bomb)]) == 2
    assert "zip bomb" in capsys.readouterr().err
    assert state(target) == before


def test_feedback_round_trips_through_the_interchange_file(tmp_path, target):
    out = tmp_path / "out.json"
    assert main(["export-json", str(target), str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {(f["bid"], f["criterion"]) for f in doc["feedback"]} == set(feedback_of(target))
