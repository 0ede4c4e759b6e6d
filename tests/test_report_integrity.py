"""The report's decision integrity: the one verdict of `integrity.verdict` (never the
report's own "robust" beside a verdict that is not), failed gateways and who would win
were each a pass, abnormally low tenders with the s.34 reminder, ties with the rule
that decided them, and the options that are not tenders beside the tenders."""

import shutil
import subprocess

import pytest
from test_export_xlsx import make_file

from procure_desk.analysis import analyse
from procure_desk.exports import Source
from procure_desk.exports.pdf_report import write_pdf
from procure_desk.report_text import decisive_tie
from procure_desk.services import EvaluationFile

DECLARED = {"date": "2026-01-05", "interests": ""}
SUBMITTED = "2026-01-20T09:30:00Z"


def doc_of(bids, *, q=60, p=40, procedure=None, spread_flag=2):
    """bids: (id, E1's score or a list of scores by E1.., cost, gateway passed[, option
    type[, gateway note]]); everyone declared and submitted, so results are final."""
    n = max(len(b[1]) if isinstance(b[1], list) else 1 for b in bids)
    evaluators = [{"id": f"E{k}", "name": f"Evaluator {k}", "declaration": DECLARED,
                   "submitted": SUBMITTED} for k in range(1, n + 1)]
    recs, scores, gates = [], [], []
    for b in bids:
        bid, score, cost, passed = b[:4]
        recs.append({"id": bid, "supplier": f"Supplier {bid}",
                     "option_type": b[4] if len(b) > 4 else "best_of_breed",
                     "costs": [{"item": "Service", "category": "licence", "amount": cost,
                                "start_year": 0, "years": 1}]})
        for k, s in enumerate(score if isinstance(score, list) else [score], start=1):
            scores.append({"evaluator": f"E{k}", "bid": bid, "criterion": "Q1", "score": s})
        gates.append({"bid": bid, "criterion": "G1", "passed": passed,
                      "note": b[5] if len(b) > 5 else ""})
    ev = {"title": "Integrity example", "reference": "INT-1", "authority": "Test Council",
          "scale": {"max": 5, "step": 1}, "moderation": {"spread_flag": spread_flag},
          "appraisal": {"years": 1, "discount_rate": 0.0, "cost_basis": "wlc"}}
    if procedure:
        ev["procedure"] = procedure
    return {
        "format": "procure-desk/evaluation", "version": 1, "evaluation": ev,
        "criteria": [
            {"id": "Q", "name": "Quality", "kind": "section", "weight": q, "parent": None},
            {"id": "Q1", "name": "Fit", "kind": "scored", "weight": 1, "parent": "Q"},
            {"id": "P", "name": "Price", "kind": "price", "weight": p, "parent": None},
            {"id": "G1", "name": "Cyber Essentials Plus", "kind": "pass_fail",
             "parent": None},
        ],
        "bids": recs, "evaluators": evaluators, "scores": scores, "gateways": gates,
    }


