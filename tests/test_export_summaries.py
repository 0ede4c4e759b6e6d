"""Assessment summaries (reg. 31) and notices of exclusion: only tenders receive them,
each with its own scores and reasons, the successful tender's for an unsuccessful
bidder, and nothing that names another supplier (docs/evidence.md)."""

import copy
import re
import shutil
import subprocess
import unicodedata

import pytest
from summary_docs import feedback, finished, harrowmere, set_feedback
from test_export_xlsx import make_file

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.exports import Source
from procure_desk.exports.summaries import build_summary_story, write_summaries
from procure_desk.interchange.limits import MAX_NAME, MAX_TEXT


def pdf_pages(path):
    """The text of each page in the order it is drawn (pdftotext -raw: a table cell's
    lines stay together), white space made single."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [" ".join(p.split()) for p in out.split("\f") if p.strip()]


def pdf_text(path):
    return " ".join(pdf_pages(path))


def flat(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The finished sample's letters, written once for the module: {bid: text}."""
    tmp = tmp_path_factory.mktemp("issued")
    doc = finished()
    for s in doc["scores"]:  # marked, to show that no internal note is ever printed
        s["comment"] = f"[internal note] {s.get('comment', '')}"
    for c in doc["consensus"]:
        c["rationale"] = f"[internal rationale] {c['rationale']}"
    src = Source.load(make_file(tmp, doc))
    files = write_summaries(src, tmp / "letters")
    return {p.name.split(" ")[2] if p.name.startswith("Assessment") else p.name.split(" ")[3]:
            (p, pdf_text(p)) for p in files}


def test_only_tenders_receive_letters(issued):
    # B1, B3, B5 assessed; B2 (minimum score) and B4 (gateway) excluded; B6 build, B7
    # shared service and B8 do-nothing are comparators, not tenders
    names = sorted(p.name for p, _ in issued.values())
    assert names == ["Assessment summary B1 Carrowfield Public Sector Solutions plc.pdf",
                     "Assessment summary B3 Kestrelway Digital Ltd.pdf",
                     "Assessment summary B5 Brightmoor Case Cloud Ltd.pdf",
                     "Notice of exclusion B2 Stratavane Enterprise Software UK Ltd.pdf",
                     "Notice of exclusion B4 Lanthorn CRM Ltd.pdf"]
    for _, text in issued.values():
        assert "in-house" not in text
        assert "Harrowmere DC Digital Team" not in text
        assert "Ashcombe" not in text
        assert "Pellory" not in text


def test_an_unsuccessful_bidder_sees_the_successful_tender(issued):
    doc = finished()
    _, b1 = issued["B1"]
    # rank among the three tenders assessed, never among all eight options
    assert "Your tender was not successful. It has 76.38 points of 100" in b1
    assert "ranked 2 of 3 tenders assessed" in b1
    assert not re.search(r"of [4-8] tenders", b1)
    # the successful tender's supplier, its total, scores and reasons
    assert "The tender of Kestrelway Digital Ltd is the successful tender, with 79.03 " \
           "points of 100" in b1
    # each criterion's row holds both tenders' scores and points, side by side, and
    # beneath it the reasons of each, labelled
    assert "Your tender score" in b1
    assert "Successful tender score" in b1
    assert "F1 Exit cost and ease of leaving 8.00 3 of 5 4.80 4 of 5 6.40" in b1
    assert f"Your tender: {flat(feedback(doc, 'B1', 'F2'))} " \
           f"Successful tender: {flat(feedback(doc, 'B3', 'F2'))}" in b1
    assert b1.count("Total: ") == 2
    assert "Total: the successful tender (Kestrelway Digital Ltd) has 79.03 points" in b1
    # no other unsuccessful or excluded tender is named, nor its reasons
    for name in ("Brightmoor", "Stratavane", "Lanthorn"):
        assert name not in b1
    assert flat(feedback(doc, "B5", "F2")) not in b1
    # the successful tender's columns and reasons are the same in every unsuccessful
    # bidder's summary
    _, b5 = issued["B5"]
    for f in doc["feedback"]:
        if f["bid"] == "B3":
            label = f"Successful tender: {flat(f['text'])}"
            assert label in b1, f["criterion"]
            assert label in b5, f["criterion"]
    assert flat(feedback(doc, "B3", "S2")) in b5


