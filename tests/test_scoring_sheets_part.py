"""Scoring sheets for part of an evaluation: some evaluators, a section, a batch of bids.

The panel evaluation below has a quality section Q with two panel sections, QA
(QA1, QA2, and QA3 one level deeper under QA.X) and QB (QB1, QB2), a price
criterion and a gateway; twelve bids B01..B12 with hostile supplier names; and
three evaluators, E2 with a declared conflict with B03.
"""

import json

import pytest
from openpyxl import load_workbook

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile
from procure_desk.workbooks.sheet_part import (
    MAX_SHEET_ROWS,
    PartChoice,
    fit_advice,
    resolve,
    split_ids,
    too_long,
)

HOSTILE = ["=cmd|' /C calc'!A1", "<b>&amp; Sons</b>", "東京システム株式会社", "O'Brien \\ Sons"]


def panel_doc(n_bids=12):
    crit = [
        {"id": "Q", "name": "Quality", "kind": "section", "weight": 60, "parent": None},
        {"id": "QA", "name": "Service", "kind": "section", "weight": 50, "parent": "Q"},
        {"id": "QA1", "name": "Fit", "kind": "scored", "weight": 1, "parent": "QA"},
        {"id": "QA2", "name": "Support", "kind": "scored", "weight": 1, "parent": "QA"},
        {"id": "QA.X", "name": "Exit", "kind": "section", "weight": 1, "parent": "QA"},
        {"id": "QA3", "name": "Exit plan", "kind": "scored", "weight": 1, "parent": "QA.X"},
        {"id": "QB", "name": "Social value", "kind": "section", "weight": 50, "parent": "Q"},
        {"id": "QB1", "name": "Local jobs", "kind": "scored", "weight": 1, "parent": "QB"},
        {"id": "QB2", "name": "Carbon", "kind": "scored", "weight": 1, "parent": "QB"},
        {"id": "P", "name": "Price", "kind": "price", "weight": 40, "parent": None},
        {"id": "G1", "name": "Insurance", "kind": "pass_fail", "parent": None},
    ]
    bids = [{"id": f"B{i:02d}", "supplier": (HOSTILE[i % 4] + f" {i}"),
             "option_type": "best_of_breed",
             "costs": [{"item": "Licence", "category": "licence", "amount": 1000 + i,
                        "start_year": 0, "years": 1}]} for i in range(1, n_bids + 1)]
    return {
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Panel test", "reference": "T-1", "authority": "Test DC",
                       "currency": "GBP"},
        "criteria": crit, "bids": bids,
        "evaluators": [{"id": "E1", "name": "A. Patel", "conflicts": []},
                       {"id": "E2", "name": "B. Jones", "conflicts": ["B03"]},
                       {"id": "E3", "name": "C. Wu", "conflicts": []}],
        "scores": [{"evaluator": "E1", "bid": "B01", "criterion": "QA1", "score": 3,
                    "comment": "Sound"},
                   {"evaluator": "E1", "bid": "B01", "criterion": "QB1", "score": 2},
                   {"evaluator": "E2", "bid": "B02", "criterion": "QA2", "score": 4}],
    }


@pytest.fixture
def panel(tmp_path):
    path = tmp_path / "panel.pdesk"
    EvaluationFile.create(path, panel_doc(), actor="tester").close()
    return path


def rows_of(sheet):
    ws = load_workbook(sheet)["Scores"]
    return [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value)
            for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=1).value]


def document(path):
    with EvaluationFile.open(path) as ef:
        return ef.document()


# ---- choosing the part --------------------------------------------------------------------

def test_ids_are_read_from_commas_spaces_and_repeated_options():
    assert split_ids(["E1,E2", "E3"]) == ("E1", "E2", "E3")
    assert split_ids("B01, B02 B03") == ("B01", "B02", "B03")
    assert split_ids(None) == ()
    assert split_ids("") == ()


def test_a_section_means_every_scored_criterion_under_it_at_any_depth():
    doc = panel_doc()
    part = resolve(doc, PartChoice(criteria=("QA",)))
    assert [c["id"] for c in part.criteria] == ["QA1", "QA2", "QA3"]
    part = resolve(doc, PartChoice(criteria=("QB2", "QA.X")))
    assert [c["id"] for c in part.criteria] == ["QA3", "QB2"]  # the evaluation's order
    part = resolve(doc, PartChoice(criteria=("Q",)))
    assert [c["id"] for c in part.criteria] == ["QA1", "QA2", "QA3", "QB1", "QB2"]


