"""Bad input (docs/bad-input.md): every rule refused by `import-json` with exit 2.

Each case breaks one rule in the worked example and names where the message
must point. The file must be refused whole: a message on stderr naming the
record and field, no traceback, and no output file.
"""

from __future__ import annotations

import json

import pytest
from helpers import example

from procure_desk.cli import main


def _set(path: str, value):
    """A mutator that sets doc[path...] = value (dotted, with list indices)."""
    def mutate(d: dict) -> None:
        *head, last = path.split(".")
        node = d
        for key in head:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _append(key: str, record: dict):
    def mutate(d: dict) -> None:
        d[key].append(record)
    return mutate


def _two_partners(d: dict) -> None:
    d["partners"].append({"id": "C2", "name": "Kelsham DC", "population": 50000})


def _apportion(app: dict):
    def mutate(d: dict) -> None:
        _two_partners(d)
        d["bids"][1]["apportionment"] = app
    return mutate


def _cycle(d: dict) -> None:
    # section S under Q and Q under S
    d["criteria"].append({"id": "S", "name": "Sub", "kind": "section", "weight": 1,
                          "parent": "Q"})
    d["criteria"].append({"id": "S1", "name": "Leaf", "kind": "scored", "weight": 1,
                          "parent": "S"})
    d["criteria"][0]["parent"] = "S"


def _zero_children(d: dict) -> None:
    d["criteria"][1]["weight"] = 0
    d["criteria"][2]["weight"] = 0


def _conflicted_score(d: dict) -> None:
    # E2 declared a conflict with B2 (see example.json)
    d["scores"].append({"evaluator": "E2", "bid": "B2", "criterion": "Q2", "score": 3})


def _second_score(d: dict) -> None:
    d["scores"].append({"evaluator": "E1", "bid": "B2", "criterion": "Q2", "score": 4})


def _chain(levels: int):
    """The example's quality section Q with `levels` - 1 sections nested below it."""
    def mutate(d: dict) -> None:
        parent = "Q"
        for level in range(2, levels + 1):
            kind = "scored" if level == levels else "section"
            d["criteria"].append({"id": f"L{level}", "name": f"Level {level}", "kind": kind,
                                  "weight": 1, "parent": parent})
            parent = f"L{level}"
    return mutate


def _no_rationale(d: dict) -> None:
    del d["consensus"][0]["rationale"]


