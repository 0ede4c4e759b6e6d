"""The evidence pack stays true when a reader changes it: status, rank, winner, margin,
recommendation and the verdict's inputs are formulas over the input sheets, beside
ProcureDesk's own figures; every formula also holds its value; a competitive tender's
other options are comparators, as the engine has them."""

from __future__ import annotations

import copy
import math

import openpyxl
import pytest
from test_export_xlsx import make_file, recalc, rich_doc

from procure_desk.exports import Source
from procure_desk.exports.xlsx_pack import SHEETS, write_xlsx
from procure_desk.services import EvaluationFile


def competitive_doc(example_doc):
    """A competitive tender: tenders B1, B2 and B5, an excluded build (B3), an incomplete
    shared service (B4), and an in-house team (B6) that is not a tender, complete, and
    cheaper than every tender (so its price fraction is capped at 1)."""
    doc = rich_doc(example_doc)
    doc["evaluation"]["procedure"] = "competitive_tender"
    doc["bids"].append({"id": "B6", "supplier": "+44 In-house Team", "option_type": "build",
                        "costs": [{"item": "Staff", "category": "staff", "amount": 30000,
                                   "start_year": 0, "years": 5}]})
    for cid, v in zip(["Q1", "Q2", "Q3", "SV"], [3, 3, 4, 2]):
        for e in ("E1", "E2", "E3"):
            doc["scores"].append({"evaluator": e, "bid": "B6", "criterion": cid, "score": v})
    doc["gateways"].append({"bid": "B6", "criterion": "G1", "passed": True})
    return doc


def rows_by_id(ws, header_row=1):
    rows = ws.iter_rows(min_row=header_row, values_only=True)
    head = list(next(rows))
    out = {}
    for r in rows:
        if not r[0]:
            break
        out[r[0]] = dict(zip(head, r))
    return out


def summary_block(ws):
    """Summary rows 4-19: label -> (workbook, ProcureDesk, agrees)."""
    return {r[0]: r[1:4] for r in ws.iter_rows(min_row=5, max_row=19, values_only=True)
            if r[0] and r[3] != "Agrees"}


def ranking_table(ws):
    rows = list(ws.iter_rows(values_only=True))
    k = next(i for i, r in enumerate(rows) if r[0] == "Rank" and r[1] == "Bid ID")
    out = []
    for r in rows[k + 1:]:
        if r[1] in (None, ""):
            break
        out.append(dict(zip(rows[k], r)))
    return out


def same(a, b, tol=1e-6):
    if b is None:
        return a in (None, "")
    if isinstance(b, str):
        return a == b
    return a not in (None, "") and abs(float(a) - float(b)) <= tol


def assert_matches_engine(wb, rj):
    """The Results and Summary sheets say what the engine's results JSON says."""
    rows = rows_by_id(wb["Results"])
    assert list(rows) == [b["id"] for b in rj["bids"]]
    for b in rj["bids"]:
        row = rows[b["id"]]
        assert row["Status"] == b["status"], b["id"]
        assert (row["Rank"] or None) == b["rank"], b["id"]
        for col in ("total", "quality", "price"):
            assert same(row[col.title()], b[col]), (b["id"], col, row[col.title()], b[col])
        for cid, v in b["criteria"].items():
            assert same(row[f"{cid} points"], v["contribution"]), (b["id"], cid)
    s = summary_block(wb["Summary"])
    winner = rj["winner"]
    ranking = rj["ranking"]
    total = {b["id"]: b["total"] for b in rj["bids"]}
    assert s["Winner (the bid ranked 1)"][0] == winner
    assert same(s["Its total (points of 100)"][0], total[winner])
    assert s["Runner-up (the bid ranked 2)"][0] == ranking[1]
    assert same(s["Margin (points)"][0], total[winner] - total[ranking[1]])
    supplier = next(b["supplier"] for b in rj["bids"] if b["id"] == winner)
    rec = next(v for k, v in s.items() if k in ("Recommendation", "Provisional leader"))
    assert rec[0] in (f"Award to {winner}: {supplier}", f"{winner}: {supplier}")
    table = ranking_table(wb["Summary"])
    assert [r["Bid ID"] for r in table[:len(ranking)]] == ranking
    assert [r["Rank"] for r in table[:len(ranking)]] == list(range(1, len(ranking) + 1))
    others = [b["id"] for b in rj["bids"] if b["rank"] is None]
    assert [r["Bid ID"] for r in table[len(ranking):]] == others
    assert all(r["Rank"] == "—" for r in table[len(ranking):])