def test_a_criterion_and_its_reasons_stay_on_one_page(issued):
    """Where the table runs on to a new page, the page starts with a criterion's row
    (under the repeated header), never with reasons cut from their row."""
    pages = pdf_pages(issued["B1"][0])
    header = "Successful tender score Successful tender points "
    continued = [p.split(header, 1)[1] for p in pages[1:] if header in p]
    assert continued  # the table does run on to further pages
    for rest in continued:
        assert re.match(r"[A-Z]+[0-9]* ", rest), rest[:80]
        assert not rest.startswith(("Your tender:", "Successful tender:"))


def test_the_successful_bidder_sees_only_its_own(issued):
    doc = finished()
    _, b3 = issued["B3"]
    assert "Your tender is the most advantageous tender: it has 79.03 points of 100" in b3
    assert "not successful" not in b3
    for name in ("Carrowfield", "Brightmoor", "Stratavane", "Lanthorn"):
        assert name not in b3
    assert f"Your tender: {flat(feedback(doc, 'B3', 'D1'))}" in b3
    assert flat(feedback(doc, "B1", "D1")) not in b3
    # its own columns only
    assert "Your tender score" in b3
    assert "Successful tender" not in b3
    assert "F1 Exit cost and ease of leaving 8.00 4 of 5 6.40 Your tender:" in b3


def test_internal_comments_and_rationales_never_appear(issued):
    for _, text in issued.values():
        assert "[internal note]" not in text
        assert "[internal rationale]" not in text
        assert "Agreed 3: exit assistance is fixed at £56k" not in text


def test_criteria_weights_scale_and_standstill(issued):
    _, b5 = issued["B5"]
    # each section's row: its weight and both tenders' subtotals
    assert "F Freedom to change 32.00 20.70 26.73" in b5
    # what excludes a tender, beneath the criterion's name
    assert "F2 Data portability Minimum score 2: a lower score excludes the tender 8.00 " \
           "3.5 of 5 5.60 4.67 of 5 7.47 Your tender:" in b5
    assert "G1 Cyber Essentials Plus Pass or fail: a fail excludes the tender pass/fail " \
           "pass pass" in b5
    # the scale and what each score means, once, at the top
    for score, words in ((0, "Unacceptable"), (3, "Satisfactory"), (5, "Excellent")):
        assert b5.count(f"{score} {words}") == 1
    assert b5.index("What the score means") < b5.index("Award criterion")
    # its own score and points beside the successful tender's
    assert "F1 Exit cost and ease of leaving 8.00 3.5 of 5 5.60 4 of 5 6.40" in b5
    # a price criterion without feedback: the formula in words
    assert "P Whole-life cost (NPV over 5 years, including exit): the price score is " \
           "the lowest cost" in b5
    # notice on Monday 19 October 2026: 8 working days end on Wednesday 28 October
    assert "ends at midnight at the end of Wednesday 28 October 2026" in b5
    assert "procurement@harrowmere.gov.uk" in b5
    assert "DRAFT" not in b5


def test_an_excluded_tender_gets_a_notice_of_the_reason(issued):
    doc = finished()
    _, b2 = issued["B2"]
    assert "Notice of exclusion" in b2
    assert "was excluded from the competition and was not assessed" in b2
    assert "The score of 1 is below the minimum of 2." in b2
    assert flat(feedback(doc, "B2", "D1")) in b2
    _, b4 = issued["B4"]
    assert "G1 Cyber Essentials Plus" in b4
    assert "did not meet this mandatory requirement" in b4
    for _, text in (issued["B2"], issued["B4"]):
        assert "Kestrelway" not in text
        assert "successful tender" not in text
        # the gateway note is internal and not printed
        assert "booked for after the tender deadline" not in text


def _export(tmp_path, doc, *extra, name="e.pdesk"):
    path = make_file(tmp_path, doc, name)
    out = tmp_path / f"{name}-letters"
    return main(["export", str(path), "--summaries", str(out), *extra]), out