# (rule, mutation, where the message must point)
RULES = [
    ("unknown format", _set("format", "procure-desk/other"), "format"),
    ("unknown version", _set("version", 2), "version"),
    ("duplicate criterion id",
     _append("criteria", {"id": "Q1", "name": "Again", "kind": "scored", "weight": 1,
                          "parent": "Q"}), "criteria[5].id"),
    ("duplicate bid id",
     _append("bids", {"id": "B1", "supplier": "Copy", "option_type": "build"}), "bids[2].id"),
    ("duplicate evaluator id", _append("evaluators", {"id": "E1", "name": "Copy"}),
     "evaluators[2].id"),
    ("duplicate partner id", _append("partners", {"id": "C1", "name": "Copy"}),
     "partners[1].id"),
    ("missing parent", _set("criteria.1.parent", "NOPE"), "criteria[1].parent"),
    ("missing score evaluator", _set("scores.0.evaluator", "E9"), "scores[0].evaluator"),
    ("missing score bid", _set("scores.0.bid", "B9"), "scores[0].bid"),
    ("missing score criterion", _set("scores.0.criterion", "Q9"), "scores[0].criterion"),
    ("missing consensus bid", _set("consensus.0.bid", "B9"), "consensus[0].bid"),
    ("missing consensus criterion", _set("consensus.0.criterion", "Q9"),
     "consensus[0].criterion"),
    ("missing gateway bid", _set("gateways.1.bid", "B9"), "gateways[1].bid"),
    ("missing gateway criterion", _set("gateways.1.criterion", "G9"), "gateways[1].criterion"),
    ("missing conflict bid", _set("evaluators.1.conflicts", ["B9"]),
     "evaluators[1].conflicts[0]"),
    ("parent not a section", _set("criteria.2.parent", "Q1"), "criteria[2].parent"),
    ("cycle in parents", _cycle, "criteria[0].parent"),
    ("negative weight", _set("criteria.1.weight", -1), "criteria[1].weight"),
    ("children weigh 0", _zero_children, "criteria[0]"),
    ("score above max", _set("scores.0.score", 6), "scores[0].score"),
    ("score below 0", _set("scores.0.score", -1), "scores[0].score"),
    ("score off step", _set("scores.0.score", 2.5), "scores[0].score"),
    ("score on a price criterion", _set("scores.0.criterion", "P"), "scores[0].criterion"),
    ("score on a section", _set("scores.0.criterion", "Q"), "scores[0].criterion"),
    ("consensus on a gateway", _set("consensus.0.criterion", "G1"), "consensus[0].criterion"),
    ("gateway on a scored criterion", _set("gateways.0.criterion", "Q1"),
     "gateways[0].criterion"),
    ("score by a conflicted evaluator", _conflicted_score, "scores[5].evaluator"),
    ("consensus without rationale", _no_rationale, "consensus[0].rationale"),
    ("consensus with blank rationale", _set("consensus.0.rationale", "  "),
     "consensus[0].rationale"),
    ("negative amount", _set("bids.0.costs.0.amount", -5), "bids[0].costs[0].amount"),
    ("non-integer start_year", _set("bids.0.costs.0.start_year", 1.5),
     "bids[0].costs[0].start_year"),
    ("negative start_year", _set("bids.0.costs.0.start_year", -1),
     "bids[0].costs[0].start_year"),
    ("years below 1", _set("bids.0.costs.1.years", 0), "bids[0].costs[1].years"),
    ("appraisal years below 1", _set("evaluation.appraisal.years", 0),
     "evaluation.appraisal.years"),
    ("discount rate above 1", _set("evaluation.appraisal.discount_rate", 1.5),
     "evaluation.appraisal.discount_rate"),
    ("discount rate below 0", _set("evaluation.appraisal.discount_rate", -0.1),
     "evaluation.appraisal.discount_rate"),
    ("unknown option_type", _set("bids.0.option_type", "outsourcing"), "bids[0].option_type"),
    ("unknown category", _set("bids.0.costs.2.category", "misc"), "bids[0].costs[2].category"),
    ("unknown formula", _set("criteria.3.formula", "cheapest"), "criteria[3].formula"),
    ("unknown cost_basis", _set("evaluation.appraisal.cost_basis", "tco"),
     "evaluation.appraisal.cost_basis"),
    ("two scores by one evaluator", _second_score, "scores[5]"),
    ("apportionment unknown method", _apportion({"method": "by_size"}),
     "bids[1].apportionment.method"),
    ("apportionment unknown partner", _apportion({"method": "equal", "partners": ["C1", "C7"]}),
     "bids[1].apportionment.partners[1]"),
    ("apportionment with no partner", _apportion({"method": "equal", "partners": []}),
     "bids[1].apportionment.partners"),
    ("custom shares not 100",
     _apportion({"method": "custom", "partners": ["C1", "C2"], "shares": {"C1": 40, "C2": 50}}),
     "bids[1].apportionment.shares"),
    # the limits (docs/bad-input.md, "Ids", "Text" and "Size")
    ("id with a wildcard", _set("bids.1.id", "B?"), "bids[1].id"),
    ("id too long", _set("evaluators.0.id", "E" * 41), "evaluators[0].id"),
    ("name too long", _set("bids.0.supplier", "S" * 201), "bids[0].supplier"),
    ("name on two lines", _set("criteria.1.name", "Fit\nwithout customisation"),
     "criteria[1].name"),
    ("comment too long", _set("scores.0.comment", "c" * 20_001), "scores[0].comment"),
    ("control character in a rationale", _set("consensus.0.rationale", "Agreed\x00"),
     "consensus[0].rationale"),
    ("right-to-left override", _set("evaluation.title", "Evil\u202eLtd"), "evaluation.title"),
    ("unpaired surrogate", _set("gateways.0.note", "half \ud83d"), "gateways[0].note"),
    ("too many evaluators",
     _set("evaluators", [{"id": f"E{i}", "name": f"Evaluator {i}"} for i in range(101)]),
     "evaluators"),
    ("criteria too deep", _chain(9), "criteria[12].parent"),
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, output) -> None:
    assert code == 2
    assert "Traceback" not in err
    assert err.strip(), "a refusal must say why"
    assert all(line.startswith("procure-desk: ") for line in err.strip().splitlines())
    assert not output.exists()
    assert not list(output.parent.glob(f".{output.name}*")), "a temporary file was left"


def test_the_example_itself_is_accepted(capsys, tmp_path, write_json):
    src = write_json(example())
    code, _, err = run(capsys, "import-json", str(src), str(tmp_path / "ok.pdesk"))
    assert code == 0, err