# ---- a reader's what-if, recalculated by LibreOffice, against the engine ------------------

def edit_pack(path, out, *, weight, score, cost):
    """Change a weight, a score and a cost line amount in the workbook itself."""
    wb = openpyxl.load_workbook(path)
    crit = wb["Criteria"]
    row = next(r for r in crit.iter_rows(min_row=2) if r[0].value == weight[0])
    assert crit.protection.sheet
    assert not row[4].protection.locked
    row[4].value = weight[1]
    scores = wb["Scores"]
    e, b, c, v = score
    row = next(r for r in scores.iter_rows(min_row=2)
               if (r[0].value, r[2].value, r[4].value) == (e, b, c))
    assert not row[6].protection.locked
    row[6].value = v
    costs = wb["Costs"]
    bid, item, amount = cost
    row = next(r for r in costs.iter_rows(min_row=2)
               if (r[0].value, r[1].value) == (bid, item) and r[3].data_type == "n")
    assert not row[3].protection.locked
    row[3].value = amount
    wb.save(out)
    return out


def engine_after(path, tmp_path, *, weight, score, cost):
    """The engine's results for the same changes, made through the services on a copy."""
    copy_path = tmp_path / f"what-if-{path.name}"
    with EvaluationFile.open(path) as ef:
        ef.save_copy(copy_path)
    with EvaluationFile.open(copy_path) as ef:
        ef.update_criterion("tester", weight[0], {"weight": weight[1]},
                            reason="what if the cost weighed less")
        e, b, c, v = score
        ef.set_score("tester", e, b, c, v)
        bid, item, amount = cost
        costs = copy.deepcopy(next(x for x in ef.document()["bids"] if x["id"] == bid)["costs"])
        next(line for line in costs if line["item"] == item)["amount"] = amount
        ef.update_bid("tester", bid, {"costs": costs})
        return ef.results().to_json()


def test_a_what_if_recalculated_by_libreoffice_gives_the_engines_answer(soffice, tmp_path,
                                                                        example_doc):
    change = {"weight": ("P", 20), "score": ("E1", "B1", "Q1", 5),
              "cost": ("B5", "Licence", 400000)}
    path = make_file(tmp_path, competitive_doc(example_doc), "tender.pdesk")
    src = Source.load(path)
    before = src.results_json()
    assert before["winner"] == "B5"
    statuses = {b["id"]: b["status"] for b in before["bids"]}
    assert statuses == {"B1": "ranked", "B2": "ranked", "B3": "excluded", "B4": "incomplete",
                        "B5": "ranked", "B6": "comparator"}
    pack = write_xlsx(src, tmp_path / "pack.xlsx")
    edited = edit_pack(pack, tmp_path / "edited.xlsx", **change)
    after = engine_after(path, tmp_path, **change)
    assert after["winner"] == "B1"  # the change matters: another tender wins
    b6 = next(b for b in after["bids"] if b["id"] == "B6")
    assert b6["status"] == "comparator"
    assert b6["rank"] is None
    assert b6["total"] > next(b["total"] for b in after["bids"] if b["id"] == "B1")
    assert b6["criteria"]["P1"]["score"] == 1.0  # capped: cheaper than every tender

    wb_before, wb_after = recalc(soffice, tmp_path, [pack, edited])
    assert_matches_engine(wb_before, before)
    assert_matches_engine(wb_after, after)
    # ProcureDesk's own figures stay beside the formulas, and say where they now differ
    rows = rows_by_id(wb_after["Results"])
    assert rows["B5"]["ProcureDesk rank"] == 1
    assert rows["B5"]["Rank"] == 2
    assert rows["B5"]["Agrees with ProcureDesk"] == "NO"
    assert rows["B3"]["Agrees with ProcureDesk"] == "yes"  # excluded either way
    s = summary_block(wb_after["Summary"])
    assert s["Winner (the bid ranked 1)"] == ("B1", "B5", "NO")
    # nobody has submitted: the leader is provisional in the workbook as in ProcureDesk
    assert s["Provisional leader"][:3] == ("B1: Example Suite Ltd", "B5: Third Way Ltd", "NO")
    # the analysis held for B5: the verdict cannot stand for another winner
    assert s["The winner is the bid ProcureDesk analysed"][0] == "no"
    assert s["Verdict"][0] == "not robust"
    before_block = summary_block(wb_before["Summary"])
    assert all(v[2] == "yes" for v in before_block.values()), before_block


