"""Assessment summaries: each bidder's own figures and reasons, nobody else's."""

import re
import shutil
import subprocess

import pytest
from final_docs import final_example
from test_export_xlsx import make_file, rich_doc

from procure_desk.exports import Source
from procure_desk.exports.summaries import build_summary_story, write_summaries
from procure_desk.interchange.limits import MAX_NAME


def pdf_text(path):
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
    pytest.skip("pdftotext (poppler-utils) is not installed")


def story_text(story):
    out = []
    for f in story:
        if hasattr(f, "getPlainText"):
            out.append(f.getPlainText())
        elif hasattr(f, "_cellvalues"):
            for row in f._cellvalues:
                out += [c.getPlainText() if hasattr(c, "getPlainText") else str(c) for c in row]
    return "\n".join(out)


def secrets_of_others(doc, res, bid_id):
    """Everything about the other bids that a summary must not show."""
    out = []
    for i, b in enumerate(doc["bids"]):
        if b["id"] == bid_id:
            continue
        out += [b["supplier"], f"tender {b['id']}", f"{res.snap.wlc[i]:,.0f}",
                f"{res.snap.npv[i]:,.0f}"]
        if res.total[i] == res.total[i]:
            out.append(f"{res.total[i]:.2f}")
    out += [s["comment"] for s in doc["scores"] if s["bid"] != bid_id and s.get("comment")]
    out += [c["rationale"] for c in doc["consensus"] if c["bid"] != bid_id]
    return out


def shown(secret, text):
    """Whether secret appears as a whole: 50,000 is not shown by 650,000."""
    return re.search(rf"(?<![\w,.]){re.escape(secret)}(?![\w,]|\.\d)", text) is not None