def test_feedback_naming_another_supplier_is_refused_with_every_hit(tmp_path, capsys):
    doc = finished()
    # to B1: the successful tender may be named, but not its price, however written
    set_feedback(doc, "B1", "F1", "Weaker than Kestrelway (B3), whose price of £614k "
                                  "was lower")
    # to B5: another unsuccessful bidder, by a distinctive word of its name
    set_feedback(doc, "B5", "F3", "Less modular than Carrowfield's suite.")
    # the successful tender's reasons reach its own summary and every unsuccessful
    # bidder's
    set_feedback(doc, "B3", "F4", "Unlike Lanthorn, the APIs are documented.")
    code, out = _export(tmp_path, doc)
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    lines = [x for x in err.splitlines() if x.startswith("procure-desk: feedback ")]
    assert len(lines) == 3, err
    assert any("feedback B1/F1" in x and "Kestrelway Digital Ltd (B3): whole-life cost "
               "614,000" in x and "summary for B1" in x for x in lines), err
    assert any("feedback B5/F3" in x and "Carrowfield Public Sector Solutions plc (B1)" in x
               for x in lines), err
    # (Lanthorn, B4, is excluded: its notice never carries the successful tender's
    # reasons)
    assert any("feedback B3/F4" in x and "Lanthorn CRM Ltd (B4)" in x
               and "summaries for B1, B3, B5" in x for x in lines), err


def test_a_planted_comment_naming_another_bidder_never_reaches_a_summary(tmp_path):
    doc = finished()
    planted = "Weaker than Kestrelway (B3), whose price of £614,000 was lower"
    for s in doc["scores"]:
        if (s["bid"], s["criterion"]) == ("B1", "F3"):
            s["comment"] = planted
    doc["consensus"].append({"bid": "B5", "criterion": "F3", "score": 3,
                             "rationale": planted.replace("Kestrelway", "Carrowfield")})
    code, out = _export(tmp_path, doc)
    assert code == 0  # internal notes are never printed, so never scanned
    for p in out.iterdir():
        text = pdf_text(p)
        assert "whose price" not in text
        if " B3 " not in p.name:  # B3's own summary gives its own whole-life cost
            assert "614,000" not in text


def test_the_final_check_names_everything_missing(tmp_path, capsys):
    doc = finished()
    doc["feedback"] = [f for f in doc["feedback"]
                       if (f["bid"], f["criterion"]) not in {("B5", "F3"), ("B5", "S2"),
                                                             ("B2", "D1")}]
    doc["evaluation"]["award"]["contact"] = ""
    del doc["evaluators"][0]["submitted"]
    code, out = _export(tmp_path, doc)
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    assert "results: provisional: J. Whitlock (E1) has not submitted their scores" in err
    assert "feedback B5: Brightmoor Case Cloud Ltd: no feedback written for the bidder on " \
           "2 criteria (F3, S2)" in err
    assert "feedback B2: Stratavane Enterprise Software UK Ltd: no feedback written for the " \
           "bidder on 1 criterion (D1)" in err
    assert "evaluation.award.contact: no contact" in err
    assert "use --draft" in err

    doc["evaluation"].pop("award")
    code, _ = _export(tmp_path, doc, name="no-award.pdesk")
    assert code == 2
    assert "evaluation.award: no award details" in capsys.readouterr().err


def test_draft_writes_them_marked_on_every_page(tmp_path, capsys):
    doc = finished()
    doc["feedback"] = [f for f in doc["feedback"] if f["bid"] != "B5"]
    code, out = _export(tmp_path, doc, "--draft")
    stdout = capsys.readouterr().out
    assert code == 0
    assert "DRAFT, not to be sent" in stdout
    assert "missing: feedback B5" in stdout
    files = sorted(out.iterdir())
    assert len(files) == 5
    for p in files:
        pages = pdf_pages(p)
        assert all("DRAFT: not to be sent to the bidder" in page for page in pages), p.name
    b5 = pdf_text(next(p for p in files if " B5 " in p.name))
    assert "[DRAFT: no feedback written yet]" in b5


def test_an_options_appraisal_has_no_summaries(tmp_path, capsys):
    doc = finished()
    doc["evaluation"]["procedure"] = "options_appraisal"
    code, out = _export(tmp_path, doc, "--draft")
    assert code == 2
    assert not out.exists()
    assert "evaluation is an options appraisal" in capsys.readouterr().err


def test_hostile_and_long_feedback_prints_as_typed(tmp_path):
    doc = finished()
    set_feedback(doc, "B5", "F1", "<b>Bold & =cmd|' /C calc'!A0 </b> \u5b89\u5168")
    long = ("Evidence of exit planning is thin in places. " * 500)[:MAX_TEXT]
    set_feedback(doc, "B5", "F2", long)
    doc["bids"][4]["supplier"] = "B" + "r" * (MAX_NAME - 2) + "x"
    src = Source.load(make_file(tmp_path, doc))
    files = write_summaries(src, tmp_path / "out")
    b5 = pdf_text(next(p for p in files if " B5 " in p.name))
    assert "<b>Bold & =cmd|' /C calc'!A0 </b>" in b5
    assert b5.count("Evidence of exit planning is thin in places.") >= 400  # every line
    assert "(continued)" in b5