def report_text(tmp_path, doc):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    src = Source.load(make_file(tmp_path, doc))
    assert not src.provisional
    out = write_pdf(src, tmp_path / "report.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    return src, " ".join(text.split())


def verdict_of(path):
    with EvaluationFile.open(path) as ef:
        return analyse(ef)


def test_the_cheapest_bid_excluded_on_a_gateway_would_win_were_it_a_pass(tmp_path):
    doc = doc_of([("A", 4, 100000, True), ("B", 4, 80000, False, "best_of_breed",
                                            "certificate <expired> 2025-12-31 & not renewed"),
                  ("C", 2, 120000, True)])
    src, text = report_text(tmp_path, doc)
    assert src.results.winner == "A"
    assert ("The winner would change. Were B Supplier B's failed gateway G1 a pass, B "
            "Supplier B would win instead of A Supplier A. It is the lowest-priced bid "
            "received.") in text
    assert "Verdict: not robust." in text
    assert "were B's failed gateway G1 a pass, B would win" in text  # the verdict's reason
    assert "Verdict. Not robust: were B's failed gateway G1 a pass, B would win." in text
    assert "is robust" not in text
    gateways = text[text.index("Gateway results"):]
    assert "B Supplier B G1 Cyber Essentials Plus FAIL certificate <expired> 2025-12-31 " \
           "& not renewed" in gateways
    assert "A Supplier A G1 Cyber Essentials Plus pass" in gateways


def test_a_clean_decision_has_the_robust_verdict(tmp_path):
    doc = doc_of([("A", 5, 100000, True), ("B", 2, 200000, True), ("C", 1, 300000, True)])
    src, text = report_text(tmp_path, doc)
    assert verdict_of(src.path)["verdict"] == {"robust": True, "reasons": []}
    assert "Verdict: robust. Every test held." in text
    assert "Verdict. Robust: every test held (section 4)." in text
    assert "No bid failed a gateway." in text
    assert "No tie: A is first on its total" in text


def test_a_winner_of_under_90_percent_of_simulations_is_not_called_robust(tmp_path):
    # A and B are all but level; A's evaluators disagree (5, 1, 3), so the simulations
    # move its score by its standard error and B often wins. No flag: the spread that
    # flags is 5, so the results are final.
    doc = doc_of([("A", [5, 1, 3], 100000, True), ("B", [3, 3, 3], 100500, True)],
                 spread_flag=5)
    src, text = report_text(tmp_path, doc)
    analysis = verdict_of(src.path)
    share = analysis["monte_carlo"]["win_probability"]["A"]
    assert src.results.winner == "A"
    assert share < 0.9
    assert analysis["verdict"]["robust"] is False
    assert f"A wins {share:.1%} of the simulations, under 90%" in text
    assert "Verdict: not robust." in text
    assert "is robust" not in text  # not the summary, not section 4
    assert "These tests hold, but the verdict says not robust (see above)." in text


def test_a_tie_is_said_with_the_rule_that_decided_it(tmp_path):
    # Quality 50 / price 50: A scores 5 at 125,000: 50 + 50 x 100/125 = 90; B scores 4 at
    # 100,000: 40 + 50 = 90. Equal totals; the higher quality puts A first.
    doc = doc_of([("A", 5, 125000, True), ("B", 4, 100000, True)], q=50, p=50)
    src, text = report_text(tmp_path, doc)
    assert src.results.winner == "A"
    assert ("A tie. A and B both have 90.00 points: the totals are equal, and the first "
            "tie-break rule, the higher quality score, puts A first (50.00 against "
            "40.00).") in text
    assert "Verdict: not robust." in text
    assert "A and B tie at 90.00 points, decided by the tie-break rule of the higher " \
           "quality score" in text
    assert "is robust" not in text
    # the one verdict (what the app and the workbook show) counts the tie too
    verdict = verdict_of(src.path)["verdict"]
    assert verdict["robust"] is False
    assert "A and B tie at 90.00 points to the printed precision, so a tie-break rule " \
           "decided" in verdict["reasons"]
    assert text.count("A and B tie at 90.00 points") == 1  # said once, with its rule


def test_identical_bids_tie_on_the_last_rule_and_are_never_robust(tmp_path):
    doc = doc_of([("A", 4, 100000, True), ("B", 4, 100000, True)])
    src, text = report_text(tmp_path, doc)
    tie = decisive_tie(src.results_json(), "wlc")
    assert tie["printed"]
    assert tie["rule"] == "id"
    assert "only the last tie-break rule, the smaller bid id, puts A before B" in tie["sentence"]
    assert "0.00 points ahead" in text
    assert "is robust" not in text
    assert "the smaller bid id, puts A before B: the authority should settle the tie" in text


def test_abnormally_low_tender_with_the_section_34_reminder(tmp_path):
    doc = doc_of([("A", 4, 100000, True), ("B", 4, 105000, True), ("C", 3, 110000, True),
                  ("D", 2, 40000, True)])
    _, text = report_text(tmp_path, doc)
    assert ("1 tender is priced more than 20% below the median of the other tenders not "
            "excluded") in text
    assert "D Supplier D £40,000 £105,000 62%" in text
    assert ("Before any rejection. Procurement Act 2023, s.34: a tender that appears "
            "abnormally low may be rejected only after the supplier has been asked to "
            "explain its price") in text


def test_options_that_are_not_tenders_are_shown_beside_the_tenders(tmp_path):
    doc = doc_of([("A", 3, 100000, True), ("B", 2, 90000, True),
                  ("C", 5, 95000, True, "build")], procedure="competitive_tender")
    src, text = report_text(tmp_path, doc)
    c = next(b for b in src.results_json()["bids"] if b["id"] == "C")
    assert c["status"] == "comparator"
    assert src.results.winner != "C"
    w = next(b for b in src.results_json()["bids"] if b["rank"] == 1)
    assert (f"The build option C Supplier C would have scored {c['total']:.2f} points "
            f"(quality {c['quality']:.2f}, price {c['price']:.2f}), "
            f"{abs(w['total'] - c['total']):.2f} points above the winning tender: placed "
            f"among the 2 ranked tenders it would have come 1st of 3.") in text
    assert "only suppliers' tenders compete and can win" in text
    assert ("3 bids were received: 2 ranked, 0 excluded, 0 incomplete and 1 comparator "
            "(not tenders).") in text


def test_the_terminal_table_says_the_tie_too(tmp_path, capsys):
    from procure_desk.cli import main

    doc = doc_of([("A", 5, 125000, True), ("B", 4, 100000, True)], q=50, p=50)
    path = make_file(tmp_path, doc)
    assert main(["results", str(path)]) == 0
    out = capsys.readouterr().out
    assert ("Tie: A and B both have 90.00 points: the totals are equal, and the first "
            "tie-break rule, the higher quality score, puts A first (50.00 against "
            "40.00).") in out
    # no tie, no such line
    path = make_file(tmp_path, doc_of([("A", 5, 100000, True), ("B", 2, 100000, True)]),
                     "clear.pdesk")
    assert main(["results", str(path)]) == 0
    assert "Tie:" not in capsys.readouterr().out