def test_gateway_and_consensus_edits_move_the_status(soffice, tmp_path, example_doc):
    """A failed gateway passed and a consensus entered: the excluded bid becomes ranked
    and the consensus moves the totals, as the engine says. A pair with no score and no
    consensus (B4 on SV) has no Moderation row: its final score is missing, so B4 stays
    incomplete, and its points cell is empty."""
    doc = rich_doc(example_doc)
    path = make_file(tmp_path, doc)
    pack = write_xlsx(Source.load(path), tmp_path / "pack.xlsx")
    wb = openpyxl.load_workbook(pack)
    bids = wb["Bids"]
    head = [c.value for c in bids[1]]
    g = head.index("G1 Cyber Essentials Plus")
    for r in bids.iter_rows(min_row=2):
        if r[0].value == "B3":
            assert r[g].value == "Fail"
            assert not r[g].protection.locked
            r[g].value = "Pass"
        if r[0].value == "B4":
            r[g].value = "Pass"
    mod = wb["Moderation"]
    pairs = [(r[0].value, r[2].value) for r in mod.iter_rows(min_row=2)]
    assert ("B4", "SV") not in pairs
    assert len(pairs) == len(doc["bids"]) * 4 - 1
    for r in mod.iter_rows(min_row=2):
        if (r[0].value, r[2].value) == ("B1", "Q1"):
            assert not r[9].protection.locked
            r[9].value = 5  # settled by consensus
    results = wb["Results"]
    head = [c.value for c in results[1]]
    b4 = next(r for r in results.iter_rows(min_row=2) if r[0].value == "B4")
    assert b4[head.index("SV points")].value == '=""'
    assert '4-COUNT(Moderation!$L$' in b4[head.index("Status")].value
    wb.save(tmp_path / "edited.xlsx")
    with EvaluationFile.open(path) as ef:
        ef.set_gateway("tester", "B3", "G1", True)
        ef.set_gateway("tester", "B4", "G1", True)
        ef.set_consensus("tester", "B1", "Q1", 5, "agreed in moderation")
        want = ef.results().to_json()
    assert {b["id"]: b["status"] for b in want["bids"]} == {
        "B1": "ranked", "B2": "ranked", "B3": "ranked", "B4": "incomplete", "B5": "ranked"}
    (got,) = recalc(soffice, tmp_path, [tmp_path / "edited.xlsx"])
    assert_matches_engine(got, want)


# ---- the stored values: what a viewer that does not recalculate shows ----------------------

def formula_cells(path):
    """(sheet, coordinate) -> formula of every formula cell."""
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets
            for row in ws.iter_rows() for c in row if c.data_type == "f"}