def test_a_bid_range_runs_in_the_evaluations_order():
    doc = panel_doc()
    part = resolve(doc, PartChoice(bids=("B02-B05", "B09")))
    assert [b["id"] for b in part.bids] == ["B02", "B03", "B04", "B05", "B09"]
    assert part.bid_runs() == ["B02 to B05", "B09"]
    with pytest.raises(BadInput, match="runs backwards: B05 comes after B02"):
        resolve(doc, PartChoice(bids=("B05-B02",)))


def test_an_id_that_contains_a_hyphen_is_an_id_before_it_is_a_range():
    doc = panel_doc()
    doc["bids"].append(dict(doc["bids"][0], id="B01-B03"))
    part = resolve(doc, PartChoice(bids=("B01-B03",)))
    assert [b["id"] for b in part.bids] == ["B01-B03"]
    doc["bids"] += [dict(doc["bids"][0], id="X-1"), dict(doc["bids"][0], id="1-Y"),
                    dict(doc["bids"][0], id="X"), dict(doc["bids"][0], id="Y")]
    # X-1-Y splits as X to 1-Y and as X-1 to Y: refused, not guessed
    with pytest.raises(BadInput, match="more than one range"):
        resolve(doc, PartChoice(bids=("X-1-Y",)))


def test_unknown_ids_are_refused_naming_every_one():
    doc = panel_doc()
    with pytest.raises(BadInput) as err:
        resolve(doc, PartChoice(evaluators=("E9",), criteria=("QZ", "P", "G1"),
                                bids=("B99", "B\u202e1")))
    text = str(err.value)
    assert 'evaluators: "E9" is not an evaluator of this evaluation' in text
    assert 'criteria: "QZ" is not a criterion of this evaluation' in text
    assert '"P" is a price criterion' in text
    assert '"G1" is a pass/fail gateway' in text
    assert 'bids: "B99", "B\\u202e1" are not bids of this evaluation' in text
    assert "\u202e" not in text  # the override is named, never acted on


def test_a_part_that_leaves_nothing_to_score_is_refused(panel, tmp_path, capsys):
    folder = tmp_path / "sheets"
    assert main(["scoring-sheets", str(panel), str(folder), "--evaluator", "E2",
                 "--bids", "B03"]) == 2
    assert capsys.readouterr().err == (
        "procure-desk: scoring sheets: no sheet would hold a row: the evaluator has declared "
        "a conflict of interest with every chosen bid\n")
    assert not folder.exists()


def test_a_conflicted_bid_stays_out_whatever_is_chosen():
    doc = panel_doc()
    part = resolve(doc, PartChoice(criteria=("QB",), bids=("B02-B04",)))
    e2 = next(e for e in part.evaluators if e["id"] == "E2")
    assert part.rows_for(e2) == [(b, c) for b in part.bids if b["id"] != "B03"
                                 for c in part.criteria]
    assert part.row_count(e2) == 4


# ---- too long, and how to make it fit ----------------------------------------------------

def big_doc(n_bids, sizes):
    """Bids and sections S1.. under one quality section, sizes[i] scored criteria each."""
    crit = [{"id": "Q", "name": "Quality", "kind": "section", "weight": 1, "parent": None}]
    for s, n in enumerate(sizes, start=1):
        crit.append({"id": f"S{s}", "name": f"Section {s}", "kind": "section", "weight": 1,
                     "parent": "Q"})
        crit += [{"id": f"S{s}.{k}", "name": "Question", "kind": "scored", "weight": 1,
                  "parent": f"S{s}"} for k in range(n)]
    bids = [{"id": f"B{i:04d}", "supplier": f"Supplier {i}", "option_type": "build",
             "costs": []} for i in range(1, n_bids + 1)]
    evaluators = [{"id": f"E{e}", "name": f"Evaluator {e}", "conflicts": []}
                  for e in range(1, 41)]
    evaluators[5]["conflicts"] = ["B0001"]
    return {"criteria": crit, "bids": bids, "evaluators": evaluators}