def test_each_summary_names_no_other_supplier(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    src = Source.load(make_file(tmp_path, doc))
    files = write_summaries(src, tmp_path / "summaries")
    assert len(files) == len(doc["bids"])
    res = src.results
    for b, path in zip(doc["bids"], files):
        text = pdf_text(path)
        flat = " ".join(text.split())
        assert b["supplier"] in flat
        # the own explanation is there: consensus rationale or the evaluators' comments
        agreed = {c["criterion"]: c["rationale"] for c in doc["consensus"]
                  if c["bid"] == b["id"]}
        own = [agreed.get(s["criterion"], s.get("comment")) for s in doc["scores"]
               if s["bid"] == b["id"] and s.get("comment")]
        assert own
        assert all(c in flat for c in own)
        for secret in secrets_of_others(doc, res, b["id"]):
            assert not shown(secret, flat), (b["id"], secret)
        # the same holds for what is built, whatever a PDF text extractor might miss
        built = story_text(build_summary_story(src, b["id"]))
        for secret in secrets_of_others(doc, res, b["id"]):
            assert not shown(secret, built), (b["id"], secret)


def test_outcome_and_reasons(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    src = Source.load(make_file(tmp_path, doc))
    res = src.results
    texts = {b["id"]: " ".join(story_text(build_summary_story(src, b["id"])).split())
             for b in doc["bids"]}
    winner = res.winner
    # B4 is not scored in full, so the results are provisional: nobody is told they
    # won or lost yet
    assert src.provisional
    assert "DRAFT: the results are provisional." in texts[winner]
    assert f"ranked 1 of {len(res.ranking)}" in texts[winner]
    assert "successful tender" not in texts[winner]
    assert "no tender has been found successful yet" in texts[winner]
    loser = src.results.snap.bid_ids[res.ranking[1]]
    assert f"ranked 2 of {len(res.ranking)}" in texts[loser]
    assert "not successful" not in texts[loser]
    assert "On the results so far your tender is excluded" in texts["B3"]
    assert "failed the gateway G1" in texts["B3"]
    assert "moderated" in texts["B5"]  # its consensus rationale explains SV
    for text in texts.values():
        assert "must not be sent to the bidder" in text

    # once final: the successful tender, and the others told why not
    src = Source.load(make_file(tmp_path, final_example(example_doc), "final.pdesk"))
    assert not src.provisional
    texts = {b: " ".join(story_text(build_summary_story(src, b)).split())
             for b in ("B1", "B2")}
    assert "is the successful tender, with 72.30 points of 100" in texts["B1"]
    assert "Your tender was not successful. It scored 70.00 points" in texts["B2"]
    assert "ranked 2 of 2 tenders assessed in full: another tender scored higher" in texts["B2"]
    assert all("DRAFT" not in t for t in texts.values())


def test_file_names_are_safe_on_windows(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    doc["bids"][0]["supplier"] = 'CON'
    doc["bids"][1]["supplier"] = 'a<b>:"c"/d\\e|f?g*h. '
    doc["bids"][2]["supplier"] = "x" * MAX_NAME
    doc["bids"][3]["supplier"] = "a<b>:\"c\"/d\\e|f?g*h. "  # clashes once made safe
    src = Source.load(make_file(tmp_path, doc))
    files = write_summaries(src, tmp_path / "out")
    names = [p.name for p in files]
    assert len({n.lower() for n in names}) == len(names)
    for n in names:
        stem = n[:-4]
        assert not set('<>:"/\\|?*') & set(n)
        assert not stem.endswith((" ", "."))
        assert len(n) < 120
        assert stem.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}


def test_file_names_read_naturally(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    doc["bids"][1]["supplier"] = "Pellory Systems Ltd (incumbent: keep the legacy CRM)"
    src = Source.load(make_file(tmp_path, doc))
    names = [p.name for p in write_summaries(src, tmp_path / "out")]
    assert ("Assessment summary B2 Pellory Systems Ltd (incumbent - keep the legacy CRM).pdf"
            in names)


def test_each_comment_sits_beside_its_evaluator_and_score(tmp_path, example_doc):
    """Evaluators' comments are laid out as a bold label with the comment beside it."""
    doc = rich_doc(example_doc)
    src = Source.load(make_file(tmp_path, doc))
    files = write_summaries(src, tmp_path / "summaries")
    b1 = next(p for p in files if " B1 " in p.name)
    lines = [" ".join(line.split()) for line in pdf_text(b1).splitlines()]
    # B1 Q1: E1 scored 3 ("E1 on B1 Q1"), E2 4 (no comment), E3 1 (no comment)
    assert "Evaluator 1 (score 3): E1 on B1 Q1" in lines
    assert "Evaluator 2 (score 4): no comment recorded" in lines
    assert "Evaluator 3 (score 1): no comment recorded" in lines
    # and in one font per paragraph (the label is the bullet): bold and regular mixed in
    # one paragraph took reportlab twice as long, minutes over a large evaluation
    story = build_summary_story(src, "B1")
    comments = [f for f in story if "E1 on B1" in getattr(f, "text", "")]
    assert len(comments) == 3  # Q1, Q2 and SV (Q3 has a consensus instead)
    for f in comments:
        assert len({frag.fontName for frag in f.frags}) == 1
        assert f.bulletText.startswith("Evaluator 1 (score ")


def test_refuses_to_overwrite(tmp_path, example_file):
    from procure_desk.errors import BadInput

    src = Source.from_file(example_file)
    write_summaries(src, tmp_path / "s")
    with pytest.raises(BadInput, match="already exists"):
        write_summaries(src, tmp_path / "s")
    assert len(write_summaries(src, tmp_path / "s", force=True)) == 2


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
def test_cancel_midway_leaves_the_folder_as_it_was(tmp_path, example_file, force):
    from procure_desk.errors import Cancelled

    src = Source.from_file(example_file)
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "notes.txt").write_text("the officer's own file")
    if force:  # last week's summaries, to be replaced: they must survive a cancel
        write_summaries(src, folder)
    before = folder_state(folder)
    # the example has two bids: cancel as the second summary starts, after the first
    # has been written
    report, calls = _cancel_after(2)
    with pytest.raises(Cancelled):
        write_summaries(src, folder, force=force, report=report)
    assert calls == ["Writing the summary for B1", "Writing the summary for B2"]
    assert folder_state(folder) == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_cancel_at_the_last_moment_and_a_folder_it_made(tmp_path, example_file):
    from procure_desk.errors import Cancelled

    src = Source.from_file(example_file)
    folder = tmp_path / "new"
    report, calls = _cancel_after(3)  # both built; cancelled before they are put in place
    with pytest.raises(Cancelled):
        write_summaries(src, folder, report=report)
    assert len(calls) == 3
    assert not folder.exists()  # the run made it, the run takes it away
    assert list(tmp_path.rglob("*.part")) == []
    # and once not cancelled, every summary is there
    assert [p.name for p in write_summaries(src, folder)] == sorted(
        p.name for p in folder.iterdir())