def test_every_formula_holds_the_value_libreoffice_computes(soffice, tmp_path, example_doc):
    from test_export_analysis import shared_doc

    cases = {"npv": rich_doc(example_doc), "wlc": rich_doc(example_doc, basis="wlc"),
             "tender": competitive_doc(example_doc), "shared": shared_doc()}
    files = []
    for name, doc in cases.items():
        files.append(write_xlsx(Source.load(make_file(tmp_path, doc, f"{name}.pdesk")),
                                tmp_path / f"{name}.xlsx"))
    books = recalc(soffice, tmp_path, files)
    for f, lo in zip(files, books):
        stored = openpyxl.load_workbook(f, data_only=True)
        cells = formula_cells(f)
        assert len(cells) > 200
        empty = 0
        for (sheet, at), formula in cells.items():
            mine, theirs = stored[sheet][at].value, lo[sheet][at].value
            if mine in (None, ""):
                empty += 1
                assert theirs in (None, ""), (f.name, sheet, at, formula, theirs)
            elif isinstance(mine, (int, float)) and not isinstance(mine, bool):
                assert isinstance(theirs, (int, float)), (f.name, sheet, at, formula, theirs)
                assert math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9), (
                    f.name, sheet, at, formula, mine, theirs)
            else:
                assert mine == theirs, (f.name, sheet, at, formula, mine, theirs)
        assert empty < len(cells) / 2  # most formulas show a figure, not nothing


def test_values_show_without_recalculation(tmp_path, example_doc):
    """openpyxl with data_only=True (as a file preview or a phone reads the file)."""
    src = Source.load(make_file(tmp_path, competitive_doc(example_doc)))
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"), data_only=True)
    assert wb.sheetnames == list(SHEETS)
    assert_matches_engine(wb, src.results_json())
    rows = rows_by_id(wb["Results"])
    assert all(r["Agrees with ProcureDesk"] == "yes" for r in rows.values())
    assert rows["B6"]["Status"] == "comparator"
    assert rows["B6"]["P1 price fraction"] == pytest.approx(1.0)
    assert rows["B6"]["Eligible cost"] is None  # not priced against: not a tender
    crit = rows_by_id(wb["Criteria"])
    assert crit["Q1"]["Effective weight (%)"] == pytest.approx(src.results.snap.eff["Q1"])
    s = summary_block(wb["Summary"])
    assert s["Verdict"][1] in ("robust", "not robust")
    assert s["Verdict"][0] == s["Verdict"][1]
    assert all(v[2] == "yes" for v in s.values())


def test_the_verdict_is_integritys(tmp_path, example_doc):
    """The workbook shows the verdict of the analysis (the app's and the report's), with
    its reasons, and each test it rests on."""
    from procure_desk.analysis import analyse

    path = make_file(tmp_path, competitive_doc(example_doc))
    src = Source.load(path)
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"), data_only=True)
    with EvaluationFile.open(path) as ef:
        verdict = analyse(ef)["verdict"]
    s = summary_block(wb["Summary"])
    assert s["Verdict"][1] == ("robust" if verdict["robust"] else "not robust")
    text = [r[0] for r in wb["Summary"].iter_rows(values_only=True) if r[0]]
    assert not verdict["robust"]
    assert "ProcureDesk's verdict: not robust, because" in text
    for reason in verdict["reasons"]:
        assert f"• {reason}" in text
    assert s["Nothing a decision needs is outstanding (results final)"][0] == "no"


def test_long_tables_keep_every_row(tmp_path, example_doc):
    """Past the rows measured whole, a table's rows are written as they are (labels that
    run on, styled cells and wrapped text included)."""
    doc = competitive_doc(example_doc)
    base = doc["bids"][0]
    for k in range(300):
        doc["bids"].append({**copy.deepcopy(base), "id": f"X{k:03d}",
                            "supplier": f"Extra {k} Ltd"})
        doc["gateways"].append({"bid": f"X{k:03d}", "criterion": "G1", "passed": True})
        for s in [s for s in doc["scores"] if s["bid"] == base["id"]]:
            doc["scores"].append({**s, "bid": f"X{k:03d}"})
    src = Source.load(make_file(tmp_path, doc))
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"), data_only=True)
    assert_matches_engine(wb, src.results_json())
    text = [r[0] for r in wb["Summary"].iter_rows(values_only=True) if r[0]]
    assert "Outstanding" in text  # the rows below a 306-row ranking table
    assert len(rows_by_id(wb["Bids"])) == len(doc["bids"])


