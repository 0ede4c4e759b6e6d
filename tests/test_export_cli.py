"""`procure-desk export` and the demo's evidence."""

import json

from summary_docs import finished
from test_export_xlsx import make_file

from procure_desk.cli import main


def test_export_all_four(tmp_path, capsys):
    # the sample tender, finished: a competitive tender whose summaries can be issued
    f = str(make_file(tmp_path, finished(), "sample.pdesk"))
    args = ["export", f, "--xlsx", str(tmp_path / "p.xlsx"), "--pdf", str(tmp_path / "r.pdf"),
            "--summaries", str(tmp_path / "s"), "--ocds", str(tmp_path / "o.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Wrote 3 assessment summaries and 2 notices of exclusion" in out
    assert (tmp_path / "p.xlsx").stat().st_size > 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert len(list((tmp_path / "s").glob("*.pdf"))) == 5
    assert json.loads((tmp_path / "o.json").read_text())["tag"] == ["award"]
    # again without --force: refused before anything is written
    (tmp_path / "r.pdf").write_text("old")
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "r.pdf").read_text() == "old"
    assert main([*args, "--force"]) == 0


def test_export_needs_something_to_do(example_file, capsys):
    assert main(["export", str(example_file.path)]) == 2
    assert "--xlsx" in capsys.readouterr().err


def test_export_missing_file_or_folder(tmp_path, example_file, capsys):
    assert main(["export", str(tmp_path / "nope.pdesk"), "--pdf", str(tmp_path / "r.pdf")]) == 2
    assert "nope.pdesk" in capsys.readouterr().err
    assert main(["export", str(example_file.path), "--xlsx",
                 str(tmp_path / "no" / "p.xlsx")]) == 2
    assert "folder does not exist" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_export_refuses_a_name_for_another_kind_of_file(tmp_path, example_file, capsys):
    f = str(example_file.path)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    good = {"--xlsx": "p.xlsx", "--pdf": "r.pdf", "--ocds": "o.json"}
    for option, wrong in (("--xlsx", "p.pdf"), ("--pdf", "r.xlsx"), ("--ocds", "o.txt"),
                          ("--xlsx", "p")):
        names = {**good, option: wrong}
        args = ["export", f, *[x for o, n in names.items() for x in (o, str(tmp_path / n))]]
        assert main(args) == 2, option
        err = capsys.readouterr().err
        assert f"{tmp_path / wrong}: {option} writes" in err
        assert "must end in ." in err
        assert list(tmp_path.iterdir()) == []  # refused before anything was written
    # the ending's case does not matter
    assert main(["export", f, "--xlsx", str(tmp_path / "P.XLSX")]) == 0


def test_demo_writes_all_four(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "d")]) == 0
    d = tmp_path / "d"
    assert (d / "evidence-pack.xlsx").exists()
    assert (d / "evaluation-report.pdf").exists()
    assert (d / "ocds-release.json").exists()
    out = capsys.readouterr().out
    # the demo finishes the evaluation, so its summaries are issued, not drafts
    assert "the results are final" in out
    assert "Wrote 3 assessment summaries and 2 notices of exclusion" in out
    assert "DRAFT" not in out
    letters = sorted(p.name for p in (d / "assessment-summaries").glob("*.pdf"))
    doc = json.loads((d / "ocds-release.json").read_text())
    # one letter per tender, and the OCDS release lists the same five tenders; the
    # in-house build (B6), the shared service (B7) and doing nothing (B8) get neither
    assert [n.split(" ")[2 if n.startswith("Assessment") else 3] for n in letters] == [
        "B1", "B3", "B5", "B2", "B4"]
    assert [b["id"] for b in doc["bids"]["details"]] == ["B1", "B2", "B3", "B4", "B5"]
    assert doc["ocid"] == "ocds-h4rr0w-HDC-2026-014"
