"""An evaluator scoring offline signs off in their scoring sheet (docs/governance.md)."""

from __future__ import annotations

from openpyxl import load_workbook
from test_workbooks_scoring import E1_SHEET, E2_SHEET, exported, fill  # noqa: F401

from procure_desk.cli import main
from procure_desk.services import EvaluationFile
from procure_desk.workbooks.scoring_sheets import SCORE_COL, SIGN_OFF_ROW


def sign(sheet, value="YES"):
    wb = load_workbook(sheet)
    wb["Scores"].cell(row=SIGN_OFF_ROW, column=SCORE_COL, value=value)
    wb.save(sheet)


def submitted(path) -> dict:
    with EvaluationFile.open(path) as ef:
        return {e["id"]: e.get("submitted") for e in ef.document()["evaluators"]}


def test_yes_in_the_sheet_submits_with_the_scores_in_one_step(exported, capsys):  # noqa: F811
    path, folder = exported
    sheet = fill(folder / E2_SHEET, {("B1", "Q2"): (4, "clear plan")})
    sign(sheet, " yes ")
    assert main(["import-scores", str(path), str(sheet)]) == 0
    out = capsys.readouterr().out
    assert "E2 signed off in the sheet" in out
    assert "this was a preview" in out
    assert submitted(path)["E2"] is None
    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 0
    assert "and submitted E2" in capsys.readouterr().out
    assert submitted(path)["E2"] is not None
    with EvaluationFile.open(path) as ef:
        assert [e.action for e in ef.audit(limit=2)] == ["scores.submit", "score.set"]
        assert ef.verify().intact


def test_a_sheet_signed_off_with_scores_missing_changes_nothing(exported, capsys):  # noqa: F811
    path, folder = exported
    with EvaluationFile.open(path) as ef:
        ef.set_score("t", "E1", "B1", "Q2", None)
    sheet = folder / E1_SHEET
    sign(sheet)
    before = path.read_bytes()
    assert main(["import-scores", str(path), str(sheet), "--yes"]) == 2
    assert "evaluator E1: cannot submit yet: 1 of 4 scores missing (first: B1/Q2)" in (
        capsys.readouterr().err)
    assert path.read_bytes() == before


def test_a_submitted_evaluators_sheet_says_so(exported, tmp_path, capsys):  # noqa: F811
    path, _ = exported
    with EvaluationFile.open(path) as ef:
        ef.submit("t", "E1")
    again = tmp_path / "again"
    assert main(["scoring-sheets", str(path), str(again)]) == 0
    ws = load_workbook(again / E1_SHEET)["Scores"]
    assert ws.cell(row=SIGN_OFF_ROW, column=SCORE_COL).value == "YES"
