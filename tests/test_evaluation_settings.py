"""The documents' settings (marking, award details, OCDS prefix) changed through
update_evaluation: set when absent, removed with None, refused whole when wrong."""

from __future__ import annotations

import pytest

from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile

ACTOR = "alice"
AWARD = {"notice_date": "2026-03-02", "standstill_days": 10, "contact": "procurement@hdc.gov.uk"}


def on_disk(ef: EvaluationFile) -> dict:
    with EvaluationFile.open(ef.path) as other:
        return other.document()["evaluation"]


def test_award_and_prefix_can_be_set_when_absent_and_undone(example_file):
    ev = example_file.document()["evaluation"]
    assert "award" not in ev
    assert "ocid_prefix" not in ev
    before = example_file.update_evaluation(ACTOR, {"award": AWARD,
                                                    "ocid_prefix": "ocds-hdc123"})
    assert before == {"award": None, "ocid_prefix": None}
    saved = on_disk(example_file)
    assert saved["award"] == AWARD
    assert saved["ocid_prefix"] == "ocds-hdc123"
    event = example_file.audit()[0]
    assert event.action == "evaluation.update"
    assert event.after["award"] == AWARD
    example_file.update_evaluation(ACTOR, before)  # as undo does
    saved = on_disk(example_file)
    assert "award" not in saved
    assert "ocid_prefix" not in saved


def test_marking_changes_and_is_recorded(example_file):
    example_file.update_evaluation(ACTOR, {"marking": "OFFICIAL"})
    assert on_disk(example_file)["marking"] == "OFFICIAL"
    assert example_file.audit()[0].before == {"marking": "OFFICIAL-SENSITIVE: COMMERCIAL"}


@pytest.mark.parametrize(("change", "where"), [
    ({"ocid_prefix": "ocds-000000"}, "evaluation.ocid_prefix"),
    ({"award": dict(AWARD, notice_date="2 March")}, "evaluation.award.notice_date"),
    ({"award": dict(AWARD, standstill_days=-1)}, "evaluation.award.standstill_days"),
    ({"marking": ""}, "evaluation.marking"),
    ({"colour": "red"}, "evaluation.colour"),
])
def test_a_wrong_setting_is_refused_and_nothing_changes(example_file, change, where):
    events = len(example_file.audit())
    before = on_disk(example_file)
    with pytest.raises(BadInput) as err:
        example_file.update_evaluation(ACTOR, change)
    assert where in str(err.value)
    assert on_disk(example_file) == before
    assert len(example_file.audit()) == events
