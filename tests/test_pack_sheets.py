"""The evidence pack's long tables over continuation sheets: with the rows of a sheet
lowered, a small evaluation's Scores, Moderation and Audit tables go on over "Scores (2)",
"Moderation (2)", ..., each laid out as the first, no block of rows split between two
sheets, every formula naming the sheet its rows are on; LibreOffice recalculates such a
pack to the engine's figures."""

from __future__ import annotations

import math
import re

import openpyxl
import pytest
from test_export_xlsx import make_file, recalc
from test_pack_formulas import assert_matches_engine, competitive_doc, formula_cells

from procure_desk.errors import BadInput
from procure_desk.exports import Source, xlsx_map
from procure_desk.exports.xlsx_pack import write_xlsx

ROWS = 6  # a header and five rows a sheet (a bid has four Moderation rows)


@pytest.fixture
def split_pack(tmp_path, example_doc, monkeypatch):
    monkeypatch.setattr(xlsx_map, "SHEET_ROWS", ROWS)
    doc = competitive_doc(example_doc)
    doc["scores"][0]["comment"] = "=cmd|' /C calc'!A0 <b>&amp; 中文 " * 4  # hostile, long
    src = Source.load(make_file(tmp_path, doc))
    return src, write_xlsx(src, tmp_path / "pack.xlsx")


def titles(wb, title):
    return [n for n in wb.sheetnames if n == title or n.startswith(f"{title} (")]


def test_long_tables_go_on_over_continuation_sheets(split_pack):
    src, pack = split_pack
    wb = openpyxl.load_workbook(pack)
    scores, moderation = titles(wb, "Scores"), titles(wb, "Moderation")
    assert len(scores) > 3
    assert len(moderation) == len(src.doc["bids"])  # a bid a sheet
    assert scores == ["Scores"] + [f"Scores ({k})" for k in range(2, len(scores) + 1)]
    # each continuation sheet right after the one before it, the sheets' order kept
    names = wb.sheetnames
    assert names[names.index("Scores"):names.index("Scores") + len(scores)] == scores
    assert names[names.index("Moderation") + len(moderation)] == "Results"
    first = wb["Scores"]
    head = [c.value for c in first[1]]
    total = 0
    for name in scores:
        ws = wb[name]
        assert [c.value for c in ws[1]] == head, name  # the header row repeated
        assert ws.max_row <= ROWS, name
        assert ws.freeze_panes == first.freeze_panes, name
        assert ws.print_title_rows == "$1:$1", name
        assert ws.protection.sheet, name
        assert not ws.protection.password, name
        assert ws.page_setup.orientation == first.page_setup.orientation, name
        assert ws.oddFooter.center.text == first.oddFooter.center.text, name
        assert not ws.cell(2, 7).protection.locked  # the score: an input
        total += ws.max_row - 1
    assert total == len(src.doc["scores"])