def test_a_part_too_long_says_how_to_fit_in_two_lines_not_one_per_evaluator():
    doc = big_doc(300, [40, 30, 20, 10])  # 300 x 100 = 30,000 rows per sheet
    part = resolve(doc, PartChoice())
    problems = too_long(doc, part)
    assert len(problems) == 2  # 40 evaluators, two lines
    assert str(problems[0]) == (
        "scoring sheets: 40 of the 40 scoring sheets would be too long, E1's the longest "
        f"with 30,000 rows (300 bids x 100 scored criteria), and a sheet can be read back "
        f"with at most {MAX_SHEET_ROWS:,}")
    # the largest section fits with every bid: no --bids needed for it
    assert str(problems[1]) == (
        "to make it fit: give --criteria with one section (the largest, S1, has 40 scored "
        f"criteria), or keep these criteria and give --bids of at most "
        f"{MAX_SHEET_ROWS // 100} bids; or score this part in the application")


def test_the_advice_takes_the_bids_a_section_allows_from_the_evaluation():
    doc = big_doc(1000, [192, 150, 100])
    part = resolve(doc, PartChoice(evaluators=("E2",)))
    advice = fit_advice(doc, part)
    assert (advice.section["id"], advice.section_count) == ("S1", 192)
    assert advice.bids_with_section == MAX_SHEET_ROWS // 192 == 130
    (first, second) = too_long(doc, part)
    assert first.message.startswith("E2's scoring sheet would hold 442,000 rows")
    assert "(the largest, S1, has 192 scored criteria) and --bids of at most 130 bids" \
        in second.message
    # with one section chosen, the advice looks inside it or at the bids
    part = resolve(doc, PartChoice(criteria=("S1",)))
    (_, second) = too_long(doc, part)
    assert second.message == ("give --bids of at most 130 bids; or score this part in the "
                              "application")
    part = resolve(doc, PartChoice(criteria=("S1",), bids=("B0001-B0130",)))
    assert too_long(doc, part) == []