@pytest.mark.parametrize(("rule", "mutate", "where"), RULES, ids=[r[0] for r in RULES])
def test_rule_is_refused(capsys, tmp_path, write_json, rule, mutate, where):
    d = example()
    mutate(d)
    src = write_json(d)
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(src), str(out))
    assert_refused(code, err, out)
    assert f"procure-desk: {where}: " in err, err


def test_apportionment_without_partners_in_the_file(capsys, tmp_path, write_json):
    # `partners` defaults to all partners; with none in the file, nobody shares the bid
    d = example()
    d["partners"] = []
    d["bids"][1]["apportionment"] = {"method": "equal"}
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(write_json(d)), str(out))
    assert_refused(code, err, out)
    assert "procure-desk: bids[1].apportionment.partners: " in err


def test_message_quotes_the_bad_value(capsys, tmp_path, write_json):
    d = example()
    d["scores"][0]["criterion"] = "Q9"
    out = tmp_path / "out.pdesk"
    _, _, err = run(capsys, "import-json", str(write_json(d)), str(out))
    assert '"Q9"' in err


def test_several_problems_give_one_message_each(capsys, tmp_path, write_json):
    d = example()
    d["scores"][0]["score"] = 9
    d["bids"][0]["costs"][0]["amount"] = -1
    d["evaluation"]["appraisal"]["cost_basis"] = "tco"
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(write_json(d)), str(out))
    assert_refused(code, err, out)
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert any(line.startswith("procure-desk: evaluation.appraisal.cost_basis: ")
               for line in lines)
    assert any(line.startswith("procure-desk: bids[0].costs[0].amount: ") for line in lines)
    assert any(line.startswith("procure-desk: scores[0].score: ") for line in lines)


def test_not_json(capsys, tmp_path):
    src = tmp_path / "broken.json"
    src.write_text('{"format": "procure-desk/evaluation",\n  "version": 1,,}')
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(src), str(out))
    assert_refused(code, err, out)
    assert "broken.json" in err
    assert "line 2" in err
    assert "not valid JSON" in err


def test_not_utf8(capsys, tmp_path):
    src = tmp_path / "latin.json"
    src.write_bytes('{"format": "caf\u00e9"}'.encode("latin-1"))
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(src), str(out))
    assert_refused(code, err, out)
    assert "latin.json" in err


@pytest.mark.parametrize("content", [[], "text", 3, None])
def test_not_an_object(capsys, tmp_path, content):
    src = tmp_path / "list.json"
    src.write_text(json.dumps(content))
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(src), str(out))
    assert_refused(code, err, out)
    assert "one JSON object" in err


def test_a_file_that_does_not_exist(capsys, tmp_path):
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(tmp_path / "nowhere.json"), str(out))
    assert_refused(code, err, out)
    assert "nowhere.json" in err
    assert "no such file" in err


def test_a_folder_instead_of_a_file(capsys, tmp_path):
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(tmp_path), str(out))
    assert_refused(code, err, out)


def test_refused_import_leaves_an_existing_output_untouched(capsys, tmp_path, write_json):
    out = tmp_path / "out.pdesk"
    out.write_bytes(b"precious")
    d = example()
    d["version"] = 7
    code, _, err = run(capsys, "import-json", str(write_json(d)), str(out), "--force")
    assert code == 2
    assert "Traceback" not in err
    assert out.read_bytes() == b"precious"


def test_hostile_supplier_text_is_accepted_verbatim(capsys, tmp_path, write_json):
    # Supplier names are data, not markup or formulas: kept exactly as written
    # (line breaks and invisible characters are refused: see test_input_limits.py).
    d = example()
    d["bids"][0]["supplier"] = ("=HYPERLINK(\"x\")<b>&amp; Caf\u00e9 \u05e9\u05dc\u05d5\u05dd "
                                "\U0001f600")
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(write_json(d)), str(out))
    assert code == 0, err
    back = tmp_path / "back.json"
    assert run(capsys, "export-json", str(out), str(back))[0] == 0
    assert json.loads(back.read_text())["bids"][0]["supplier"] == d["bids"][0]["supplier"]


def test_an_amount_too_large_to_add_up_is_refused(capsys, tmp_path, write_json):
    d = example()
    d["bids"][0]["costs"][1]["amount"] = 1e308
    out = tmp_path / "out.pdesk"
    code, _, err = run(capsys, "import-json", str(write_json(d)), str(out))
    assert_refused(code, err, out)
    assert "procure-desk: bids[0].costs[1].amount: " in err
