"""Every export and the evaluation's life (docs/evidence.md): verified first, stamped
with the audit head it was made from and recorded in the audit log, DRAFT with what is
outstanding while the results are provisional, the declarations, the seal and the
changes to the published methodology."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from final_docs import final_example
from older_files import store_unchecked
from summary_docs import ready_to_issue
from test_export_hostile import saved_before_the_chain
from test_export_xlsx import make_file

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.exports import Source
from procure_desk.exports.pdf_report import write_pdf
from procure_desk.exports.xlsx_governance import DRAFT_HEADER
from procure_desk.exports.xlsx_pack import SHEETS, write_xlsx
from procure_desk.provenance import read_stamps, stamp
from procure_desk.services import EvaluationFile

DRAFT_PAGE = "DRAFT: provisional results, not a decision to award"
HOSTILE_NATURE = '=HYPERLINK("http://evil.example","x") <b>employed</b> & more'


def pdf_pages(path: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(p.split()) for p in text.split("\f")[:-1]]


def pdf_keywords(path: Path) -> str:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return next(line.split(":", 1)[1].strip() for line in info.splitlines()
                if line.startswith("Keywords:"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_all(pdesk: Path, out: Path, *extra: str) -> list[str]:
    return ["export", str(pdesk), "--xlsx", str(out / "pack.xlsx"), "--pdf",
            str(out / "report.pdf"), "--summaries", str(out / "summaries"), "--ocds",
            str(out / "release.json"), *extra]


def governed(tmp_path: Path, example_doc: dict, name: str = "governed.pdesk") -> Path:
    """The example, final: B. Jones declared a former employment with Small Co (B2);
    C. Evans joined, declared a conflict with B2 on 2026-01-07 (details written by a
    hostile hand) and scored B1; two changes to the published methodology were made
    after scoring opened, each with its reason; A. Patel's declaration is a nil return."""
    # a competitive tender ready for its assessment summaries (feedback, award details)
    path = make_file(tmp_path, ready_to_issue(final_example(example_doc)), name)
    with EvaluationFile.open(path) as ef:
        ef.set_declaration("tester", "E2", "2026-01-06", "Former employee of Small Co")
        ef.set_conflict_details("tester", "E2", "B2", "worked there until 2024",
                                "does not score or see its bid")
        ef.add_evaluator("tester", {"id": "E3", "name": "C. Evans", "role": "Finance"})
        ef.set_conflict("tester", "E3", "B2", True, "2026-01-07")
        ef.set_conflict_details("tester", "E3", "B2", HOSTILE_NATURE, "=1+1 leaves the room")
        ef.set_scores("tester", [{"evaluator": "E3", "bid": "B1", "criterion": c,
                                  "score": 4, "comment": ""} for c in ("Q1", "Q2")])
        ef.set_declaration("tester", "E3", "2026-01-07", "Spouse employed by Small Co")
        ef.submit("tester", "E3")
        ef.update_criterion("Dana Lead", "Q1", {"min_score": 1},
                            reason="the published minimum excluded every bid")
        appraisal = dict(ef.document()["evaluation"]["appraisal"], discount_rate=0.04)
        ef.update_evaluation("Dana Lead", {"appraisal": appraisal},
                             reason="Green Book rate <updated>")
        assert ef.results().outstanding() == []
    return path


def export_events(path: Path) -> dict[str, list]:
    with EvaluationFile.open(path) as ef:
        out: dict[str, list] = {}
        for a in ef.audit(text="export."):
            out.setdefault(a.action, []).append(a)
        return out


# ---- verify first ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["xlsx", "pdf", "summaries", "ocds"])
def test_an_altered_file_is_refused_and_nothing_is_written(kind, tmp_path, example_file,
                                                           capsys):
    path = example_file.path
    example_file.close()
    store_unchecked(path, "bid", "B2", supplier="Changed behind the log's back")
    out = tmp_path / "out"
    out.mkdir()
    target = {"xlsx": "pack.xlsx", "pdf": "report.pdf", "summaries": "summaries",
              "ocds": "release.json"}[kind]
    assert main(["export", str(path), f"--{kind}", str(out / target)]) == 2
    err = capsys.readouterr().err
    assert (f"{path}: is not intact, so nothing was exported: evaluation data: do not match "
            f"the audit log's last event") in err
    assert list(out.iterdir()) == []
    assert export_events(path) == {}
    # the app reads through Source.load: refused there too
    with pytest.raises(BadInput, match="is not intact, so nothing was exported: evaluation "
                                       "data"):
        Source.load(path)


