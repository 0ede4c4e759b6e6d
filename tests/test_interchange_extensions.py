"""The date a conflict of interest was declared is evidence: it survives import,
export, a deleted and restored bid, and is never invented on import."""

import copy
import json

import pytest

from procure_desk.cli import main
from procure_desk.services import EvaluationFile


def test_declared_dates_round_trip_through_the_file(tmp_path, example_doc, capsys):
    doc = copy.deepcopy(example_doc)
    doc["evaluators"][1]["declared"] = {"B2": "2026-09-14"}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 0
    assert main(["export-json", str(tmp_path / "e.pdesk"), str(tmp_path / "out.json")]) == 0
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["evaluators"][1]["declared"] == {"B2": "2026-09-14"}
    with EvaluationFile.open(tmp_path / "e.pdesk") as ef:
        assert ef.conflict_dates() == {("E2", "B2"): "2026-09-14"}


def test_an_import_without_dates_records_none_rather_than_today(example_file):
    assert example_file.conflict_dates() == {("E2", "B2"): ""}
    assert "declared" not in example_file.document()["evaluators"][1]


def test_a_restored_bid_keeps_the_declaration_date(example_file):
    ef = example_file
    ef.set_conflict("t", "E1", "B2", True, declared_on="2026-01-05")
    bundle = ef.delete_bid("t", "B2")
    ef.restore("t", bundle)
    assert ef.conflict_dates()[("E1", "B2")] == "2026-01-05"
    assert ef.document()["evaluators"][0]["declared"] == {"B2": "2026-01-05"}


@pytest.mark.parametrize(("declared", "where"), [
    ({"B1": "2026-09-14"}, "evaluators[1].declared.B1"),  # not a declared conflict
    ({"B2": "14/09/2026"}, "evaluators[1].declared.B2"),  # not an ISO date
    ("2026-09-14", "evaluators[1].declared"),
])
def test_bad_declaration_dates_are_refused(tmp_path, example_doc, capsys, declared, where):
    doc = copy.deepcopy(example_doc)
    doc["evaluators"][1]["declared"] = declared
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 2
    assert f"procure-desk: {where}: " in capsys.readouterr().err
    assert not (tmp_path / "e.pdesk").exists()


@pytest.mark.parametrize("currency", ["pounds", "gbp", "£", "GBPX"])
def test_a_currency_must_be_a_code(tmp_path, example_doc, capsys, currency):
    doc = copy.deepcopy(example_doc)
    doc["evaluation"]["currency"] = currency
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    assert main(["import-json", str(src), str(tmp_path / "e.pdesk")]) == 2
    assert "procure-desk: evaluation.currency: " in capsys.readouterr().err


def test_changing_the_currency_in_an_open_file_is_checked_too(example_file):
    from procure_desk.errors import BadInput

    with pytest.raises(BadInput, match="currency"):
        example_file.update_evaluation("t", {"currency": "pounds"})
    example_file.update_evaluation("t", {"currency": "EUR"})
    assert example_file.document()["evaluation"]["currency"] == "EUR"