def test_story_holds_the_letter_for_previews(tmp_path):
    src = Source.load(make_file(tmp_path, finished()))
    story = build_summary_story(src, "B5")
    assert story
    with pytest.raises(BadInput, match="gets no assessment summary"):
        build_summary_story(src, "B6")


def test_file_names_are_safe_on_windows(tmp_path):
    doc = finished()
    doc["bids"][0]["supplier"] = "CON"
    doc["bids"][2]["supplier"] = 'a<b>:"c"/d\\e|f?g*h. '
    doc["bids"][4]["supplier"] = "x" * MAX_NAME
    src = Source.load(make_file(tmp_path, doc))
    names = [p.name for p in write_summaries(src, tmp_path / "out")]
    assert len({n.lower() for n in names}) == len(names) == 5
    for n in names:
        assert not set('<>:"/\\|?*') & set(n)
        assert not n[:-4].endswith((" ", "."))
        assert len(n) < 120


@pytest.fixture
def ready_file(tmp_path):
    return make_file(tmp_path, finished(), "ready.pdesk")


def test_refuses_to_overwrite(tmp_path, ready_file):
    src = Source.load(ready_file)
    write_summaries(src, tmp_path / "s")
    with pytest.raises(BadInput, match="already exists"):
        write_summaries(src, tmp_path / "s")
    assert len(write_summaries(src, tmp_path / "s", force=True)) == 5


def _cancel_after(n_reports):
    """A progress callback that cancels on its n-th call (as the app's Cancel does)."""
    from procure_desk.errors import Cancelled

    calls = []

    def report(fraction, message):
        calls.append(message)
        if len(calls) == n_reports:
            raise Cancelled()

    return report, calls


def folder_state(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("force", [False, True])
def test_cancel_midway_leaves_the_folder_as_it_was(tmp_path, ready_file, force):
    from procure_desk.errors import Cancelled

    src = Source.load(ready_file)
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "notes.txt").write_text("the officer's own file")
    if force:  # last week's summaries, to be replaced: they must survive a cancel
        write_summaries(src, folder)
    before = folder_state(folder)
    report, calls = _cancel_after(2)  # as the second letter starts
    with pytest.raises(Cancelled):
        write_summaries(src, folder, force=force, report=report)
    assert calls == ["Writing the summary for B1", "Writing the summary for B2"]
    assert folder_state(folder) == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_cancel_at_the_last_moment_and_a_folder_it_made(tmp_path, ready_file):
    from procure_desk.errors import Cancelled

    src = Source.load(ready_file)
    folder = tmp_path / "new"
    report, calls = _cancel_after(6)  # all five built; cancelled before they are placed
    with pytest.raises(Cancelled):
        write_summaries(src, folder, report=report)
    assert len(calls) == 6
    assert not folder.exists()  # the run made it, the run takes it away
    assert list(tmp_path.rglob("*.part")) == []
    assert sorted(p.name for p in write_summaries(src, folder)) == sorted(
        p.name for p in folder.iterdir())


