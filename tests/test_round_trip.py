"""import-json then export-json gives back the same document: fields the source
left out stay out (while they hold their default), everything else is written."""

import copy
import json
from pathlib import Path

import pytest

from procure_desk.cli import main
from procure_desk.paths import SAMPLE_TENDER
from procure_desk.services import EvaluationFile

DATA = Path(__file__).parent / "data"


def round_trip(src: Path, tmp_path: Path) -> dict:
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 0
    assert main(["export-json", str(tmp_path / "e.pdesk"), str(tmp_path / "out.json")]) == 0
    return json.loads((tmp_path / "out.json").read_text())


@pytest.mark.parametrize("src", [DATA / "minimal.json", DATA / "example.json", SAMPLE_TENDER])
def test_a_round_trip_gives_back_the_same_document(src, tmp_path):
    assert round_trip(src, tmp_path) == json.loads(src.read_text())


def test_a_default_changed_after_import_is_written(tmp_path):
    round_trip(DATA / "minimal.json", tmp_path)
    with EvaluationFile.open(tmp_path / "e.pdesk") as ef:
        ef.update_bid("t", "B1", {"sme": True, "notes": "now an SME"})
        ef.update_evaluation("t", {"reference": "REF-1"})
        ef.set_score("t", "E1", "B1", "Q1", 3, "a comment now")
    out = tmp_path / "again.json"
    assert main(["export-json", str(tmp_path / "e.pdesk"), str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["bids"][0]["sme"] is True
    assert doc["bids"][0]["notes"] == "now an SME"
    assert doc["evaluation"]["reference"] == "REF-1"
    assert doc["scores"][0]["comment"] == "a comment now"
    assert "sme" not in json.loads((DATA / "minimal.json").read_text())["bids"][0]


def test_a_file_made_in_the_app_exports_every_field(tmp_path, example_doc):
    doc = copy.deepcopy(example_doc)
    ef = EvaluationFile.create(tmp_path / "app.pdesk", doc, actor="t")
    ef.close()
    assert main(["export-json", str(tmp_path / "app.pdesk"), str(tmp_path / "o.json")]) == 0
    out = json.loads((tmp_path / "o.json").read_text())
    assert out["bids"][1]["sme"] is False  # omitted in the example, written in full here
    assert out["evaluators"][1]["role"] == ""


def test_export_never_overwrites_the_evaluation_itself(tmp_path, capsys):
    assert main(["import-json", str(DATA / "minimal.json"), str(tmp_path / "e.pdesk")]) == 0
    assert main(["export-json", str(tmp_path / "e.pdesk"), str(tmp_path / "e.pdesk"),
                 "--force"]) == 2
    assert "is the evaluation file itself" in capsys.readouterr().err
    assert main(["results", str(tmp_path / "e.pdesk")]) == 0


def test_import_never_overwrites_its_own_source(tmp_path, capsys):
    src = tmp_path / "in.json"
    src.write_text((DATA / "minimal.json").read_text())
    assert main(["import-json", str(src), str(src), "--force"]) == 2
    assert json.loads(src.read_text())["format"] == "procure-desk/evaluation"


@pytest.mark.parametrize(("text", "says"), [
    ('{"format": "x", "format": "procure-desk/evaluation"}', 'the field "format" appears twice'),
    ('{"n": ' + "9" * 5000 + "}", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_hostile_json_is_bad_input_not_a_crash(tmp_path, capsys, text, says):
    src = tmp_path / "in.json"
    src.write_text(text)
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "e.pdesk").exists()


def test_an_integer_too_large_for_a_float_is_refused(tmp_path, capsys, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["bids"][0]["costs"][0]["amount"] = 10**400
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 2
    assert "bids[0].costs[0].amount: " in capsys.readouterr().err


@pytest.mark.parametrize(("bad_id", "says"), [(1, "1 is not text"),
                                              ("B1 ", "starts or ends with a space")])
def test_ids_are_plain_text(tmp_path, capsys, example_doc, bad_id, says):
    doc = copy.deepcopy(example_doc)
    doc["partners"][0]["id"] = bad_id
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 2
    err = capsys.readouterr().err
    assert "procure-desk: partners[0].id: " in err
    assert says in err


def test_the_interchange_text_written_in_pieces_is_the_text_written_whole():
    from benchmarks.generate import make_large_evaluation
    from procure_desk.interchange import dump_chunks, dumps, validate

    doc = validate(make_large_evaluation(n_bids=5, n_criteria=6, n_evaluators=3, cost_lines=2))
    doc["bids"][0]["supplier"] = "=cmd|' /c calc'!A0 <b>&amp;\n東京\t\"quoted\""
    doc["scores"][1]["comment"] = "line one\nline two \\ back\\slash"
    doc["scores"][2].update(score=2.5, comment="")
    doc["scores"][3].update(score=1e-7, comment=None)
    doc["scores"][4] = {}
    for d in (doc, {**doc, "feedback": [], "partners": []}, {"evaluation": {}}, {}):
        assert "".join(dump_chunks(d)) == dumps(d)