def test_a_changed_audit_event_is_named(tmp_path, example_file, capsys):
    path = example_file.path
    example_file.close()
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE auditevent SET actor = 'someone else' WHERE id = 1")
    con.close()
    assert main(["export", str(path), "--pdf", str(tmp_path / "r.pdf")]) == 2
    assert "audit event 1 (evaluation.create by someone else" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


# ---- record and stamp ----------------------------------------------------------------------

def test_every_export_records_the_head_and_is_recorded(tmp_path, example_doc, capsys):
    path = governed(tmp_path, example_doc)
    with EvaluationFile.open(path) as ef:
        head, n = ef.head()
    line = stamp(head, n)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--as", "Jo Officer", *export_all(path, out)]) == 0
    assert f"Each export records {line}" in capsys.readouterr().out
    summaries = sorted((out / "summaries").glob("*.pdf"))
    files = [out / "pack.xlsx", out / "report.pdf", out / "release.json", *summaries]
    for f in files:
        assert read_stamps(f) == [(head, n)], f.name
        assert main(["verify", str(path), "--against", str(f)]) == 0
        assert "made from this file's history" in capsys.readouterr().out

    # in the metadata and the text of each
    assert pdf_keywords(out / "report.pdf") == line
    assert line in pdf_pages(out / "report.pdf")[0]  # the front page
    assert all(line in page for page in pdf_pages(out / "report.pdf"))  # every footer
    for s in summaries:
        assert pdf_keywords(s) == line
        assert line in pdf_pages(s)[0]
    wb = openpyxl.load_workbook(out / "pack.xlsx")
    assert wb.properties.keywords == line
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Audit chain"] == line
    assert json.loads((out / "release.json").read_text())["procureDeskAudit"] == line

    # each export is an audit event, by who exported, with the SHA-256 of what it wrote
    events = export_events(path)
    assert sorted(events) == ["export.ocds", "export.pdf", "export.summaries", "export.xlsx"]
    for action, name in (("export.xlsx", "pack.xlsx"), ("export.pdf", "report.pdf"),
                         ("export.ocds", "release.json")):
        (e,) = events[action]
        assert e.actor == "Jo Officer"
        assert e.after == {"file": name, "sha256": sha256(out / name), "head": head,
                           "events": n}
    (e,) = events["export.summaries"]
    assert e.after["file"] == "summaries"
    assert e.after["files"] == {s.name: sha256(s) for s in summaries}
    assert (e.after["head"], e.after["events"]) == (head, n)
    assert main(["verify", str(path)]) == 0  # the records keep the chain whole


def test_an_export_of_another_evaluation_is_not_from_this_history(tmp_path, example_doc,
                                                                  capsys):
    path = governed(tmp_path, example_doc)
    other = make_file(tmp_path, example_doc, "other.pdesk")
    assert main(["export", str(other), "--pdf", str(tmp_path / "other.pdf"),
                 "--xlsx", str(tmp_path / "other.xlsx")]) == 0
    capsys.readouterr()
    for f in ("other.pdf", "other.xlsx"):
        assert main(["verify", str(path), "--against", str(tmp_path / f)]) == 3
        assert "which this file's history does not hold" in capsys.readouterr().out


def test_an_export_no_longer_matches_once_the_history_is_rewritten(tmp_path, example_doc,
                                                                   capsys):
    path = governed(tmp_path, example_doc)
    assert main(["export", str(path), "--ocds", str(tmp_path / "o.json"),
                 "--summaries", str(tmp_path / "s")]) == 0
    # the whole chain recomputed (here: dropped, so the next opening starts a new one)
    saved_before_the_chain(path)
    assert main(["verify", str(path)]) == 0  # consistent with itself...
    capsys.readouterr()
    for f in [tmp_path / "o.json", *(tmp_path / "s").glob("*.pdf")]:
        assert main(["verify", str(path), "--against", str(f)]) == 3  # ...but not the past
        assert "NOT INTACT" in capsys.readouterr().out


def test_a_busy_file_refuses_the_export_and_no_file_appears(tmp_path, example_doc, capsys):
    path = governed(tmp_path, example_doc)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is saving to it
    try:
        rc = main(["export", str(path), "--pdf", str(tmp_path / "r.pdf"), "--summaries",
                   str(tmp_path / "s")])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rc == 2
    assert f"{path}: is busy" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()
    assert not (tmp_path / "s").exists()
    assert list(tmp_path.glob(".*.part")) == []
    assert export_events(path) == {}


