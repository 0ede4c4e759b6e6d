"""The decision analysis in the exports: the Sensitivity and Shared service sheets of the
evidence pack (Shared service formulas recalculated by LibreOffice) and the PDF report's
Robustness section."""

import shutil
import subprocess

import openpyxl
import pytest
from final_docs import final
from test_analysis import make_doc
from test_export_xlsx import make_file, recalc

from procure_desk import paths
from procure_desk.analysis import analyse
from procure_desk.exports import Source
from procure_desk.exports.pdf_report import build_story, write_pdf
from procure_desk.exports.xlsx_pack import write_xlsx
from procure_desk.services import EvaluationFile, import_json

# Three partners; C3 has no population recorded.
PARTNERS = [
    {"id": "C1", "name": "North Council", "population": 50000, "baseline_annual_cost": 100000},
    {"id": "C2", "name": "South Council", "population": 150000,
     "baseline_annual_cost": 300000},
    {"id": "C3", "name": "East Council", "baseline_annual_cost": 90000},
]


def shared_doc(basis="wlc", rate=0.0):
    """A solo bid B1 and three shared bids, one per apportionment method, over 3 years."""
    return make_doc([
        ("B1", 4, 100000),
        ("B2", 3, 180000, "shared_service", {"method": "equal"}),
        ("B3", 3, 240000, "shared_service",
         {"method": "custom", "partners": ["C1", "C2"], "shares": {"C1": 30, "C2": 70}}),
        ("B4", 2, 90000, "shared_service", {"method": "population", "partners": ["C1", "C2"]}),
    ], years=3, basis=basis, rate=rate, partners=PARTNERS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.pdesk"
    import_json(paths.SAMPLE_TENDER, path)
    return path


def table(ws, first_header):
    """The rows under the header row whose column A is `first_header`, up to a blank row."""
    rows = list(ws.iter_rows(values_only=True))
    k = next(i for i, r in enumerate(rows) if r[0] == first_header)
    head = list(rows[k])
    out = []
    for r in rows[k + 1:]:
        if r[0] in (None, ""):
            break
        out.append(dict(zip(head, r)))
    return out


def cells_under(ws, first_header):
    """The cells (not values) of the rows under that header row, up to a blank row."""
    rows = list(ws.iter_rows())
    k = next(i for i, r in enumerate(rows) if r[0].value == first_header)
    head = [c.value for c in rows[k]]
    out = []
    for r in rows[k + 1:]:
        if r[0].value in (None, ""):
            break
        out.append(dict(zip(head, r)))
    return out


def pdftext(path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


# ---- the evidence pack on the demo ----------------------------------------------------

def test_demo_pack_has_sensitivity_and_shared_service_rows(demo, tmp_path):
    src = Source.load(demo)
    out = write_xlsx(src, tmp_path / "pack.xlsx")
    with EvaluationFile.open(demo) as ef:
        data = analyse(ef)
        doc = ef.document()
    wb = openpyxl.load_workbook(out)
    names = wb.sheetnames
    assert names.index("Sensitivity") == names.index("Results") + 1
    assert names.index("Shared service") == names.index("Sensitivity") + 1

    sens = wb["Sensitivity"]
    switching = table(sens, "Node")
    assert [r["Node"] for r in switching] == [e["node"] for e in data["switching"]]
    assert [r["Node"] for r in switching] == [c["id"] for c in doc["criteria"]
                                             if c["parent"] is None
                                             and c["kind"] != "pass_fail"]
    for row, e in zip(switching, data["switching"]):
        assert row["Today's weight (%)"] == pytest.approx(e["weight"])
        assert row["Holds from (%)"] == pytest.approx(e["holds_from"])
        assert row["Holds to (%)"] == pytest.approx(e["holds_to"])
        for col, key in (("Winner below", "winner_below"), ("Winner above", "winner_above")):
            if e[key]:
                assert row[col].startswith(e[key] + " ")
            else:
                assert row[col].startswith("none")
    # today's weights of the top-level nodes add up to 100
    assert sum(r["Today's weight (%)"] for r in switching) == pytest.approx(100)

    formulas = table(sens, "Formula")
    assert [r["Formula"] for r in formulas] == ["lowest_relative", "linear_deviation"]
    assert all(r["Winner"].startswith(data["formulas"][r["Formula"]]) for r in formulas)

    winner = src.results.winner
    ranked = [src.results.snap.bid_ids[i] for i in src.results.ranking]
    loo = table(sens, "Withdrawn bid")
    assert [r["Withdrawn bid"] for r in loo] == [b for b in ranked if b != winner]
    assert [r["Rank reversal"] for r in loo] == [
        "yes" if e["reversal"] else "no" for e in data["leave_one_out"]]

    mc = {r[0]: r[2] for r in sens.iter_rows(values_only=True) if r[0] in ("Draws",
                                                                          "Random seed")}
    assert mc == {"Draws": 10000, "Random seed": 1}
    probs = table(sens, "Bid ID")
    assert [r["Bid ID"] for r in probs] == ranked
    assert sum(r["Win probability"] for r in probs) == pytest.approx(1.0)
    for r in probs:
        assert r["Win probability"] == pytest.approx(
            data["monte_carlo"]["win_probability"][r["Bid ID"]])
    text = "\n".join(str(r[0]) for r in sens.iter_rows(values_only=True) if r[0])
    assert "Method: in each of 10,000 draws (random seed 1)" in text

    shared = wb["Shared service"]
    rows = cells_under(shared, "Bid ID")
    shared_bids = [b for b in doc["bids"] if b.get("apportionment")]
    assert shared_bids, "the sample tender has a shared-service bid"
    assert [(r["Bid ID"].value, r["Partner ID"].value) for r in rows] == [
        (s["bid"], s["partner"]) for s in data["shared"]]
    for r in rows:
        for col in ("Share", "Bid's cost", "Partner's cost", "Baseline", "Saving"):
            assert r[col].data_type == "f", col
        assert "Costs!" in r["Bid's cost"].value
        assert "£" in r["Partner's cost"].number_format
    partners = table(shared, "Partner ID")
    assert [p["Partner ID"] for p in partners] == [p["id"] for p in doc["partners"]]


def test_what_an_officer_expects_of_the_new_sheets(tmp_path):
    src = Source.load(make_file(tmp_path, shared_doc()))
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"))
    for name in ("Sensitivity", "Shared service"):
        ws = wb[name]
        assert ws.freeze_panes == "A3", name
        assert ws.print_title_rows == "$1:$2", name
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth in (None, 1), name  # 1 page wide (the default)
        # column B holds suppliers' and partners' names: wide enough for the longest
        names = [b["supplier"] for b in src.doc["bids"]] + [p["name"] for p in PARTNERS]
        assert ws.column_dimensions["B"].width > max(map(len, names)), name
    rules = [(str(rng.sqref), r) for rng in wb["Sensitivity"].conditional_formatting
             for r in rng.rules]
    loo_col = next(c.column_letter for c in next(
        r for r in wb["Sensitivity"].iter_rows() if r[0].value == "Withdrawn bid")
        if c.value == "Rank reversal")
    assert any(sq.startswith(loo_col) and r.formula == ['"yes"'] for sq, r in rules)
    saving = [r for rng in wb["Shared service"].conditional_formatting for r in rng.rules
              if r.operator == "lessThan"]
    assert saving  # a negative saving shows red


# ---- LibreOffice recalculation of the Shared service formulas -------------------------

def test_libreoffice_recalculates_shared_service_to_the_analysis(soffice, tmp_path, demo):
    cases = [("wlc.pdesk", shared_doc("wlc")), ("npv.pdesk", shared_doc("npv", rate=0.1))]
    srcs = [Source.load(make_file(tmp_path, doc, name)) for name, doc in cases]
    srcs.append(Source.load(demo))
    files = [write_xlsx(s, tmp_path / f"{s.path.stem}.xlsx") for s in srcs]
    books = recalc(soffice, tmp_path, files)
    for wb, src in zip(books, srcs):
        with EvaluationFile.open(src.path) as ef:
            data = analyse(ef, draws=10)
        rows = table(wb["Shared service"], "Bid ID")
        assert len(rows) == len(data["shared"]) > 0
        for row, want in zip(rows, data["shared"]):
            assert (row["Bid ID"], row["Partner ID"]) == (want["bid"], want["partner"])
            for col, key in (("Share", "share"), ("Partner's cost", "cost"),
                             ("Baseline", "baseline"), ("Saving", "saving"),
                             ("Going alone", "go_alone_cost")):
                assert row[col] == pytest.approx(want[key], abs=1e-6), (src.path.name, col)
            assert row["Beats alone"] == ("yes" if want["beats_go_alone"] else "no")
        even = list(wb["Shared service"].iter_rows(values_only=True))
        k = next(i for i, r in enumerate(even) if r[4] == "Partners of average size needed")
        for r, want in zip(even[k + 1:], data["break_even"]):
            assert r[0] == want["bid"]
            assert r[4] == want["partners_needed"]
            assert r[5] == want["partners_sharing"]
            assert r[6] == pytest.approx(want["average_population"])

    # worked by hand on the WLC case (3 years, no discounting; going alone = B1, 300,000):
    wlc = {(r["Bid ID"], r["Partner ID"]): r for r in table(books[0]["Shared service"],
                                                            "Bid ID")}
    # B2 (540,000) split equally by three: 180,000 each; C1 pays 100,000 a year today
    assert wlc["B2", "C1"]["Partner's cost"] == pytest.approx(180000)
    assert wlc["B2", "C1"]["Saving"] == pytest.approx(300000 - 180000)
    # B3 (720,000) custom 30/70 between C1 and C2
    assert wlc["B3", "C2"]["Partner's cost"] == pytest.approx(0.7 * 720000)
    # B4 (270,000) by population 50,000 : 150,000
    assert wlc["B4", "C2"]["Share"] == pytest.approx(0.75)
    assert wlc["B4", "C2"]["Saving"] == pytest.approx(900000 - 0.75 * 270000)
    assert wlc["B3", "C2"]["Beats alone"] == "no"  # 504,000 is not below 300,000
    # NPV at 10%: 1 a year is worth 1 + 1/1.1 + 1/1.21
    npv = {(r["Bid ID"], r["Partner ID"]): r for r in table(books[1]["Shared service"],
                                                            "Bid ID")}
    factor = 1 + 1 / 1.1 + 1 / 1.21
    assert npv["B2", "C3"]["Baseline"] == pytest.approx(90000 * factor)
    assert npv["B2", "C3"]["Partner's cost"] == pytest.approx(180000 * factor / 3)


# ---- the PDF report's Robustness section ----------------------------------------------

def test_pdf_says_the_winner_depends_on_the_price_formula(tmp_path):
    # Quality 50 / price 50. A scores 5/5 at 150,000, B 3/5 at 100,000.
    #   lowest relative: A 50 + 50 x 100/150 = 83.3, B 30 + 50 = 80: A wins
    #   linear deviation: A 50 + 50 x (1 - 0.5) = 75, B 80: B wins
    # and with quality share p, A - B = 0.4 p - (100 - p) / 3, zero at p = 500/11 = 45.5,
    # within 5 points of today's 50; the price share mirrors it (B wins above 54.5).
    doc = final(make_doc([("A", 5, 150000), ("B", 3, 100000)], q=50, p=50))
    src = Source.load(make_file(tmp_path, doc))
    assert src.results.winner == "A"
    assert not src.provisional
    text = pdftext(write_pdf(src, tmp_path / "report.pdf"))
    assert "4. Robustness" in text
    assert ("Robustness. The winner depends on the price formula; on the weight of Q "
            "(Quality), within 5 points of today's; and on the weight of P (Price), within 5 "
            "points of today's. See section 4.") in text
    assert "The winner could change." in text
    assert ("The winner depends on the price formula: lowest relative gives A Supplier A; "
            "linear deviation gives B Supplier B.") in text
    assert "fell from 50.0% to below 45.5%, B Supplier B would win" in text
    assert "rose from 50.0% to above 54.5%, B Supplier B would win" in text
    assert "The decision is robust" not in text
    for heading in ("5. Bid by bid", "6. Moderation record", "8. Audit summary"):
        assert heading in text

    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"))
    formulas = {r["Formula"]: r for r in table(wb["Sensitivity"], "Formula")}
    assert formulas["linear_deviation"]["Same as today's winner"] == "no"
    assert formulas["lowest_relative"]["Same as today's winner"] == "yes"
    q = next(r for r in table(wb["Sensitivity"], "Node") if r["Node"] == "Q")
    assert q["Holds from (%)"] == pytest.approx(500 / 11)
    assert q["Within 5 points"] == "yes"


def test_pdf_flags_a_rank_reversal_when_a_bid_withdraws(tmp_path):
    # Quality 50 / price 50, lowest relative. A 5/5 at 200, B 4/5 at 150, C 0/5 at 100:
    #   with C: A 50 + 25 = 75, B 40 + 33.3 = 73.3: A wins
    #   without C (lowest now 150): A 50 + 37.5 = 87.5, B 40 + 50 = 90: B wins.
    doc = final(make_doc([("A", 5, 200), ("B", 4, 150), ("C", 0, 100)], q=50, p=50))
    src = Source.load(make_file(tmp_path, doc))
    text = pdftext(write_pdf(src, tmp_path / "report.pdf"))
    assert "and on whether C withdraws. See section 4." in text
    assert ("If C Supplier C withdrew, the prices would be re-scored and B Supplier B would "
            "win instead.") in text
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"))
    loo = {r["Withdrawn bid"]: r for r in table(wb["Sensitivity"], "Withdrawn bid")}
    assert loo["C"]["Rank reversal"] == "yes"
    assert loo["B"]["Rank reversal"] == "no"


def test_pdf_says_plainly_when_the_decision_is_robust(tmp_path):
    # A is better and cheaper: it wins at every weight, under both formulas, whoever
    # withdraws.
    doc = make_doc([("A", 5, 100), ("B", 2, 200), ("C", 1, 300)])
    src = Source.load(make_file(tmp_path, final(doc)))
    text = pdftext(write_pdf(src, tmp_path / "report.pdf"))
    assert "Robustness. The recommendation is robust: A wins under both price formulas" in text
    assert "The decision is robust. A Supplier A wins under both price formulas" in text
    assert "won 100.0% of 10,000 simulated draws" in text
    assert "depends on" not in text
    assert "what each partner pays" not in text  # no shared bids, no table
    # the same figures while the results are provisional: never called robust
    src = Source.load(make_file(tmp_path, doc, "provisional.pdesk"))
    assert src.provisional
    text = pdftext(write_pdf(src, tmp_path / "provisional.pdf"))
    assert "is robust" not in text  # neither the recommendation nor the decision
    assert ("Robustness. The results are provisional, so the decision cannot be called "
            "robust yet") in text
    assert "Not yet robust: the results are provisional." in text
    assert "On the provisional results, A Supplier A leads under both price formulas" in text
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "provisional.xlsx"))
    words = " ".join(str(c.value) for row in wb["Sensitivity"].iter_rows() for c in row)
    assert "Today's provisional leader: A Supplier A" in words
    assert "cannot be called robust yet" in words
    assert "is robust" not in words