def test_worker_processes_write_the_same_letters(tmp_path, monkeypatch):
    """Many letters are built in worker processes from the command line, each given a
    slim copy of the evaluation (no scores, no cost lines, no audit log) and its own
    letters' feedback; the letters are the same as one process writes (only the
    creation time differs), the notices of exclusion too."""
    from procure_desk.exports import summaries, summary_workers

    doc = finished()
    base = copy.deepcopy(doc["bids"][0])
    for k in range(40):  # enough tenders to be worth the processes
        b = copy.deepcopy(base)
        b["id"] = f"T{k:02d}"
        b["supplier"] = f"Tenderer {k:02d} Limited"
        b.pop("supplier_id", None)
        doc["bids"].append(b)
        doc["scores"] += [dict(s, bid=b["id"]) for s in doc["scores"] if s["bid"] == "B1"]
        doc["gateways"] += [dict(g, bid=b["id"]) for g in doc["gateways"] if g["bid"] == "B1"]
        doc["consensus"] += [dict(c, bid=b["id"]) for c in doc["consensus"]
                             if c["bid"] == "B1"]
        doc["feedback"] += [dict(f, bid=b["id"], text=f"{f['text']} ({b['id']})")
                            for f in doc["feedback"] if f["bid"] == "B1"]
    if not summary_workers.can_spawn():
        pytest.skip("worker processes cannot be started from a frozen executable")
    src = Source.load(make_file(tmp_path, doc))
    calls = []
    real = summaries.write_parallel
    monkeypatch.setattr(summaries, "write_parallel",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    one = write_summaries(src, tmp_path / "one", workers=1)
    assert calls == []
    two = write_summaries(src, tmp_path / "two", workers=2)
    assert calls == [1]
    assert [p.name for p in one] == [p.name for p in two]
    assert len(one) == 45
    assert any(p.name.startswith("Notice of exclusion") for p in one)
    for a, b in zip(one, two):
        assert pdf_text(a) == pdf_text(b), a.name
    t07 = pdf_text(next(p for p in two if " T07 " in p.name))
    assert "(T07)" in t07  # its own feedback reached the worker
    assert "(T08)" not in t07
    # beyond the pairs a worker's copy may hold, one process writes them all
    monkeypatch.setattr(summaries, "PARALLEL_PAIRS_UP_TO",
                        len(src.results.snap.bid_ids) * len(src.results.snap.scored_ids) - 1)
    three = write_summaries(src, tmp_path / "three", workers=2)
    assert calls == [1]
    assert [pdf_text(p) for p in three] == [pdf_text(p) for p in one]


def test_a_worker_is_given_no_scores_costs_or_audit(tmp_path):
    from procure_desk.exports.summary_plan import prepare
    from procure_desk.exports.summary_workers import slim

    src = Source.load(make_file(tmp_path, finished()))
    plan = prepare(src)
    lean, lean_plan = slim(src, plan)
    assert len(src.doc["scores"]) > 0
    assert len(lean.doc["scores"]) == 0
    assert lean.audit == []
    assert all("costs" not in b for b in lean.doc["bids"])
    assert lean.results.snap.s_val.size == 0
    assert lean.results.scores.spread.size == 0
    assert lean_plan.letters == []
    assert {bid for bid, _ in lean_plan.feedback} == {plan.winner}
    assert src.results.snap.s_val.size > 0  # the original is untouched


def test_no_summary_for_a_build_even_with_feedback(tmp_path):
    doc = finished()
    doc["feedback"].append({"bid": "B6", "criterion": "F1", "text": "Written by mistake."})
    src = Source.load(make_file(tmp_path, doc))
    files = write_summaries(src, tmp_path / "out")
    assert not any(" B6 " in p.name for p in files)
    assert harrowmere()["bids"][5]["option_type"] == "build"


def test_names_in_other_scripts_are_drawn_and_read_in_order(tmp_path):
    """A Chinese supplier's name is set in the fallback font (never empty boxes) and an
    Arabic one reads in its own order, in the letter and in its tables."""
    from procure_desk.exports import pdf_fonts

    if not pdf_fonts.fonts().fallback:
        pytest.skip("no fallback font for Chinese is installed (fonts-droid-fallback)")
    doc = finished()
    names = {"B1": "华为技术有限公司", "B3": "شركة النور للبرمجيات"}
    for b in doc["bids"]:
        b["supplier"] = names.get(b["id"], b["supplier"])
    for f in doc["feedback"]:  # feedback that quotes the bidder's own name
        if f["bid"] in names:
            f["text"] = f"{names[f['bid']]}: {f['text']}"
    src = Source.load(make_file(tmp_path, doc))
    files = {p.name.split(" ")[2]: p for p in write_summaries(src, tmp_path / "letters")
             if p.name.startswith("Assessment")}
    def read(path):  # laid out as read; Arabic presentation forms back to letters
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                             capture_output=True, text=True).stdout
        return re.sub("[\u200e\u200f\u202a-\u202e]", "", unicodedata.normalize("NFKC", out))

    chinese, arabic = read(files["B1"]), read(files["B3"])
    assert chinese.count(names["B1"]) >= 3  # the heading and the table rows at least
    assert arabic.count(names["B3"]) >= 3
    assert names["B3"][::-1] not in arabic
    assert names["B3"] in chinese  # the successful tender, named to B1
