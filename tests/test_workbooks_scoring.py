"""Evaluators' offline scoring sheets: export, fill in as an evaluator would, read back.

The example evaluation (tests/data/example.json) has bids B1 and B2, scored
criteria Q1 and Q2, and evaluators E1 (A. Patel) and E2 (B. Jones, conflicted
with B2). E2 has one score: B1/Q1 = 5.
"""

import shutil

import pytest
from openpyxl import load_workbook

from procure_desk.cli import main
from procure_desk.services import EvaluationFile
from procure_desk.workbooks.scoring_sheets import safe_file_name

E1_SHEET = "scoring-E1-A-Patel.xlsx"
E2_SHEET = "scoring-E2-B-Jones.xlsx"


@pytest.fixture
def exported(tmp_path, example_file, capsys):
    """The example evaluation's scoring sheets in tmp_path/sheets; returns (file, folder)."""
    folder = tmp_path / "sheets"
    path = example_file.path
    example_file.close()
    assert main(["scoring-sheets", str(path), str(folder)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"Wrote {folder / E1_SHEET} for A. Patel" in out
    return path, folder


def rows_of(sheet_path):
    """The Scores sheet as {(bid, criterion): row number}."""
    ws = load_workbook(sheet_path)["Scores"]
    return {(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): r
            for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def fill(sheet_path, values: dict, out=None):
    """Type scores and comments as an evaluator would: {(bid, crit): (score, comment)}."""
    where = rows_of(sheet_path)
    wb = load_workbook(sheet_path)
    ws = wb["Scores"]
    for key, (score, comment) in values.items():
        ws.cell(row=where[key], column=5, value=score)
        ws.cell(row=where[key], column=6, value=comment)
    wb.save(out or sheet_path)
    return out or sheet_path


def document(path):
    with EvaluationFile.open(path) as ef:
        return ef.document()


def all_text(sheet_path) -> list[str]:
    wb = load_workbook(sheet_path)
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def test_one_sheet_per_evaluator_with_their_rows_and_no_conflicted_bid(exported):
    _, folder = exported
    assert sorted(p.name for p in folder.iterdir()) == [E1_SHEET, E2_SHEET]
    assert sorted(rows_of(folder / E1_SHEET)) == [("B1", "Q1"), ("B1", "Q2"),
                                                  ("B2", "Q1"), ("B2", "Q2")]
    # B. Jones declared a conflict with B2: it is not in her sheet at all
    assert sorted(rows_of(folder / E2_SHEET)) == [("B1", "Q1"), ("B1", "Q2")]
    assert not any("B2" in t or "Second Supplier" in t for t in all_text(folder / E2_SHEET)
                   if t not in ("E2",))


def test_sheet_has_scale_dropdown_guidance_prefilled_scores_and_hidden_ids(exported):
    _, folder = exported
    wb = load_workbook(folder / E1_SHEET)
    ws = wb["Scores"]
    dv = ws.data_validations.dataValidation[0]
    assert dv.type == "list"
    assert dv.formula1 == '"0,1,2,3,4,5"'
    assert str(dv.sqref) == "E5:E8"
    where = rows_of(folder / E1_SHEET)
    assert ws.cell(row=where[("B1", "Q1")], column=5).value == 3  # already recorded
    assert ws.cell(row=where[("B1", "Q1")], column=6).value == "..."
    assert ws.protection.sheet
    assert not ws.cell(row=5, column=5).protection.locked
    assert ws.cell(row=5, column=1).protection.locked
    assert wb["Identifiers"].sheet_state == "veryHidden"
    guidance = wb["Guidance"]
    assert guidance["A5"].value == "Q1"
    assert "3: Satisfactory" in guidance["E5"].value


def test_no_price_anywhere_in_a_scoring_sheet(exported):
    path, folder = exported
    doc = document(path)
    forbidden = {str(line["amount"]) for b in doc["bids"] for line in b["costs"]}
    forbidden |= {line["item"] for b in doc["bids"] for line in b["costs"]}
    for sheet in folder.iterdir():
        text = all_text(sheet)
        assert not [t for t in text if t in forbidden or "£" in t], sheet.name
        assert not any(amount in t for t in text for amount in forbidden if len(amount) > 3)


def test_round_trip_dry_run_then_apply(exported, capsys):
    path, folder = exported
    before = document(path)
    sheet = fill(folder / E2_SHEET, {("B1", "Q1"): (4, "Moderate: exit plan vague"),
                                     ("B1", "Q2"): (2, "Weak exit terms")})
    assert main(["import-scores", str(path), str(sheet)]) == 0
    out = capsys.readouterr().out
    assert f"E2 B. Jones ({E2_SHEET}): 1 new, 1 changed" in out
    assert "changed  B1 Q1: 5 -> 4" in out
    assert "new      B1 Q2: 2" in out
    assert out.splitlines()[-1] == ("Nothing was changed: this was a preview. Run again with "
                                    "--yes to apply these 2 changes.")
    assert document(path) == before

    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    assert "Applied 2 score changes" in capsys.readouterr().out
    with EvaluationFile.open(path) as ef:
        scores = {(s["evaluator"], s["bid"], s["criterion"]): (s["score"], s["comment"])
                  for s in ef.document()["scores"]}
        audit = ef.audit(entity="score")
    assert scores[("E2", "B1", "Q1")] == (4, "Moderate: exit plan vague")
    assert scores[("E2", "B1", "Q2")] == (2, "Weak exit terms")
    assert scores[("E1", "B1", "Q1")] == (3, "...")  # other evaluators untouched
    assert {e.entity_id for e in audit[:2]} == {"E2/B1/Q1", "E2/B1/Q2"}

    # importing the same sheet again changes nothing
    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    assert "Nothing to change." in capsys.readouterr().out


def test_one_change_is_counted_in_words_and_the_preview_says_nothing_changed(exported, capsys):
    path, folder = exported
    sheet = fill(folder / E2_SHEET, {("B1", "Q2"): (2, "Weak exit terms")})
    assert main(["import-scores", str(path), str(sheet)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == ("Nothing was changed: this was a preview. Run again with --yes to apply "
                       "this 1 change.")
    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"Applied 1 score change to {path}"


def test_blank_scores_change_nothing(exported, capsys):
    path, folder = exported
    before = document(path)
    sheet = fill(folder / E1_SHEET, {("B1", "Q1"): (None, None)})
    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    assert "Nothing to change." in capsys.readouterr().out
    assert document(path) == before


def refused(path, sheets, capsys) -> str:
    before = document(path)
    assert main(["import-scores", str(path), *map(str, sheets), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert document(path) == before
    return err


@pytest.mark.parametrize(("score", "message"), [
    (7, "score 7 is outside the scale 0..5"),
    (2.5, "score 2.5 is not a multiple of the scale step 1"),
    ("good", 'score "good" is not a number'),
])
def test_scores_off_the_scale_are_refused(exported, capsys, score, message):
    path, folder = exported
    sheet = fill(folder / E1_SHEET, {("B2", "Q2"): (score, "x")})
    row = rows_of(sheet)[("B2", "Q2")]
    assert f"{E1_SHEET}, Scores!E{row}: {message}" in refused(path, [sheet], capsys)


def test_tampered_identifiers_are_refused(exported, capsys):
    path, folder = exported
    wb = load_workbook(folder / E1_SHEET)
    ids = wb["Identifiers"]
    assert ids["A12"].value.startswith('[["B1","Q1",')  # the row map
    ids["A12"] = ids["A12"].value.replace('[["B1","Q1",', '[["B2","Q1",', 1)
    wb.save(folder / "tampered.xlsx")
    err = refused(path, [folder / "tampered.xlsx"], capsys)
    assert "tampered.xlsx, Identifiers: its hidden identifiers were changed" in err


def test_sorted_rows_are_refused(exported, capsys):
    path, folder = exported
    wb = load_workbook(folder / E1_SHEET)
    ws = wb["Scores"]
    for col in range(1, 7):  # swap rows 5 and 8, as a sort would
        a, b = ws.cell(row=5, column=col), ws.cell(row=8, column=col)
        a.value, b.value = b.value, a.value
    wb.save(folder / "sorted.xlsx")
    err = refused(path, [folder / "sorted.xlsx"], capsys)
    assert err == ("procure-desk: sorted.xlsx, Scores: rows were added, removed or sorted (row 5 "
                   "was exported as B1 Q1 and now holds B2 Q2): export a fresh sheet\n")


def test_a_deleted_row_is_one_message_not_one_per_row(tmp_path, example_doc, capsys):
    """Deleting a row shifts every row below it: one message says what happened."""
    example_doc["bids"] += [dict(example_doc["bids"][0], id=f"B{i}", supplier=f"Supplier {i}")
                            for i in range(3, 15)]
    path = tmp_path / "many.pdesk"
    with EvaluationFile.create(path, example_doc, actor="tester"):
        pass
    assert main(["scoring-sheets", str(path), str(tmp_path / "s")]) == 0
    sheet = tmp_path / "s" / E1_SHEET
    wb = load_workbook(sheet)
    assert wb["Scores"].max_row == 4 + 14 * 2  # 14 bids x 2 criteria
    wb["Scores"].delete_rows(6)
    wb.save(sheet)
    capsys.readouterr()
    err = refused(path, [sheet], capsys)
    assert err.splitlines() == [
        f"procure-desk: {E1_SHEET}, Scores: rows were added, removed or sorted (row 6 was "
        "exported as B1 Q2 and now holds B2 Q1): export a fresh sheet"]


def test_a_row_added_below_the_sheet_is_one_message(exported, capsys):
    path, folder = exported
    wb = load_workbook(folder / E1_SHEET)
    wb["Scores"].append(["B9", "New Ltd", "Q1", "Quality", 4, "extra"])
    wb.save(folder / "added.xlsx")
    err = refused(path, [folder / "added.xlsx"], capsys)
    assert err.splitlines() == [
        "procure-desk: added.xlsx, Scores: rows were added, removed or sorted (row 9, below "
        "the last exported row, holds a score or comment): export a fresh sheet"]

def test_a_formula_is_one_problem_among_the_invalid_scores(exported, capsys):
    """A formula without a value in a comment cell does not hide the scores off the scale."""
    path, folder = exported
    sheet = fill(folder / E1_SHEET, {("B1", "Q2"): (7, "x"), ("B2", "Q1"): ("good", "x"),
                                     ("B2", "Q2"): (2.5, "x")})
    wb = load_workbook(sheet)
    where = rows_of(sheet)
    wb["Scores"].cell(row=where[("B1", "Q1")], column=6,
                      value='=HYPERLINK("http://evil.example","see notes")')
    wb.save(sheet)
    err = refused(path, [sheet], capsys).splitlines()
    assert err == [
        f"procure-desk: {E1_SHEET}, Scores!F{where[('B1', 'Q1')]}: holds a formula, not a value "
        "(formulas are never calculated here; type the value itself)",
        f"procure-desk: {E1_SHEET}, Scores!E{where[('B1', 'Q2')]}: score 7 is outside the "
        "scale 0..5",
        f'procure-desk: {E1_SHEET}, Scores!E{where[("B2", "Q1")]}: score "good" is not a number',
        f"procure-desk: {E1_SHEET}, Scores!E{where[('B2', 'Q2')]}: score 2.5 is not a multiple "
        "of the scale step 1",
    ]


def scores_of(path) -> dict:
    return {(s["evaluator"], s["bid"], s["criterion"]): (s["score"], s["comment"])
            for s in document(path)["scores"]}


def test_an_untouched_row_of_an_old_sheet_keeps_the_newer_score(exported, capsys):
    """Exported at 5, changed to 1 in the app; the old sheet still says 5: 1 stays."""
    path, folder = exported
    with EvaluationFile.open(path) as ef:
        ef.set_score("tester", "E2", "B1", "Q1", 1, "Revised at moderation")
    before = document(path)
    assert main(["import-scores", str(path), str(folder / E2_SHEET), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Nothing to change." in out
    assert "5" not in out
    assert document(path) == before
    assert scores_of(path)[("E2", "B1", "Q1")] == (1, "Revised at moderation")


def test_a_row_changed_in_both_places_is_a_conflict_kept_unless_overwritten(exported, capsys):
    path, folder = exported
    with EvaluationFile.open(path) as ef:
        ef.set_score("tester", "E2", "B1", "Q1", 1, "Revised at moderation")
    sheet = fill(folder / E2_SHEET, {("B1", "Q1"): (3, "Adequate"), ("B1", "Q2"): (2, "Weak")})
    conflict = ("B1 Q1: changed in the evaluation since this sheet was exported "
                "(was 5, now 1; the sheet says 3)")

    assert main(["import-scores", str(path), str(sheet)]) == 0
    out = capsys.readouterr().out
    assert f"  {conflict}" in out
    assert "new      B1 Q2: 2" in out
    assert "changed  B1 Q1" not in out
    assert "Run again with --yes to apply this 1 change." in out.splitlines()[-1]

    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    out = capsys.readouterr().out
    assert conflict in out
    assert "--overwrite-newer" in out
    assert "Applied 1 score change to" in out
    got = scores_of(path)
    assert got[("E2", "B1", "Q1")] == (1, "Revised at moderation")  # the newer score kept
    assert got[("E2", "B1", "Q2")] == (2, "Weak")

    assert main(["import-scores", str(path), str(sheet), "--yes", "--overwrite-newer"]) == 0
    out = capsys.readouterr().out
    assert "changed  B1 Q1: 1 -> 3" in out
    assert "Applied 1 score change to" in out
    assert scores_of(path)[("E2", "B1", "Q1")] == (3, "Adequate")


def test_a_comment_changed_in_both_places_is_a_conflict(exported, capsys):
    path, folder = exported
    with EvaluationFile.open(path) as ef:
        ef.set_score("tester", "E2", "B1", "Q1", 5, "Moderated: strong")
    sheet = fill(folder / E2_SHEET, {("B1", "Q1"): (5, "Excellent, see 4.2")})
    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    out = capsys.readouterr().out
    assert ("B1 Q1: changed in the evaluation since this sheet was exported (score 5; its "
            "comment was changed there and in the sheet)") in out
    assert out.splitlines()[-1] == "Nothing was changed."
    assert scores_of(path)[("E2", "B1", "Q1")] == (5, "Moderated: strong")


def test_a_sheet_of_the_earlier_format_is_refused(exported, capsys):
    path, folder = exported
    wb = load_workbook(folder / E1_SHEET)
    assert wb["Identifiers"]["A2"].value == "version"
    wb["Identifiers"]["B2"] = 1
    wb.save(folder / "old.xlsx")
    err = refused(path, [folder / "old.xlsx"], capsys)
    assert 'old.xlsx: was exported by another version of ProcureDesk (sheet format "1")' in err


def test_a_sheet_for_an_evaluator_no_longer_in_the_evaluation_is_refused(exported, capsys):
    path, folder = exported
    with EvaluationFile.open(path) as ef:
        ef.delete_evaluator("tester", "E2")
    err = refused(path, [folder / E2_SHEET], capsys)
    assert f'{E2_SHEET}: is the sheet of evaluator "E2", who is not in this evaluation' in err


def test_a_sheet_from_another_evaluation_is_refused(tmp_path, exported, example_doc, capsys):
    _, folder = exported
    other = tmp_path / "other.pdesk"
    example_doc["evaluation"]["title"] = "Another tender"
    with EvaluationFile.create(other, example_doc, actor="tester"):
        pass
    err = refused(other, [folder / E1_SHEET], capsys)
    assert f"{E1_SHEET}: is a scoring sheet for another evaluation" in err


def test_two_sheets_of_one_evaluator_are_refused(exported, capsys):
    path, folder = exported
    copy = shutil.copy(folder / E1_SHEET, folder / "copy.xlsx")
    err = refused(path, [folder / E1_SHEET, copy], capsys)
    assert "copy.xlsx: is another sheet of evaluator E1" in err


def test_a_conflict_declared_after_export_refuses_that_score(exported, capsys):
    path, folder = exported
    sheet = fill(folder / E1_SHEET, {("B2", "Q1"): (5, "changed my mind")})
    with EvaluationFile.open(path) as ef:
        ef.set_scores("tester", [{"evaluator": "E1", "bid": "B2", "criterion": c,
                                  "score": None} for c in ("Q1", "Q2")])
        ef.set_conflict("tester", "E1", "B2", True)
    err = refused(path, [sheet], capsys)
    assert "A. Patel has declared a conflict of interest with B2" in err


def test_bad_workbooks_are_refused_with_the_safety_checks(exported, capsys):
    path, folder = exported
    bad = folder / "notes.xlsx"
    bad.write_text("scores: all fives")
    assert "notes.xlsx: is not an Excel workbook" in refused(path, [bad], capsys)


@pytest.mark.parametrize("name", ['CON: <A/B> "boss"|?*', "Ænne Ørsted\n", "..", "   "])
def test_file_names_are_safe_on_windows_whatever_the_name(name):
    file_name = safe_file_name("E1", name)
    assert file_name.endswith(".xlsx")
    assert all(ch.isalnum() or ch in "-." for ch in file_name)
    assert file_name.startswith("scoring-E1-")


def test_evaluator_names_become_safe_files_that_import_back(tmp_path, example_file, capsys):
    example_file.update_evaluator("tester", "E1", {"name": '=cmd|"/c calc"!A1 \\ <x>'})
    path = example_file.path
    example_file.close()
    assert main(["scoring-sheets", str(path), str(tmp_path / "s")]) == 0
    (sheet,) = [p for p in (tmp_path / "s").iterdir() if p.name.startswith("scoring-E1-")]
    assert sheet.name == "scoring-E1-cmd-c-calc-A1-x.xlsx"
    capsys.readouterr()
    assert main(["import-scores", str(path), str(sheet)]) == 0
    assert "Nothing to change." in capsys.readouterr().out


def test_the_export_is_recorded_in_the_audit_log(exported):
    path, _ = exported
    with EvaluationFile.open(path) as ef:
        (event,) = ef.audit(text="export.scoring_sheets")
    assert event.actor == "tester"
    assert event.after["files"] == {"E1": E1_SHEET, "E2": E2_SHEET}


def test_evaluators_whose_ids_differ_only_by_case_get_distinct_files(tmp_path, example_doc):
    from procure_desk.workbooks.scoring_sheets import write_scoring_sheets

    example_doc["evaluators"].append({"id": "e1", "name": "A. Patel", "conflicts": []})
    with EvaluationFile.create(tmp_path / "x.pdesk", example_doc, actor="tester") as ef:
        written = write_scoring_sheets(ef, tmp_path / "s", actor="tester")
    names = [p.name.casefold() for p, _ in written]
    assert len(set(names)) == 3
    assert len(list((tmp_path / "s").iterdir())) == 3
