"""The OCDS release, checked against the OCDS 1.1 release schema with the bids extension.

No OCDS package on PyPI ships the schema itself (libcoveocds and ocdskit fetch it at
run time), so tests/data/ocds-release-schema-1.1.4-bids.json is vendored: the 1.1.4
release schema from the ocdsmerge sdist, patched with the bids extension's definitions
from the ocdskit sdist (its `$comment` says exactly what). It is checked with jsonschema.
"""

import copy
import json
import re

import jsonschema
import pytest
from final_docs import final_example
from test_export_xlsx import make_file, rich_doc

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.exports import Source
from procure_desk.exports.ocds import build_release as _build_release

PREFIX = "ocds-h4rr0w"


def build_release(src, **kw):
    kw.setdefault("ocid_prefix", PREFIX)
    return _build_release(src, **kw)

SCHEMA = json.loads(
    (__import__("pathlib").Path(__file__).parent / "data" /
     "ocds-release-schema-1.1.4-bids.json").read_text())


def validator():
    return jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_release_is_valid_ocds_and_links_the_award(tmp_path, example_file):
    out = tmp_path / "release.json"
    assert main(["export", str(example_file.path), "--ocds", str(out), "--ocid-prefix",
                 PREFIX, "--publish-bid-values"]) == 0
    rel = json.loads(out.read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in validator().iter_errors(rel)]
    assert errors == []
    assert rel["tag"] == ["award"]
    assert rel["ocid"] == "ocds-h4rr0w-HDC-2026-014"
    stats = {s["measure"]: s["value"] for s in rel["bids"]["statistics"]}
    # example.json: B1 costs 250k + 4 x 90k + 40k = 650k over 5 years; B2 5 x 80k = 400k
    assert stats == {"bids": 2, "validBids": 2, "smeBids": 0,
                     "lowestValidBidValue": 400000.0, "highestValidBidValue": 650000.0}
    assert [d["value"]["amount"] for d in rel["bids"]["details"]] == [650000.0, 400000.0]
    assert [d["status"] for d in rel["bids"]["details"]] == ["valid", "valid"]
    assert rel["awards"][0]["relatedBids"] == ["B1"]
    assert rel["awards"][0]["suppliers"][0]["name"] == "Example Suite Ltd"
    assert "Q1 Fit without customisation: 15.00%" in rel["tender"]["awardCriteriaDetails"]