def test_a_file_that_cannot_be_put_in_place_is_not_recorded(tmp_path, example_file,
                                                            monkeypatch):
    from procure_desk import atomic

    src = Source.from_file(example_file)

    def refuse(a, b):
        raise PermissionError(13, "in use")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(BadInput, match="could not be replaced"):
        write_pdf(src, tmp_path / "r.pdf")
    monkeypatch.undo()
    assert not (tmp_path / "r.pdf").exists()
    assert example_file.audit(text="export.") == []
    write_pdf(src, tmp_path / "r.pdf")
    assert [a.after["file"] for a in example_file.audit(text="export.")] == ["r.pdf"]


# ---- DRAFT and what is outstanding -----------------------------------------------------------

def test_provisional_exports_say_draft_and_what_is_outstanding(tmp_path, example_file,
                                                               example_doc, capsys):
    src = Source.from_file(example_file)
    assert src.provisional
    outstanding = src.outstanding
    assert [o["check"] for o in outstanding] == ["scores_missing", "not_submitted",
                                                 "declaration_missing", "flags_open"]
    pages = pdf_pages(write_pdf(src, tmp_path / "report.pdf"))
    assert all(DRAFT_PAGE in p for p in pages)  # every page
    assert "Evaluation report (DRAFT)" in pages[0]
    assert "DRAFT: the results are provisional: 4 of the checks a final decision needs " \
           "are not met yet (listed in section 1)" in pages[0]
    front = pages[1]  # section 1, straight after the cover
    assert "What is outstanding" in front
    for label, o in zip(["Scores missing", "Scores not submitted",
                         "Declarations of interests missing",
                         "Divergent scores without a consensus"], outstanding):
        assert label in front
        assert o["detail"] in front
    text = " ".join(pages)
    assert "the provisional leader is B1 from Example Suite Ltd" in text
    assert "most advantageous tender is" not in text
    assert "is robust" not in text

    from procure_desk.exports.summaries import write_summaries

    # the same, as a competitive tender: its summaries are written only as drafts
    tender = Source.load(make_file(tmp_path, ready_to_issue(example_doc), "tender.pdesk"))
    with pytest.raises(BadInput, match="not issued: the following is missing"):
        write_summaries(tender, tmp_path / "s")
    for s in write_summaries(tender, tmp_path / "s", draft=True):
        spages = pdf_pages(s)
        assert all("DRAFT: not to be sent to the bidder" in p for p in spages)
        assert "It is not a notice of the outcome" in spages[0]
        assert "DRAFT: the results are provisional" in " ".join(spages)

    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"), data_only=True)
    ws = wb["Summary"]
    assert ws["A3"].value.startswith("DRAFT: provisional results")
    assert (ws["A5"].value, ws["B5"].value) == ("Provisional leader", "B1: Example Suite Ltd")
    rows = list(ws.iter_rows(values_only=True))
    k = next(i for i, r in enumerate(rows) if r[0] == "Outstanding")
    assert rows[k - 1][0].startswith("DRAFT: the results are provisional")
    assert [(r[0], r[1]) for r in rows[k + 1:k + 5]] == [
        (lab, o["detail"]) for lab, o in zip(
            ["Scores missing", "Scores not submitted", "Declarations of interests missing",
             "Divergent scores without a consensus"], outstanding)]
    for name in SHEETS:  # printed: DRAFT at the top and foot of every page, with the
        # reference, the security marking and the page number
        ws = wb[name]
        assert ws.oddHeader.right.text == DRAFT_HEADER, name
        assert ws.oddFooter.left.text.startswith(DRAFT_HEADER), name
        assert ws.oddHeader.left.text == "HDC-2026-014", name
        assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE: COMMERCIAL", name
        assert ws.oddFooter.center.text == "OFFICIAL-SENSITIVE: COMMERCIAL", name
        assert ws.oddFooter.right.text == "Page &P of &N", name
    assert wb.properties.subject == "DRAFT: provisional results"


def test_final_exports_say_nothing_of_a_draft(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, final_example(example_doc)))
    assert not src.provisional
    text = " ".join(pdf_pages(write_pdf(src, tmp_path / "report.pdf")))
    assert "DRAFT" not in text
    assert "What is outstanding" not in text
    assert "The most advantageous tender is B1 from Example Suite Ltd" in text
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"), data_only=True)
    ws = wb["Summary"]
    assert ws["A3"].value is None
    assert (ws["A5"].value, ws["B5"].value) == ("Recommendation",
                                                "Award to B1: Example Suite Ltd")
    assert not any(r[0] == "Outstanding" for r in ws.iter_rows(values_only=True))
    assert wb["Summary"].oddHeader.right.text in (None, "")
    assert "DRAFT" not in (wb["Summary"].oddFooter.left.text or "")
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Results"].startswith("final")


# ---- declarations, the seal, methodology changes ----------------------------------------------