def test_no_block_is_split_and_formulas_name_their_sheet(split_pack):
    src, pack = split_pack
    wb = openpyxl.load_workbook(pack)
    block = re.compile(r"^=COUNTIF\(('?)(Scores(?: \(\d+\))?)\1!\$I\$(\d+):\$I\$(\d+),1\)$")
    seen = set()
    for name in titles(wb, "Moderation"):
        bids = set()
        for row in wb[name].iter_rows(min_row=2):
            bid, cid, counted = row[0].value, row[2].value, row[4].value
            bids.add(bid)
            m = block.match(counted)
            assert m, counted
            quote, sheet, a, z = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            assert quote == ("'" if " " in sheet else "")  # 'Scores (2)'!$I$2:$I$4
            ws = wb[sheet]
            # the pair's scores, all of them, on that one sheet
            got = {(ws.cell(r, 3).value, ws.cell(r, 5).value) for r in range(a, z + 1)}
            assert got == {(bid, cid)}
            assert ws.cell(z + 1, 3).value != bid or ws.cell(z + 1, 5).value != cid
            seen.add((bid, cid))
        for b in bids:  # each bid's rows on one sheet
            assert not any(b in {r[0].value for r in wb[other].iter_rows(min_row=2)}
                           for other in titles(wb, "Moderation") if other != name)
    want = {(s["bid"], s["criterion"]) for s in src.doc["scores"]}
    assert seen == want
    # the status and points of a bid read its own sheet of Moderation rows
    results = wb["Results"]
    head = [c.value for c in results[1]]
    quoted = 0
    for row in results.iter_rows(min_row=2, max_row=1 + len(src.doc["bids"])):
        status = row[head.index("Status")].value
        points = row[head.index("Q1 points")].value
        sheets = set(re.findall(r"'?(Moderation(?: \(\d+\))?)'?!", status + points))
        assert len(sheets) == 1, (status, points)
        quoted += "'Moderation (" in points
    assert quoted
    # the Summary counts the flags of every Moderation sheet
    summary = next(c.value for row in wb["Summary"].iter_rows() for c in row
                   if isinstance(c.value, str) and 'COUNTIF(' in c.value and '"FLAG"' in c.value)
    for name in titles(wb, "Moderation"):
        ref = f"'{name}'" if " " in name else name
        assert f"{ref}!$M$2:$M$" in summary


def test_libreoffice_recalculates_a_split_pack_to_the_engines_figures(soffice, tmp_path,
                                                                      split_pack):
    src, pack = split_pack
    (lo,) = recalc(soffice, tmp_path, [pack])
    assert_matches_engine(lo, src.results_json())
    stored = openpyxl.load_workbook(pack, data_only=True)
    cells = formula_cells(pack)
    on_continuations = 0
    for (sheet, at), formula in cells.items():
        mine, theirs = stored[sheet][at].value, lo[sheet][at].value
        on_continuations += " (" in sheet
        if mine in (None, ""):
            assert theirs in (None, ""), (sheet, at, formula, theirs)
        elif isinstance(mine, (int, float)) and not isinstance(mine, bool):
            assert math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9), (
                sheet, at, formula, mine, theirs)
        else:
            assert mine == theirs, (sheet, at, formula, mine, theirs)
    assert on_continuations > 50


def test_a_score_changed_on_a_continuation_sheet_moves_the_results(soffice, tmp_path,
                                                                   split_pack, example_doc):
    from test_pack_formulas import engine_after

    src, pack = split_pack
    wb = openpyxl.load_workbook(pack)
    last = titles(wb, "Scores")[-1]
    ws = wb[last]
    e, b, c = ws.cell(2, 1).value, ws.cell(2, 3).value, ws.cell(2, 5).value
    ws.cell(2, 7).value = 0
    wb.save(tmp_path / "edited.xlsx")
    crit = next(x for x in src.doc["criteria"] if x["kind"] == "price")
    bid = src.doc["bids"][0]
    after = engine_after(src.path, tmp_path, weight=(crit["id"], crit["weight"]),
                         score=(e, b, c, 0),
                         cost=(bid["id"], bid["costs"][0]["item"], bid["costs"][0]["amount"]))
    assert after != src.results_json()
    (lo,) = recalc(soffice, tmp_path, [tmp_path / "edited.xlsx"])
    assert_matches_engine(lo, after)


def test_only_a_sheet_wider_than_a_worksheet_is_refused(tmp_path, example_doc, monkeypatch):
    from test_export_xlsx import rich_doc

    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    monkeypatch.setattr(xlsx_map, "SHEET_ROWS", ROWS)  # long tables: never refused
    write_xlsx(src, tmp_path / "long.xlsx")
    monkeypatch.setattr("procure_desk.exports.xlsx_pack.SHEET_COLUMNS", 20)
    with pytest.raises(BadInput, match=r"Results sheet would need \d+ columns .* at most 20"):
        write_xlsx(src, tmp_path / "wide.xlsx")
    assert not (tmp_path / "wide.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
