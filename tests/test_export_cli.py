"""`procure-desk export` and the demo's evidence."""

import json

from procure_desk.cli import main


def test_export_all_four(tmp_path, example_file, capsys):
    f = str(example_file.path)
    args = ["export", f, "--xlsx", str(tmp_path / "p.xlsx"), "--pdf", str(tmp_path / "r.pdf"),
            "--summaries", str(tmp_path / "s"), "--ocds", str(tmp_path / "o.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Wrote 2 assessment summaries" in out
    assert (tmp_path / "p.xlsx").stat().st_size > 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert len(list((tmp_path / "s").glob("*.pdf"))) == 2
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


def test_demo_writes_all_four(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "d")]) == 0
    d = tmp_path / "d"
    assert (d / "evidence-pack.xlsx").exists()
    assert (d / "evaluation-report.pdf").exists()
    assert (d / "ocds-release.json").exists()
    summaries = list((d / "assessment-summaries").glob("*.pdf"))
    doc = json.loads((d / "ocds-release.json").read_text())
    assert len(summaries) == len(doc["bids"]["details"]) >= 8