def test_the_cli_refuses_a_sheet_too_long_writing_nothing(tmp_path, capsys):
    doc = big_doc(300, [40, 30, 20, 10])
    doc.update({"format": "procure-desk/evaluation", "version": 1,
                "evaluation": {"title": "Big", "reference": "", "authority": "Test DC"}})
    path = tmp_path / "big.pdesk"
    EvaluationFile.create(path, doc, actor="tester").close()
    out = tmp_path / "sheets"
    assert main(["scoring-sheets", str(path), str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "give --criteria with one section (the largest, S1" in err[1]
    assert not out.exists()
    assert main(["scoring-sheets", str(path), str(out), "--evaluator", "E1", "--criteria",
                 "S1", "--bids", "B0001-B0010"]) == 0
    assert len(rows_of(out / "scoring-E1-Evaluator-1.xlsx")) == 400
    with EvaluationFile.open(path) as ef:
        (event,) = ef.audit(text="export.scoring_sheets")
    assert event.after["part"] == {"evaluators": ["E1"], "criteria": ["S1"],
                                   "scored criteria": 40, "bids": ["B0001 to B0010"],
                                   "bid count": 10}


# ---- export a part, fill it, read it back ------------------------------------------------

def test_a_part_is_exported_for_the_chosen_evaluators_only(panel, tmp_path, capsys):
    folder = tmp_path / "sheets"
    assert main(["scoring-sheets", str(panel), str(folder), "--evaluator", "E2",
                 "--evaluator", "E3", "--criteria", "QA", "--bids", "B02-B04,B10"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["scoring-E2-B-Jones.xlsx",
                                                        "scoring-E3-C-Wu.xlsx"]
    e2 = rows_of(folder / "scoring-E2-B-Jones.xlsx")
    assert e2 == [(b, c) for b in ("B02", "B04", "B10") for c in ("QA1", "QA2", "QA3")]
    assert len(rows_of(folder / "scoring-E3-C-Wu.xlsx")) == 12
    wb = load_workbook(folder / "scoring-E2-B-Jones.xlsx")
    guidance = [wb["Guidance"].cell(row=r, column=1).value for r in range(5, 12)]
    assert [g for g in guidance if g] == ["QA1", "QA2", "QA3"]  # its criteria only
    assert "Part of the evaluation: criteria QA; bids B02 to B04, B10." \
        in wb["Scores"]["A2"].value
    ws = wb["Scores"]
    assert ws["E6"].value == 4  # E2's score for B02 QA2, pre-filled
    suppliers = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2)
                 for r in range(5, 14)}
    assert suppliers["B02"].value == "東京システム株式会社 2"
    assert suppliers["B04"].value == "=cmd|' /C calc'!A1 4"  # text, never a formula
    assert suppliers["B04"].data_type == "s"
    with EvaluationFile.open(panel) as ef:
        (event,) = ef.audit(text="export.scoring_sheets")
    assert event.after["files"] == {"E2": "scoring-E2-B-Jones.xlsx",
                                    "E3": "scoring-E3-C-Wu.xlsx"}
    assert event.after["part"] == {"evaluators": ["E2", "E3"], "criteria": ["QA"],
                                   "scored criteria": 3, "bids": ["B02 to B04", "B10"],
                                   "bid count": 4}


def test_unknown_ids_on_the_command_line_write_nothing(panel, tmp_path, capsys):
    folder = tmp_path / "sheets"
    before = document(panel)
    assert main(["scoring-sheets", str(panel), str(folder), "--evaluator", "E7",
                 "--criteria", "QA,QQ", "--bids", "B01-B99"]) == 2
    err = capsys.readouterr().err
    assert 'procure-desk: evaluators: "E7" is not an evaluator of this evaluation' in err
    assert '"QQ" is not a criterion' in err
    assert '"B01-B99" is not a bid' in err
    assert "Traceback" not in err
    assert not folder.exists()
    assert document(panel) == before
    with EvaluationFile.open(panel) as ef:
        assert ef.audit(text="export.scoring_sheets") == []


def test_a_filled_part_reads_back_and_changes_nothing_outside_it(panel, tmp_path, capsys):
    folder = tmp_path / "sheets"
    assert main(["scoring-sheets", str(panel), str(folder), "--evaluator", "E1",
                 "--criteria", "QB", "--bids", "B01-B03"]) == 0
    sheet = folder / "scoring-E1-A-Patel.xlsx"
    before = document(panel)
    wb = load_workbook(sheet)
    ws = wb["Scores"]
    rows = {(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): r
            for r in range(5, ws.max_row + 1)}
    assert sorted(rows) == sorted((b, c) for b in ("B01", "B02", "B03") for c in ("QB1", "QB2"))
    typed = {("B01", "QB1"): (4, "=cmd|' /C calc'!A1"), ("B02", "QB2"): (1, "<b>& 東京"),
             ("B03", "QB1"): (5, "Strong plan\n\nsee 4.2")}
    for (bid, cid), (score, comment) in typed.items():
        ws.cell(row=rows[(bid, cid)], column=5, value=score)
        cell = ws.cell(row=rows[(bid, cid)], column=6, value=comment)
        cell.data_type = "s"  # typed as text ('=cmd...), as Excel keeps it
    wb.save(sheet)
    capsys.readouterr()
    assert main(["import-scores", str(panel), str(sheet), "--yes"]) == 0
    assert "Applied 3 score changes" in capsys.readouterr().out

    after = document(panel)

    def scores(doc):
        return {(s["evaluator"], s["bid"], s["criterion"]): (s["score"], s.get("comment"))
                for s in doc["scores"]}

    got, was = scores(after), scores(before)
    for (bid, cid), (score, comment) in typed.items():
        assert got.pop(("E1", bid, cid)) == (score, comment)
        was.pop(("E1", bid, cid), None)
    assert got == was  # every score outside the part is as it was
    assert {k: v for k, v in after.items() if k != "scores"} == \
        {k: v for k, v in before.items() if k != "scores"}
    with EvaluationFile.open(panel) as ef:
        assert len(ef.audit(text="score")) >= 3
    # reading it again changes nothing: the file already holds what the sheet says
    assert main(["import-scores", str(panel), str(sheet)]) == 0
    assert "Nothing to change." in capsys.readouterr().out


def test_the_whole_export_still_records_everything_as_the_part(panel, tmp_path):
    folder = tmp_path / "sheets"
    assert main(["scoring-sheets", str(panel), str(folder)]) == 0
    assert len(rows_of(folder / "scoring-E2-B-Jones.xlsx")) == 11 * 5
    wb = load_workbook(folder / "scoring-E2-B-Jones.xlsx")
    assert "Part of the evaluation" not in json.dumps(
        [c.value for row in wb["Scores"].iter_rows(max_row=3) for c in row], default=str)
    with EvaluationFile.open(panel) as ef:
        (event,) = ef.audit(text="export.scoring_sheets")
    assert event.after["part"] == {"evaluators": "all", "criteria": "all",
                                   "scored criteria": 5, "bids": "all", "bid count": 12}
