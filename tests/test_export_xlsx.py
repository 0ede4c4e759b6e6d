"""The Excel evidence pack: live formulas that LibreOffice recalculates to the engine's
figures, and what an officer expects of a workbook."""

import copy
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pytest

from procure_desk.exports import Source
from procure_desk.exports.xlsx_pack import SHEETS, write_xlsx
from procure_desk.services import EvaluationFile


def rich_doc(example_doc, *, basis="npv"):
    """The example grown to exercise every rule: nested sections, two price formulas,
    an excluded bid (failed gateway), an incomplete one, a conflict and a consensus."""
    doc = copy.deepcopy(example_doc)
    doc["evaluation"]["appraisal"]["cost_basis"] = basis
    doc["criteria"] = [
        {"id": "Q", "name": "Quality", "kind": "section", "weight": 50, "parent": None},
        {"id": "Q1", "name": "Fit", "kind": "scored", "weight": 25, "parent": "Q",
         "min_score": 2},
        {"id": "QS", "name": "Exit and data", "kind": "section", "weight": 75, "parent": "Q"},
        {"id": "Q2", "name": "Exit", "kind": "scored", "weight": 1, "parent": "QS"},
        {"id": "Q3", "name": "Data export", "kind": "scored", "weight": 3, "parent": "QS"},
        {"id": "SV", "name": "Social value", "kind": "scored", "weight": 10, "parent": None},
        {"id": "P", "name": "Cost", "kind": "section", "weight": 40, "parent": None},
        {"id": "P1", "name": "Relative", "kind": "price", "weight": 1, "parent": "P",
         "formula": "lowest_relative"},
        {"id": "P2", "name": "Linear", "kind": "price", "weight": 1, "parent": "P",
         "formula": "linear_deviation"},
        {"id": "G1", "name": "Cyber Essentials Plus", "kind": "pass_fail", "parent": None},
    ]
    doc["bids"] += [
        {"id": "B3", "supplier": "Failing Gate Ltd", "option_type": "build", "costs": [
            {"item": "Build", "category": "staff", "amount": 10000, "start_year": 0,
             "years": 5}]},
        {"id": "B4", "supplier": "Unfinished plc", "option_type": "shared_service", "costs": [
            {"item": "Share", "category": "other", "amount": 95000, "start_year": 1,
             "years": 3}]},
        {"id": "B5", "supplier": "Third Way Ltd", "option_type": "best_of_breed", "costs": [
            {"item": "Licence", "category": "licence", "amount": 70000, "start_year": 0,
             "years": 2},
            {"item": "Hosting", "category": "hosting", "amount": 30000, "start_year": 2,
             "years": 6}]},
    ]
    doc["evaluators"].append({"id": "E3", "name": "C. Evans", "conflicts": ["B5"]})
    scores = []
    vals = {"B1": [3, 4, 2, 5], "B2": [4, 2, 3, 3], "B3": [5, 5, 5, 5], "B4": [3, 3, 3, None],
            "B5": [2, 4, 5, 1]}
    for bid, vs in vals.items():
        for cid, v in zip(["Q1", "Q2", "Q3", "SV"], vs):
            if v is None:
                continue
            scores.append({"evaluator": "E1", "bid": bid, "criterion": cid, "score": v,
                           "comment": f"E1 on {bid} {cid}"})
            if bid != "B2":
                scores.append({"evaluator": "E2", "bid": bid, "criterion": cid,
                               "score": min(5, v + 1)})
            if bid != "B5":
                scores.append({"evaluator": "E3", "bid": bid, "criterion": cid,
                               "score": max(0, v - 2)})
    doc["scores"] = scores
    doc["consensus"] = [{"bid": "B1", "criterion": "Q3", "score": 4, "rationale": "agreed"},
                        {"bid": "B5", "criterion": "SV", "score": 2, "rationale": "moderated"}]
    doc["gateways"] = [{"bid": b, "criterion": "G1", "passed": b != "B3"}
                       for b in ("B1", "B2", "B3", "B5")]
    return doc


def make_file(tmp_path, doc, name="e.pdesk"):
    path = tmp_path / name
    EvaluationFile.create(path, doc, actor="tester").close()
    return path


RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def lo_profile(folder):
    """A LibreOffice profile of its own (parallel runs never clash) that recalculates
    every formula of a workbook it opens, instead of trusting the stored values."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    return folder.as_uri()


def recalc(soffice, tmp_path, files, out_name="recalc"):
    """Open, recalculate and save each workbook with LibreOffice headless; the results
    as openpyxl reads the values LibreOffice stored."""
    out = tmp_path / out_name
    profile = lo_profile(tmp_path / "lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=240)
    return [openpyxl.load_workbook(out / f.name, data_only=True) for f in files]


def results_rows(wb):
    ws = wb["Results"]
    rows = ws.iter_rows(values_only=True)
    head = list(next(rows))
    out = {}
    for r in rows:
        if not r[0]:
            break
        out[r[0]] = dict(zip(head, r))
    return out


def close(a, b, tol=1e-6):
    if b is None:
        return a in (None, "")
    return a not in (None, "") and abs(float(a) - b) <= tol


def test_libreoffice_recalculation_gives_the_engines_figures(soffice, tmp_path, example_doc):
    files, engines = [], []
    for basis in ("npv", "wlc"):
        src = Source.load(make_file(tmp_path, rich_doc(example_doc, basis=basis),
                                    f"{basis}.pdesk"))
        files.append(write_xlsx(src, tmp_path / f"{basis}.xlsx"))
        engines.append(src)
    # the example itself too: its totals are worked by hand in the format's docs
    src = Source.load(make_file(tmp_path, example_doc, "example.pdesk"))
    files.append(write_xlsx(src, tmp_path / "example.xlsx"))
    engines.append(src)

    for wb, src in zip(recalc(soffice, tmp_path, files), engines):
        rj = src.results_json()
        statuses = {b["status"] for b in rj["bids"]}
        rows = results_rows(wb)
        assert list(rows) == [b["id"] for b in rj["bids"]]
        for b in rj["bids"]:
            row = rows[b["id"]]
            assert close(row["Total"], b["total"]), (b["id"], row["Total"], b["total"])
            assert close(row["Quality"], b["quality"])
            assert close(row["Price"], b["price"])
            assert row["Status"] == b["status"]
            assert (row["Rank"] or None) == b["rank"]
            for cid, v in b["criteria"].items():
                assert close(row[f"{cid} points"], v["contribution"]), (b["id"], cid)
            for sid, v in b["sections"].items():
                name = src.results.snap.names[sid]
                assert close(row[f"{sid} {name}"], v), (b["id"], sid)
        # costs and effective weights, formulas too
        costs = {r[0]: r for r in wb["Costs"].iter_rows(min_row=5, max_row=4 + len(rows),
                                                         values_only=True)}
        years = src.ev["appraisal"]["years"]
        for b in rj["bids"]:
            assert close(costs[b["id"]][2 + years], b["wlc"])
            assert close(costs[b["id"]][3 + years], b["npv"])
        crit = {r[0]: r for r in wb["Criteria"].iter_rows(min_row=2, values_only=True) if r[0]}
        for cid, w in src.results.snap.eff.items():
            assert close(crit[cid][7], w)
        # the winner and margin on the Summary sheet
        s = wb["Summary"]
        totals = sorted((b["total"] for b in rj["bids"] if b["total"] is not None),
                        reverse=True)
        assert close(s["B7"].value, totals[0])
        assert close(s["B10"].value, totals[0] - totals[1])
        if src.path.name != "example.pdesk":
            assert statuses == {"ranked", "excluded", "incomplete"}
    # the engine's worked example (docs: B1 72.30 on NPV; see tests/data/example.json)
    assert engines[2].results.winner == "B1"


def test_totals_are_formulas_and_inputs_are_values(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    out = write_xlsx(src, tmp_path / "pack.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(SHEETS)
    ws = wb["Results"]
    head = [c.value for c in ws[1]]
    for name in ("Bid ID", "Status", "Rank", "Total"):
        assert name in head
    for col_name in ("Status", "Rank", "Total", "Quality", "Price"):
        k = head.index(col_name)
        for r in range(2, 2 + len(src.doc["bids"])):
            assert ws.cell(r, k + 1).data_type == "f"
    # effective weights are formulas over the weights; final scores use the Scores sheet
    crit = wb["Criteria"]
    assert crit["H2"].data_type == "f"
    assert crit["E2"].data_type == "n"
    # each pair's mean reads its own block of the Scores sheet, never a whole column
    mod = wb["Moderation"]
    assert mod["F2"].value == '=IF(E2>0,AVERAGEIF(Scores!$I$2:$I$4,1,Scores!$G$2:$G$4),"")'
    assert mod["L2"].value.startswith("=IF(J2<>\"\",J2")
    scores = list(wb["Scores"].iter_rows(min_row=2, max_row=4, values_only=True))
    assert {(r[2], r[4]) for r in scores} == {("B1", "Q1")}
    # the status, rank, winner and recommendation are formulas too
    summary = wb["Summary"]
    assert summary["B5"].data_type == "f"
    assert "Award to" in summary["B5"].value
    assert summary["B6"].data_type == "f"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert "A:A" not in c.value
                    assert ":$A)" not in c.value
    costs = wb["Costs"]
    assert "SUMPRODUCT" in costs.cell(5, 3 + 5 + 1).value  # NPV column of the first bid
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["SHA-256 of the evaluation file"] == src.sha256
    assert about["Evaluation file"] == "e.pdesk"


def test_what_an_officer_expects(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    out = write_xlsx(src, tmp_path / "pack.xlsx")
    wb = openpyxl.load_workbook(out)
    for name in ("Criteria", "Bids", "Scores", "Moderation", "Results", "Audit"):
        ws = wb[name]
        assert ws.freeze_panes, name
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        if name == "Results":  # as many pages across as keep it legible, bids on each
            assert ws.print_title_cols == "$A:$B"
        else:  # one page wide (1 is the default, left unsaid)
            assert ws.page_setup.fitToWidth in (None, 1), name
        assert ws.print_title_rows == "$1:$1", name
        assert ws.protection.sheet, name  # against accidental edits ...
        assert not ws.protection.password, name  # ... with no password
    flags = [r for rng in wb["Moderation"].conditional_formatting for r in rng.rules]
    assert any('"FLAG"' in r.formula[0] for r in flags)
    costs = wb["Costs"]
    assert "£" in costs.cell(5, 3).number_format
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        xml = z.read(charts[0]).decode()
    assert 'grouping val="stacked"' in xml


def test_chart_shows_ranked_bids_in_rank_order_in_the_reports_colours(tmp_path, example_doc):
    from procure_desk.exports.palette import SECTION_COLOURS, section_colour

    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    res = src.results
    ranked = [res.snap.bid_ids[i] for i in res.ranking]
    assert set(ranked) < {b["id"] for b in src.doc["bids"]}  # B3 excluded, B4 incomplete
    out = write_xlsx(src, tmp_path / "pack.xlsx")
    with zipfile.ZipFile(out) as z:
        xml = z.read(next(n for n in z.namelist() if n.startswith("xl/charts/chart")))
    chart = ET.fromstring(xml)
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    series = chart.findall(".//c:ser", ns)
    # one series per top-level node of the tree: Q, SV (a criterion at the top counts as
    # its own section) and P, in the criteria's order
    assert len(series) == 3
    ws = openpyxl.load_workbook(out, data_only=True)["Summary"]
    for k, ser in enumerate(series):
        cats = ser.find("c:cat//c:f", ns).text.replace("'", "")
        sheet, rng = cats.split("!")
        assert sheet == "Summary"
        bids = [c.value for row in ws[rng.replace("$", "")] for c in row]
        assert bids == ranked  # ranked bids only, in rank order
        fill = ser.find("c:spPr/a:solidFill/a:srgbClr", ns).get("val")
        assert fill == SECTION_COLOURS[k]
        assert section_colour(k) == "#" + fill  # the PDF report's colour for the series
    # the series' values are the sections' points of those same rows
    vals = series[0].find("c:val//c:f", ns).text.replace("'", "").split("!")[1]
    first = openpyxl.load_workbook(out)["Summary"][vals.replace("$", "").split(":")[0]]
    assert "Results!" in first.value


def test_pdf_chart_uses_the_same_palette(tmp_path, example_doc):
    from procure_desk.exports.palette import section_colour
    from procure_desk.exports.pdf_report import Kit, points_chart

    kit = Kit()
    d = points_chart(kit, ["B1", "B2"], [("Q Quality", [30.0, 20.0]), ("P Cost", [40.0, 35.0])],
                     400, 240)
    chart = d.contents[0]
    for k in range(2):
        assert chart.bars[k].fillColor.hexval()[2:].upper() == section_colour(k)[1:]


def column_widths_fit(ws, header_row, spilled=()):
    """Each column at least as wide as its header's longest word and its widest value
    (but for labels meant to run on over the empty cells beside them)."""
    from openpyxl.utils import get_column_letter

    problems = []
    rows = []
    for r in ws.iter_rows(min_row=header_row, values_only=True):
        if all(v in (None, "") for v in r):
            break  # the table ends at the first blank row
        rows.append(r)
    for k, name in enumerate(rows[0], start=1):
        if name in (None, ""):
            continue
        width = ws.column_dimensions[get_column_letter(k)].width
        longest_word = max(len(w) for w in str(name).split())
        values = [v for r in rows[1:] if len(r) >= k and (v := r[k - 1]) not in (None, "")
                  and not (isinstance(v, str) and v.startswith("=")) and v not in spilled]
        widest = max((len(f"{v:.2f}" if isinstance(v, float) else str(v)) for v in values),
                     default=0)
        if width < longest_word + 1 or width < min(widest, 50) + 1:
            problems.append((ws.title, name, width, longest_word, widest))
    return problems


def test_columns_are_sized_to_their_contents(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    long_name = "Ashcombe Borough Council (shared customer platform)"
    doc["bids"][0]["supplier"] = long_name
    doc["scores"][0]["comment"] = "A long comment. " * 30
    src = Source.load(make_file(tmp_path, doc))
    out = write_xlsx(src, tmp_path / "pack.xlsx")
    wb = openpyxl.load_workbook(out)
    problems = []
    for name, header_row in (("Criteria", 1), ("Bids", 1), ("Scores", 1), ("Evaluators", 1),
                             ("Moderation", 1), ("Results", 1), ("Audit", 1), ("Costs", 3)):
        problems += column_widths_fit(wb[name], header_row, spilled=("Discount factor",))
    assert problems == []
    # the Summary's ranking table: rank, bid and supplier each in a column of their own
    ws = wb["Summary"]
    head = next(r for r in ws.iter_rows(min_row=17) if r[0].value == "Rank")
    assert [c.value for c in head[:7]] == ["Rank", "Bid ID", "Supplier", "Total", "Quality",
                                           "Price", "Status"]
    assert ws.column_dimensions["C"].width >= len(long_name)
    # numbers sit right, clear of the next column; so do the headers above them
    for c in head[3:6]:
        assert c.alignment.horizontal == "right"
        assert c.alignment.indent >= 1
    row = ws[head[0].row + 1]
    assert row[3].alignment.horizontal == "right"
    assert row[3].alignment.indent >= 1
    assert head[2].alignment.horizontal in (None, "general", "left")  # text stays left
    # a long comment wraps in its column (capped), in a row tall enough for it
    scores = wb["Scores"]
    comment = scores.cell(2, 10)
    assert comment.value.startswith("A long comment.")
    assert comment.alignment.wrap_text
    assert scores.column_dimensions["J"].width <= 75
    assert scores.row_dimensions[2].height >= 3 * 15
    assert scores.cell(2, 1).alignment.vertical == "top"  # the rest of the row at the top


def test_refuses_to_overwrite_and_leaves_no_partial_file(tmp_path, example_file):
    src = Source.from_file(example_file)
    target = tmp_path / "pack.xlsx"
    target.write_text("keep me")
    from procure_desk.errors import BadInput

    with pytest.raises(BadInput, match="already exists"):
        write_xlsx(src, target)
    assert target.read_text() == "keep me"
    write_xlsx(src, target, force=True)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_cancel_leaves_nothing(tmp_path, example_file):
    from procure_desk.errors import Cancelled

    def stop(fraction, message):
        if fraction > 0.3:
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_xlsx(Source.from_file(example_file), tmp_path / "pack.xlsx", report=stop)
    assert list(tmp_path.glob("*pack.xlsx*")) == []


def test_a_bid_with_many_reasons_lists_the_first_and_counts_the_rest(tmp_path, example_doc,
                                                                    monkeypatch):
    from procure_desk.exports import xlsx_inputs

    path = make_file(tmp_path, rich_doc(example_doc))
    monkeypatch.setattr(xlsx_inputs, "CELL_REASONS", 1)
    out = write_xlsx(Source.load(path), tmp_path / "pack.xlsx")
    ws = openpyxl.load_workbook(out)["Bids"]
    head = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    reasons = rows["B4"][head[-1]]
    assert reasons == "no gateway result for G1 (Cyber Essentials Plus); and 1 more (2 in all)"
    assert rows["B3"][head[-1]] == "failed the gateway G1 (Cyber Essentials Plus)"  # one: whole