def test_a_long_moderation_sheet_holds_the_values_libreoffice_computes(soffice, tmp_path,
                                                                      example_doc):
    """Past the rows measured whole, the Moderation sheet's rows are written whole: every
    formula still holds the value LibreOffice computes (figures, "FLAG" and nothing), a
    pair with no scores holds plain values, and a consensus keeps its rationale as typed
    and its score editable."""
    doc = competitive_doc(example_doc)
    base = doc["bids"][0]
    hostile = "=cmd|' /C calc'!A0 <b>&amp; _x0041_ 中文 " * 6
    unscored = set()
    for k in range(60):
        bid = f"X{k:03d}"
        doc["bids"].append({**copy.deepcopy(base), "id": bid, "supplier": f"Extra {k} Ltd"})
        doc["gateways"].append({"bid": bid, "criterion": "G1", "passed": True})
        for s in [s for s in doc["scores"] if s["bid"] == base["id"]]:
            if k % 11 == 3 and s["criterion"] == "Q2":
                unscored.add(bid)
                continue  # a pair with no scores
            score = s["score"]
            if k % 7 == 2 and s["evaluator"] == "E1":
                score = 0 if score >= 3 else 5  # far apart: flagged
            doc["scores"].append({**s, "bid": bid, "score": score})
    settled = min(unscored)  # no score, but a consensus: a row with plain statistics
    doc["consensus"] = [*doc.get("consensus", []), {"bid": "X050", "criterion": "Q1",
                                                    "score": 4, "rationale": hostile},
                        {"bid": settled, "criterion": "Q2", "score": 3, "rationale": "met"}]
    path = make_file(tmp_path, doc)
    pack = write_xlsx(Source.load(path), tmp_path / "pack.xlsx")
    (lo,) = recalc(soffice, tmp_path, [pack])
    stored = openpyxl.load_workbook(pack, data_only=True)["Moderation"]
    formulas = openpyxl.load_workbook(pack)["Moderation"]
    # no row for a pair with neither a score nor a consensus (B4 on SV, and the others)
    assert stored.max_row == 1 + len(doc["bids"]) * 4 - len(unscored) > 220
    seen = {"FLAG": 0, "": 0, "number": 0}
    for row in formulas.iter_rows(min_row=2):
        for c in row:
            if c.data_type != "f":
                continue
            mine, theirs = stored[c.coordinate].value, lo["Moderation"][c.coordinate].value
            if mine in (None, ""):
                seen[""] += 1
                assert theirs in (None, ""), (c.coordinate, c.value, theirs)
            elif isinstance(mine, (int, float)):
                seen["number"] += 1
                assert math.isclose(mine, theirs, abs_tol=1e-9), (c.coordinate, c.value, theirs)
            else:
                seen["FLAG"] += mine == "FLAG"
                assert mine == theirs, (c.coordinate, c.value, mine, theirs)
    assert all(seen.values()), seen
    rows = {(r[0].value, r[2].value): r for r in formulas.iter_rows(min_row=2)}
    assert {b for b in unscored if (b, "Q2") in rows} == {settled}
    r = rows[(settled, "Q2")]
    assert r[4].data_type == "n"  # scores counted: a plain 0
    assert r[4].value == 0
    assert r[5].value is None
    assert r[11].data_type == "f"
    assert stored[r[11].coordinate].value == 3
    r = rows[("X050", "Q1")]
    assert r[10].value == hostile
    assert r[10].data_type == "s"
    assert r[9].value == 4
    assert not r[9].protection.locked
    assert stored[r[11].coordinate].value == 4  # the consensus is the final score
    assert not rows[("X051", "Q1")][9].protection.locked  # an empty input, still editable