def test_declarations_in_the_pack_and_the_report(tmp_path, example_doc):
    src = Source.load(governed(tmp_path, example_doc))
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"))
    rows = list(wb["Declarations"].iter_rows(values_only=True))
    head = rows[0]
    got = {(r[0], r[5]): dict(zip(head, r)) for r in rows[1:] if r[0]}
    assert got["E1", "none"]["Interests declared"] == "nil return"
    assert got["E1", "none"]["Declaration date"] == "2026-01-05"
    assert got["E1", "none"]["Scores submitted"] == "2026-01-20T09:30:00Z"
    e2 = got["E2", "B2"]
    assert e2["Interests declared"] == "Former employee of Small Co"
    assert e2["Nature of the conflict"] == "worked there until 2024"
    assert e2["Mitigation"] == "does not score or see its bid"
    e3 = got["E3", "B2"]
    assert e3["Conflict declared on"] == "2026-01-07"
    assert e3["Supplier"] == "Small Co"
    assert e3["Nature of the conflict"] == HOSTILE_NATURE  # as typed, never a formula
    assert e3["Mitigation"] == "=1+1 leaves the room"
    with zipfile.ZipFile(tmp_path / "pack.xlsx") as z:
        sheet = z.read(f"xl/worksheets/sheet{SHEETS.index('Declarations') + 1}.xml")
    assert b"<f>" not in sheet

    text = " ".join(pdf_pages(write_pdf(src, tmp_path / "report.pdf")))
    section = text[text.index("7. Declarations of interests"):text.index("8. Audit summary")]
    assert "A. Patel Head of IT 2026-01-05 nil return 2026-01-20" in section
    assert "2026-01-06 Former employee of Small Co" in section
    assert "2026-01-07 Spouse employed by Small Co" in section
    conflicts = section[section.index("Declared conflicts of interest"):]
    assert "B. Jones B2 Small Co — worked there until 2024 does not score or see its bid" \
        in conflicts
    assert "C. Evans B2 Small Co 2026-01-07" in conflicts
    assert "<b>employed</b> & more =1+1 leaves the room" in conflicts  # printed as typed


def test_changes_to_the_published_methodology_are_listed(tmp_path, example_doc):
    src = Source.load(governed(tmp_path, example_doc))
    text = " ".join(pdf_pages(write_pdf(src, tmp_path / "report.pdf")))
    section = text[text.index("Changes to the published methodology"):
                   text.index("3. Results")]
    assert "2 changes were made to the published methodology after scoring opened" in section
    assert "Dana Lead" in section
    assert "Criterion Q1 Fit without customisation: min_score 2 → 1" in section
    assert "the published minimum excluded every bid" in section
    assert "Settings: appraisal.discount_rate 0.035 → 0.04" in section
    assert "Green Book rate <updated>" in section
    whens = [a.at for a in src.audit if a.action in ("criterion.update", "evaluation.update")]
    assert all(w in section for w in whens)

    plain = Source.load(make_file(tmp_path, final_example(example_doc), "plain.pdesk"))
    text = " ".join(pdf_pages(write_pdf(plain, tmp_path / "plain.pdf")))
    assert "Changes to the published methodology None: the criteria, weights" in text


def test_a_sealed_file_exports_say_who_sealed_it_and_when(tmp_path, example_doc, capsys):
    path = governed(tmp_path, example_doc)
    assert main(["--as", "Chief Officer", "seal", str(path), "--reason", "award made"]) == 0
    with EvaluationFile.open(path) as ef:
        sealed = ef.sealed()
    out = tmp_path / "out"
    out.mkdir()
    assert main(export_all(path, out)) == 0
    words = f"Sealed by Chief Officer on {sealed['at']}"
    pages = pdf_pages(out / "report.pdf")
    assert f"{words}: the evaluation record can no longer be changed. Reason: award made" \
        in pages[0]
    assert "DRAFT" not in " ".join(pages)
    for s in (out / "summaries").glob("*.pdf"):
        assert words in pdf_pages(s)[0]
    wb = openpyxl.load_workbook(out / "pack.xlsx")
    assert wb["Summary"]["A3"].value == words
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Sealed"].startswith(words)
    rel = json.loads((out / "release.json").read_text())
    assert rel["procureDeskSealed"] == {"at": sealed["at"], "by": "Chief Officer"}
    assert rel["tender"]["status"] == "complete"
    # the exports of a sealed record are recorded, and the file stays intact
    assert len(export_events(path)) == 4
    capsys.readouterr()
    assert main(["verify", str(path), "--against", str(out / "report.pdf")]) == 0
    assert "sealed by Chief Officer" in capsys.readouterr().out