def test_pdf_shared_service_table_and_hostile_text(tmp_path):
    doc = shared_doc()
    doc["bids"][1]["supplier"] = "<b>Shared</b> & <font size=40>Co</font>"
    doc["partners"][0]["name"] = '=HYPERLINK("http://evil.example","x")'
    src = Source.load(make_file(tmp_path, doc))
    story = build_story(src)
    assert story  # the flowables build with markup in the supplier name
    text = pdftext(write_pdf(src, tmp_path / "report.pdf"))
    assert "Shared service: what each partner pays and saves" in text
    assert "<b>Shared</b> & <font size=40>Co</font>" in text
    assert "Break-even for B2: against going alone with B1 Supplier B1 at £300,000, 2 " \
           "partners of average size must share it for each to pay less; 3 share it now." \
           in text
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"))
    for name in ("Sensitivity", "Shared service"):
        for row in wb[name].iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert "HYPERLINK" not in c.value
                    assert "evil" not in c.value
    values = [c.value for row in wb["Shared service"].iter_rows() for c in row]
    assert "=HYPERLINK(\"http://evil.example\",\"x\")" in values  # as typed, as text


@pytest.mark.parametrize(("currency", "saving", "baseline"), [
    ("GBP", "-£150,000", "£30,000"), ("EUR", "-€150,000", "€30,000"),
    ("CHF", "-150,000 CHF", "30,000 CHF")])
def test_pdf_writes_amounts_as_the_app_does(tmp_path, currency, saving, baseline):
    # East Council pays 10,000 a year today: a third of B2 (180,000) costs it more
    doc = shared_doc()
    doc["evaluation"]["currency"] = currency
    doc["partners"][2]["baseline_annual_cost"] = 10000
    src = Source.load(make_file(tmp_path, doc))
    text = pdftext(write_pdf(src, tmp_path / "report.pdf"))
    assert f"B2 C3 East Council 33.3% {baseline.replace('30,000', '180,000')} {baseline} " \
           f"{saving}" in text
    assert "£-" not in text
    assert "€-" not in text