def test_excluded_bids_are_disqualified_and_left_out_of_valid_values(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    for b in doc["bids"]:  # B3 (a build) and B4 (a shared service) as commercial tenders
        b["tender"] = True
    src = Source.load(make_file(tmp_path, doc))
    rel = build_release(src, publish_bid_values=True)
    assert list(validator().iter_errors(rel)) == []
    status = {d["id"]: d["status"] for d in rel["bids"]["details"]}
    assert status["B3"] == "disqualified"
    assert status["B4"] == "pending"
    stats = {s["measure"]: s["value"] for s in rel["bids"]["statistics"]}
    # B3 (5 x 10k = 50k) failed its gateway, so the lowest valid value is B5's
    # 2 x 70k + 3 x 30k = 230k (its hosting line runs past the 5-year horizon and is cut)
    assert stats["validBids"] == 4
    assert stats["lowestValidBidValue"] == pytest.approx(230000.0)
    assert stats["highestValidBidValue"] == pytest.approx(650000.0)


def test_award_criteria_list_each_leaf_once_with_its_section(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    details = build_release(src)["tender"]["awardCriteriaDetails"]
    items = details.split(": ", 1)[1].split("; ")
    weighted = {i.split(" ", 1)[0]: i for i in items if i.split(": ")[-1] != "pass/fail"}
    # rich_doc: Q (50%) holds Q1 and the sub-section QS (Q2, Q3); P (40%) holds P1, P2
    assert sorted(weighted) == ["P1", "P2", "Q1", "Q2", "Q3", "SV"]  # no Q, QS or P
    # the leaves' weights alone make the 100 points: nothing is counted twice
    pct = [float(re.search(r": ([\d.]+)%", i).group(1)) for i in weighted.values()]
    assert sum(pct) == pytest.approx(100, abs=0.02)
    # Q1 = 50 x 25/100; Q3 = 50 x 75/100 x 3/4 = 28.125 (printed to two places)
    assert weighted["Q1"] == "Q1 Fit: 12.50% (section Q Quality)"
    assert weighted["Q3"] == "Q3 Data export: 28.12% (section Q Quality > QS Exit and data)"
    assert weighted["SV"] == "SV Social value: 10.00%"
    assert weighted["P1"] == "P1 Relative: 20.00% (price, section P Cost)"
    assert "G1 Cyber Essentials Plus: pass/fail" in items


def test_tender_is_active_until_a_winner_and_the_results_are_final(tmp_path, example_doc):
    # example.json: B1 wins, but E1 and E2 differ by 2 on B1 Q1 (the flag threshold)
    src = Source.load(make_file(tmp_path, example_doc, "flagged.pdesk"))
    assert src.results.winner == "B1"
    assert src.results_json()["flags"]
    rel = build_release(src)
    assert rel["tender"]["status"] == "active"
    assert list(validator().iter_errors(rel)) == []

    assert rel["awards"][0]["title"] == "Provisional: Award to Example Suite Ltd"
    assert rel["awards"][0]["description"].startswith("Provisional: the results are not "
                                                      "final")

    # moderated, but declarations and sign-off still outstanding: still active
    moderated = copy.deepcopy(example_doc)
    moderated["consensus"].append({"bid": "B1", "criterion": "Q1", "score": 4,
                                   "rationale": "agreed at moderation"})
    rel = build_release(Source.load(make_file(tmp_path, moderated, "moderated.pdesk")))
    assert rel["tender"]["status"] == "active"

    moderated = final_example(example_doc)
    rel = build_release(Source.load(make_file(tmp_path, moderated, "final.pdesk")))
    assert rel["tender"]["status"] == "complete"
    assert rel["awards"][0]["title"] == "Award to Example Suite Ltd"
    assert rel["awards"][0]["description"].startswith("Most advantageous tender")
    assert list(validator().iter_errors(rel)) == []

    no_winner = copy.deepcopy(moderated)
    for g in no_winner["gateways"]:
        g["passed"] = False
    rel = build_release(Source.load(make_file(tmp_path, no_winner, "none.pdesk")))
    assert "awards" not in rel
    assert rel["tender"]["status"] == "active"
    assert list(validator().iter_errors(rel)) == []


def test_schema_check_is_not_vacuous():
    bad = {"ocid": "x", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["award"],
           "initiationType": "tender", "bids": {"details": [{"id": "1", "status": "won"}]}}
    assert any("status" in list(e.path) for e in validator().iter_errors(bad))


# ---- a competitive tender: the sample, finished ---------------------------------------

@pytest.fixture
def sample_release(tmp_path):
    from summary_docs import finished

    return finished(), Source.load(make_file(tmp_path, finished(), "sample.pdesk"))


def test_only_tenders_are_tenderers_and_parties_carry_identifiers(sample_release):
    doc, src = sample_release
    rel = build_release(src, ocid_prefix=None)  # the evaluation's own prefix
    assert list(validator().iter_errors(rel)) == []
    assert rel["ocid"] == "ocds-h4rr0w-HDC-2026-014"
    tenderers = {t["name"] for t in rel["tender"]["tenderers"]}
    assert tenderers == {b["supplier"] for b in doc["bids"][:5]}  # B6-B8 are not tenders
    assert rel["tender"]["numberOfTenderers"] == 5
    assert [d["id"] for d in rel["bids"]["details"]] == ["B1", "B2", "B3", "B4", "B5"]
    b3 = next(p for p in rel["parties"] if p["name"] == "Kestrelway Digital Ltd")
    assert b3["id"] == "GB-COH-11384520"
    assert b3["identifier"] == {"scheme": "GB-COH", "id": "11384520",
                                "legalName": "Kestrelway Digital Ltd"}
    assert b3["roles"] == ["tenderer", "supplier"]
    assert rel["awards"][0]["suppliers"] == [{"id": "GB-COH-11384520",
                                              "name": "Kestrelway Digital Ltd"}]
    names = json.dumps(rel)
    for other in ("Harrowmere DC Digital Team", "Ashcombe Borough Council", "Pellory"):
        assert other not in names


def test_bid_values_are_left_out_unless_asked(sample_release):
    _, src = sample_release
    rel = build_release(src)
    stats = {s["measure"] for s in rel["bids"]["statistics"]}
    assert stats == {"bids", "validBids", "smeBids"}
    assert all("value" not in d for d in rel["bids"]["details"])
    published = build_release(src, publish_bid_values=True)
    assert [d["value"]["amount"] for d in published["bids"]["details"]] == [
        642000.0, 1709000.0, 614000.0, 493000.0, 529000.0]
    assert list(validator().iter_errors(published)) == []


def test_the_award_value_says_its_cost_basis(sample_release):
    _, src = sample_release
    award = build_release(src)["awards"][0]
    assert award["value"] == {"amount": 614000.0, "currency": "GBP"}
    assert award["procureDeskValueBasis"] == "whole-life cost over 5 years, undiscounted"
    assert "The value is the tender's whole-life cost over 5 years, undiscounted; price " \
           "was scored on its net present value at 3.5% a year." in award["description"]


def test_an_ocid_prefix_is_required(sample_release, tmp_path, capsys):
    doc, src = sample_release
    with pytest.raises(BadInput, match="ocds-000000 is a placeholder"):
        build_release(src, ocid_prefix="ocds-000000")
    with pytest.raises(BadInput, match="is not an OCDS prefix"):
        build_release(src, ocid_prefix="harrowmere")
    del doc["evaluation"]["ocid_prefix"]
    path = make_file(tmp_path, doc, "no-prefix.pdesk")
    out = tmp_path / "release.json"
    assert main(["export", str(path), "--ocds", str(out)]) == 2
    err = capsys.readouterr().err
    assert "evaluation.ocid_prefix: an OCDS release needs the ocid prefix registered" in err
    assert not out.exists()
    assert main(["export", str(path), "--ocds", str(out), "--ocid-prefix", "ocds-abc123"]) == 0
    assert json.loads(out.read_text())["ocid"].startswith("ocds-abc123-")
    assert main(["export", str(path), "--pdf", str(tmp_path / "r.pdf"),
                 "--ocid-prefix", "ocds-abc123"]) == 2
    assert "--ocid-prefix and --publish-bid-values apply to --ocds OUT" in \
        capsys.readouterr().err
